"""Checks: a derivation paired with an experiment and an error budget.

A :class:`Check` names the derivations it verifies, and its ``run`` produces
:class:`~verify._budget.Comparison` rows (prediction, measurement, budget) for
a chosen effort level.  The registry maps names to checks; a test requires that
every derivation in :data:`theory.DERIVATIONS` is covered by at least one.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time
import traceback
import warnings
from collections.abc import Callable, Sequence

from theory import InvalidParameter

from ._budget import Comparison

__all__ = ["Check", "CheckResult", "CHECKS", "CHECK_MODULES", "load_checks", "register", "run_checks", "QUICK", "FULL"]

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
    #: ``"ExceptionType: message"`` (one line) when the check raised instead of finishing; None otherwise.
    error: str | None = None
    #: The traceback of that exception, for the report file of the check.
    traceback: str | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.comparisons)

    @property
    def status(self) -> str:
        """``"passed"``, ``"failed"`` (a comparison is outside its budget) or ``"errored"`` (the check raised)."""
        if self.error is not None:
            return "errored"
        return "passed" if self.passed else "failed"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "derivations": list(self.derivations),
            "description": self.description,
            "mode": self.mode,
            "passed": self.passed,
            "status": self.status,
            "seconds": self.seconds,
            "comparisons": [c.as_dict() for c in self.comparisons],
            **({"error": self.error, "traceback": self.traceback} if self.error is not None else {}),
        }


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    derivations: tuple[str, ...]
    description: str
    experiment: Callable[[str], Sequence[Comparison]]
    #: packages of an optional extra the experiment imports (e.g. "torch" of [networks])
    requires: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        """The required packages that are not installed."""
        return tuple(package for package in self.requires if importlib.util.find_spec(package) is None)

    def run(self, mode: str = QUICK) -> CheckResult:
        if mode not in (QUICK, FULL):
            raise InvalidParameter(f"mode must be {QUICK!r} or {FULL!r}, got {mode!r}")
        started = time.perf_counter()
        comparisons = tuple(self.experiment(mode))
        return CheckResult(
            self.name, self.derivations, self.description, mode, comparisons, time.perf_counter() - started
        )

    def run_recording_errors(self, mode: str = QUICK) -> CheckResult:
        """:meth:`run`, but an exception becomes an ``errored`` result (one-line message and traceback).

        An interrupt (``KeyboardInterrupt``, ``SystemExit``) is not an error of the check and propagates.
        """
        started = time.perf_counter()
        try:
            return self.run(mode)
        except Exception as error:  # noqa: BLE001 - any failure of one check is recorded, the run goes on
            return CheckResult(
                self.name, self.derivations, self.description, mode, (), time.perf_counter() - started,
                error=one_line(error), traceback=traceback.format_exc(),
            )


def one_line(error: BaseException) -> str:
    """``"ExceptionType: first line of the message"``."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


#: Every registered check, by name, in registration order (complete once :func:`load_checks` ran).
CHECKS: dict[str, Check] = {}
_REGISTRY = CHECKS  # where ``register`` writes, even while a test swaps ``CHECKS`` for a registry of its own

#: The modules whose import registers the checks, in listing order.  They import SymPy, NumPy and the
#: Numba kernels, so they load on first use of the registry, not with ``import verify`` (the command
#: line starts without them).
CHECK_MODULES = ("_checks_kramers", "_checks_skills", "_checks_schedules", "_checks_fpe", "_checks_time_dependent",
                 "_checks_underdamped", "_checks_ewc", "_checks_paths")


def load_checks() -> dict[str, Check]:
    """Import the check modules (once) so that every check is registered; the registry."""
    import importlib

    for module in CHECK_MODULES:
        importlib.import_module(f"{__package__}.{module}")
    # The order of the registry is that of CHECK_MODULES (and of registration within a module),
    # whichever module some caller happened to import first.
    rank = {f"{__package__}.{module}": index for index, module in enumerate(CHECK_MODULES)}
    ordered = sorted(_REGISTRY.values(), key=lambda check: rank.get(check.experiment.__module__, len(rank)))
    if list(_REGISTRY.values()) != ordered:
        _REGISTRY.clear()
        _REGISTRY.update((check.name, check) for check in ordered)
    return CHECKS


def register(name: str, derivations: Sequence[str], description: str, requires: Sequence[str] = ()):
    """Decorator registering ``experiment(mode) -> [Comparison, ...]`` as a check.

    ``requires`` names packages of an optional extra: without them the check is left out of a run of
    all checks (with a warning) and refused by name.
    """

    def decorate(experiment):
        if name in _REGISTRY:
            raise InvalidParameter(f"check {name!r} is registered twice")
        _REGISTRY[name] = Check(name, tuple(derivations), description, experiment, tuple(requires))
        return experiment

    return decorate


