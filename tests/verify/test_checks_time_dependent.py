"""Ensembles with T(t) compiled into the kernel agree with the Fokker-Planck equation, and the budget has power."""

import sympy

from theory import EscapeProblem, Potential, parse_schedule
from verify import QUICK, run_checks
from verify._checks_time_dependent import SCHEDULES, Z, _ensemble_survival


def test_quick_check_passes():
    (result,) = run_checks(["ensemble_vs_fpe_under_schedules"], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons]


def test_a_kernel_that_ignored_the_spike_would_be_caught():
    # the spike's survival at the horizon (FPE, measured in the check) is 0.8805; at the baseline T0
    # alone almost nothing escapes, which the check's budget (about 0.01) must reject
    label, baseline, spec, horizon = SCHEDULES[0]
    potential = Potential.from_string("(x**2-1)**2")
    spike = parse_schedule(spec, sympy.Rational(str(baseline))).temperature
    with_spike, stderr = _ensemble_survival(EscapeProblem(potential, -1.0, 1.0, spike), horizon, 4e-3, 4000, 1)
    without, _ = _ensemble_survival(EscapeProblem(potential, -1.0, 1.0, baseline), horizon, 4e-3, 4000, 1)
    assert without - with_spike > 5 * Z * stderr


def test_two_dimensional_quick_check_passes_and_its_budget_would_catch_a_missed_spike():
    from numerics import absorbing_set_from_condition, fokker_planck_2d_survival
    from verify._checks_time_dependent import SPIKE_2D

    (result,) = run_checks(["ensemble_vs_fpe_2d_under_spike"], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons]
    (comparison,) = result.comparisons
    # without the spike (T = T0 throughout) the oracle's survival is far outside the check's tolerance
    potential = Potential.from_string(SPIKE_2D["potential"], variables=["x", "y"])
    absorbing = absorbing_set_from_condition("x >= 0", potential.variables)
    problem = EscapeProblem(potential, SPIKE_2D["start"], absorbing, float(SPIKE_2D["baseline"]))
    baseline = fokker_planck_2d_survival(problem, horizon=SPIKE_2D["horizon"], cells=32, steps=60,
                                         outputs=1).survival[-1]
    assert baseline - comparison.predicted > 3 * comparison.budget.tolerance
