"""Plain-text and JSON reports of check results."""

from __future__ import annotations

from collections.abc import Sequence

from ._check import CheckResult

__all__ = ["format_table", "results_json"]


def format_table(results: Sequence[CheckResult]) -> str:
    """A fixed-width table: one row per comparison, the budget written out, a verdict."""
    header = f"{'check':<24} {'case':<52} {'predicted':>12} {'measured':>12} {'|diff|':>9} {'tolerance':>9}  budget"
    lines = [header, "-" * len(header)]
    for result in results:
        for comparison in result.comparisons:
            verdict = "pass" if comparison.passed else "FAIL"
            lines.append(
                f"{result.name:<24} {comparison.case[:52]:<52} {comparison.predicted:>12.6g} "
                f"{comparison.measured:>12.6g} {abs(comparison.difference):>9.2g} "
                f"{comparison.budget.tolerance:>9.2g}  {comparison.budget.describe()}  {verdict}"
            )
        if result.error is not None:
            lines.append(f"{result.name:<24} ERROR {result.error}")
    passed = sum(r.passed for r in results)
    lines.append("-" * len(header))
    lines.append(f"{passed}/{len(results)} checks passed")
    return "\n".join(lines)


def results_json(results: Sequence[CheckResult]) -> dict:
    return {
        "passed": all(r.passed for r in results),
        "checks": [r.as_dict() for r in results],
    }
