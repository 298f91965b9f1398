"""The schedule checks pass, and their budgets are tight enough to catch wrong formulas."""

import math

import mpmath
import pytest

from theory import derivation
from verify import QUICK, Comparison, ErrorBudget, run_checks
from verify._checks_schedules import ASYMPTOTIC_SAFETY, spike_excess_hazard


@pytest.mark.parametrize("name", ["plateau_vs_quadrature", "spike_laplace_vs_quadrature",
                                  "pulse_design_vs_brute_force"])
def test_quick_schedule_checks_pass(name):
    (result,) = run_checks([name], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons if not c.passed]
    for comparison in result.comparisons:
        assert comparison.budget.tolerance > 0


def test_laplace_budget_rejects_a_wrong_correction_sign():
    # lambda = 16, r = 0.8: c_1 = 3 (1 - 2r)/8; flipping its sign must fail the corrected comparison
    barrier, peak = 1, mpmath.mpf(1) * 4 / 5 / 16
    amplitude, width = peak * 4 / 5, mpmath.mpf(3) / 2
    values = dict(nu=1, DeltaU=barrier, T_p=peak, A=amplitude, sigma=width)
    lam, r = barrier * amplitude / peak**2, amplitude / peak
    leading = derivation("gaussian_spike_laplace").evaluate(**values)
    wrong = leading * (1 - 3 * (1 - 2 * r) / (8 * lam))
    with mpmath.workdps(30):
        exact = spike_excess_hazard("gaussian", peak - amplitude, amplitude, width, 1, barrier)
    declared = float(5 * (36 * r**2 - 36 * r + 13) / 128 / lam**2)
    budget = ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * declared)
    assert Comparison("right", 1.0, float(exact / derivation("gaussian_spike_laplace_corrected").evaluate(**values)),
                      budget).passed
    assert not Comparison("sign flipped", 1.0, float(exact / wrong), budget).passed


def test_plateau_budget_rejects_a_baseline_counted_over_the_whole_window():
    values = dict(nu=0.9, DeltaU=1, T_0=0.1, h=0.15, t_s=5, t_d=20, t_e=40)
    right = float(derivation("plateau_hazard").evaluate(**values))
    k0, k1 = 0.9 * math.exp(-10), 0.9 * math.exp(-4)
    assert right == pytest.approx(k0 * 20 + k1 * 20, rel=1e-14)
    wrong = k0 * 40 + k1 * 20  # the baseline also counted during the plateau: a 3e-4 relative error
    assert not Comparison("baseline double-counted", wrong, right, ErrorBudget(quadrature=1e-10 * right)).passed