def check_names(names: Sequence[str] | None = None) -> list[str]:
    """The checks to run: ``names`` (all registered ones when empty), each known."""
    load_checks()
    if not names:
        left_out = [name for name, check in CHECKS.items() if check.missing]
        for name in left_out:
            warnings.warn(f"check {name} left out: it needs {', '.join(CHECKS[name].missing)} "
                          "(pip install 'kramers[networks]')")
        return [name for name in CHECKS if name not in left_out]
    names = list(names)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise InvalidParameter(f"check {unknown[0]!r} is unknown; known checks: {', '.join(CHECKS)}")
    for name in names:
        if CHECKS[name].missing:
            raise InvalidParameter(f"check {name} needs {', '.join(CHECKS[name].missing)}, which is not installed "
                                   "(pip install 'kramers[networks]')")
    return names


def run_checks(
    names: Sequence[str] | None = None,
    mode: str = QUICK,
    progress: Callable[[str], None] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    *,
    jobs: int = 1,
):
    """Run the named checks (all when ``names`` is empty) and return their results.

    A check that raises is recorded as ``errored`` (its one-line message in
    :attr:`CheckResult.error`) and the others still run.  ``on_result`` is
    called with each result as soon as it exists (the report writes it to disk).

    ``jobs`` > 1 runs the checks in that many worker processes at once (a check
    compiles its kernels on one core; the checks are independent and seeded, so
    their numbers do not depend on ``jobs``; checks registered outside
    :data:`CHECK_MODULES` run in this process).  Results come back, and
    ``on_result`` sees them, in the order of ``names`` whatever the order in
    which they finish; ``progress`` reports each as it finishes.
    """
    names = check_names(names)
    if mode not in (QUICK, FULL):
        raise InvalidParameter(f"mode must be {QUICK!r} or {FULL!r}, got {mode!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InvalidParameter(f"jobs must be a positive integer, got {jobs!r}", parameter="jobs")

    def report(index: int, result: CheckResult) -> None:
        if progress:
            verdict = {"passed": "pass", "failed": "FAIL", "errored": f"ERROR ({result.error})"}[result.status]
            progress(f"[{index}/{len(names)}] {result.name}: {verdict} ({result.seconds:.1f} s)")

    results: list[CheckResult] = []
    # A fresh process finds the checks of CHECK_MODULES; one registered elsewhere (a user's, a test's) runs here.
    registered = {f"{__package__}.{module}" for module in CHECK_MODULES}
    if jobs == 1 or len(names) < 2 or any(CHECKS[name].experiment.__module__ not in registered for name in names):
        for index, name in enumerate(names, start=1):
            if progress:
                progress(f"[{index}/{len(names)}] {name} ...")
            result = CHECKS[name].run_recording_errors(mode)
            results.append(result)
            report(index, result)
            if on_result:
                on_result(result)
        return results
    finished: dict[str, CheckResult] = {}
    for index, result in _run_in_processes(names, mode, min(jobs, len(names)), progress):
        report(index, result)
        finished[result.name] = result
        while len(results) < len(names) and names[len(results)] in finished:  # release in the order of names
            results.append(finished[names[len(results)]])
            if on_result:
                on_result(results[-1])
    return results


def _run_in_processes(names: list[str], mode: str, jobs: int, progress):
    """Yield (count finished, result) as the checks finish in ``jobs`` spawned processes.

    Each process gets an equal share of the cores for its Numba threads.  A
    process that dies (killed, out of memory) makes its checks ``errored``.
    """
    import concurrent.futures
    import multiprocessing
    import os

    threads = max(1, (os.cpu_count() or 1) // jobs)
    if progress:
        progress(f"{len(names)} checks in {jobs} processes ...")
    context = multiprocessing.get_context("spawn")  # no state (threads, locks) inherited from this process
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_threads,
                                                initargs=(threads,)) as pool:
        futures = {pool.submit(_run_one, name, mode): name for name in names}
        for finished, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            name = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a lost process loses its check, not the run
                check = CHECKS[name]
                result = CheckResult(name, check.derivations, check.description, mode, (), 0.0,
                                     error=f"the process running it failed: {one_line(error)}")
            yield finished, result


def _worker_threads(threads: int) -> None:
    """Set a worker's Numba thread count before anything imports Numba."""
    import os

    os.environ.setdefault("NUMBA_NUM_THREADS", str(threads))


def _run_one(name: str, mode: str) -> CheckResult:
    """Run one check in a worker process (which loads the registry first)."""
    load_checks()
    return CHECKS[name].run_recording_errors(mode)
