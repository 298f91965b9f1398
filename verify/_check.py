"""Checks: a derivation paired with an experiment and an error budget.

A :class:`Check` names the derivations it verifies, and its ``run`` produces
:class:`~verify._budget.Comparison` rows (prediction, measurement, budget) for
a chosen effort level.  The registry maps names to checks; a test requires that
every derivation in :data:`theory.DERIVATIONS` is covered by at least one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

from theory import InvalidParameter

from ._budget import Comparison

__all__ = ["Check", "CheckResult", "CHECKS", "register", "run_checks", "QUICK", "FULL"]

QUICK = "quick"
FULL = "full"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    name: str
    derivations: tuple[str, ...]
    description: str
    mode: str
    comparisons: tuple[Comparison, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "derivations": list(self.derivations),
            "description": self.description,
            "mode": self.mode,
            "passed": self.passed,
            "seconds": self.seconds,
            "comparisons": [c.as_dict() for c in self.comparisons],
        }


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    derivations: tuple[str, ...]
    description: str
    experiment: Callable[[str], Sequence[Comparison]]

    def run(self, mode: str = QUICK) -> CheckResult:
        if mode not in (QUICK, FULL):
            raise InvalidParameter(f"mode must be {QUICK!r} or {FULL!r}, got {mode!r}")
        started = time.perf_counter()
        comparisons = tuple(self.experiment(mode))
        return CheckResult(
            self.name, self.derivations, self.description, mode, comparisons, time.perf_counter() - started
        )


#: Every registered check, by name, in registration order.
CHECKS: dict[str, Check] = {}


def register(name: str, derivations: Sequence[str], description: str):
    """Decorator registering ``experiment(mode) -> [Comparison, ...]`` as a check."""

    def decorate(experiment):
        if name in CHECKS:
            raise InvalidParameter(f"check {name!r} is registered twice")
        CHECKS[name] = Check(name, tuple(derivations), description, experiment)
        return experiment

    return decorate


def run_checks(names: Sequence[str] | None = None, mode: str = QUICK, progress: Callable[[str], None] | None = None):
    """Run the named checks (all when ``names`` is empty) and return their results."""
    names = list(names or CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise InvalidParameter(f"check {unknown[0]!r} is unknown; known checks: {', '.join(CHECKS)}")
    results = []
    for index, name in enumerate(names, start=1):
        if progress:
            progress(f"[{index}/{len(names)}] {name} ...")
        results.append(CHECKS[name].run(mode))
        if progress:
            progress(f"[{index}/{len(names)}] {name}: {'pass' if results[-1].passed else 'FAIL'} "
                     f"({results[-1].seconds:.1f} s)")
    return results
