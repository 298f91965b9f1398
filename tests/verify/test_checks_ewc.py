"""The EWC and Eyring-Kramers checks pass, and their budgets are tight enough to catch wrong results."""

import dataclasses

import pytest

from verify import QUICK, Comparison, run_checks

CHEAP = ["ewc_reduction_vs_direct_sum", "ewc_canonical_vs_hand", "ewc_series_vs_exact",
         "eyring_kramers_vs_1d_and_hand"]


@pytest.fixture(scope="module")
def ensemble():
    (result,) = run_checks(["ewc_rate_vs_ensemble"], QUICK)
    return result


@pytest.mark.parametrize("name", CHEAP)
def test_quick_checks_pass(name):
    (result,) = run_checks([name], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons if not c.passed]
    assert all(c.budget.tolerance > 0 for c in result.comparisons)


def test_ensemble_check_passes(ensemble):
    assert ensemble.passed, [c.as_dict() for c in ensemble.comparisons if not c.passed]


def wrong(comparison: Comparison, factor: float) -> Comparison:
    return dataclasses.replace(comparison, predicted=comparison.predicted * factor)


def test_series_check_rejects_a_one_percent_error_in_slope_or_curvature():
    (result,) = run_checks(["ewc_series_vs_exact"], QUICK)
    coefficients = [c for c in result.comparisons if "finite differences" in c.case]
    assert len(coefficients) == 4
    for comparison in coefficients:
        assert not wrong(comparison, 1.01).passed, comparison.case


def test_ensemble_check_rejects_a_factor_two_and_a_missing_penalty(ensemble):
    times = [c for c in ensemble.comparisons if "mean exit time" in c.case]
    ratios = [c for c in ensemble.comparisons if "plasticity" in c.case]
    for comparison in times:
        assert not wrong(comparison, 2.0).passed  # 1/(2k) vs 1/k
        assert not wrong(comparison, 0.75).passed
    # without EWC the ratio would be 1; at N = 4 the budget must exclude it
    assert not dataclasses.replace(ratios[-1], predicted=1.0).passed
