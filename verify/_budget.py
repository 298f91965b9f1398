"""Error budgets: the tolerance of a check, written out term by term.

A prediction and a measurement agree when

    |measured - predicted| <= z * stderr + |bias| + asymptotic + quadrature,

where ``stderr`` is the statistical standard error of the measurement, ``z``
its coverage factor, ``bias`` the discretisation bias measured on a dt ladder,
``asymptotic`` the error the derivation declares for itself in its regime, and
``quadrature`` the error of the reference value.  Each term is reported.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["ErrorBudget", "Comparison"]


@dataclasses.dataclass(frozen=True)
class ErrorBudget:
    z: float = 0.0
    stderr: float = 0.0
    bias: float = 0.0
    asymptotic: float = 0.0
    quadrature: float = 0.0

    @property
    def tolerance(self) -> float:
        return self.z * self.stderr + abs(self.bias) + self.asymptotic + self.quadrature

    def describe(self) -> str:
        parts = []
        if self.stderr:
            parts.append(f"{self.z:g}x{self.stderr:.2g}")
        if self.bias:
            parts.append(f"bias {abs(self.bias):.2g}")
        if self.asymptotic:
            parts.append(f"asym {self.asymptotic:.2g}")
        if self.quadrature:
            parts.append(f"quad {self.quadrature:.1g}")
        return " + ".join(parts) or "0"


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One prediction against one measurement, with the budget that decides it."""

    case: str
    predicted: float
    measured: float
    budget: ErrorBudget
    details: dict = dataclasses.field(default_factory=dict)
    #: the escape problem compared on, where there is one (an EscapeProblem, or its JSON description when the
    #: comparison is read back from results.json): figures read its parameters through :attr:`parameters`
    problem: Any = None

    @property
    def parameters(self) -> dict | None:
        """The problem's description (``EscapeProblem.describe()``): temperature, friction, start, ..."""
        if self.problem is None or isinstance(self.problem, dict):
            return self.problem
        return self.problem.describe()

    @property
    def difference(self) -> float:
        return self.measured - self.predicted

    @property
    def passed(self) -> bool:
        return abs(self.difference) <= self.budget.tolerance

    def as_dict(self) -> dict:
        return {
            "case": self.case,
            "predicted": self.predicted,
            "measured": self.measured,
            "difference": self.difference,
            "tolerance": self.budget.tolerance,
            "budget": dataclasses.asdict(self.budget),
            "passed": self.passed,
            **({"details": self.details} if self.details else {}),
            **({"problem": self.parameters} if self.problem is not None else {}),
        }
