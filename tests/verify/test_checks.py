"""The registered checks pass, cover every derivation, and catch wrong formulas."""

import dataclasses

import pytest
import sympy

from numerics import exit_time_statistics
from theory import DERIVATIONS, Potential, kramers_escape, symbols as s
from verify import CHECKS, QUICK, Comparison, ErrorBudget, run_checks


def test_every_derivation_has_a_check():
    covered = {name for check in CHECKS.values() for name in check.derivations}
    assert set(DERIVATIONS) <= covered, f"derivations without a check: {set(DERIVATIONS) - covered}"


@pytest.mark.parametrize("name", ["kramers_vs_exact", "ensemble_vs_exact_mfpt", "exit_statistics_vs_ensemble"])
def test_quick_checks_pass(name):
    (result,) = run_checks([name], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons if not c.passed]
    for comparison in result.comparisons:
        assert comparison.budget.tolerance > 0


def test_budget_is_the_sum_of_its_terms():
    budget = ErrorBudget(z=4, stderr=0.1, bias=-0.05, asymptotic=0.02, quadrature=1e-9)
    assert budget.tolerance == pytest.approx(0.4 + 0.05 + 0.02 + 1e-9)
    assert not Comparison("c", 1.0, 1.5, budget).passed
    assert Comparison("c", 1.0, 1.47, budget).passed


@pytest.mark.parametrize(
    "wrong_factor, description",
    [(1.1, "prefactor x 1.1"), (2.0, "1/(2k) vs 1/k confusion")],
)
def test_asymptotic_check_catches_a_wrong_prefactor(wrong_factor, description):
    # the leading-order comparison at T/dU = 0.025 must reject a rate off by the factor
    potential = Potential.from_string("(x**2-1)**2")
    theory = kramers_escape(potential, -1, 1)
    temperature = 0.025
    exact = exit_time_statistics(potential, -1, 1, temperature).mfpt
    rate = float(theory.rate.expression.subs({s.T: temperature, s.gamma: 1})) * wrong_factor
    budget = ErrorBudget(asymptotic=2 * 3 / 8 * temperature)
    assert not Comparison(description, 1.0, exact * rate, budget).passed


def test_asymptotic_check_catches_a_five_percent_barrier_error():
    potential = Potential.from_string("(x**2-1)**2")
    theory = kramers_escape(potential, -1, 1)
    temperature = 0.05
    exact = exit_time_statistics(potential, -1, 1, temperature).mfpt
    wrong = theory.rate.expression.subs(s.T, s.T / sympy.Rational(105, 100))  # exp(-1.05 dU/T)
    rate = float(wrong.subs({s.T: temperature, s.gamma: 1}))
    budget = ErrorBudget(asymptotic=2 * 3 / 8 * temperature)
    assert not Comparison("barrier + 5%", 1.0, exact * rate, budget).passed


def test_checks_in_two_processes_give_the_serial_numbers_in_the_serial_order():
    """jobs=2 spawns two processes; the comparisons (seeded) and the order of results do not change."""
    names = ["fpe_2d_vs_exact_mfpt", "fpe_vs_exact_mfpt", "skills_compositional_order"]
    seen, lines = [], []
    parallel = run_checks(names, QUICK, progress=lines.append, on_result=lambda r: seen.append(r.name), jobs=2)
    serial = run_checks(names, QUICK)
    assert [r.name for r in parallel] == names and seen == names
    for one, other in zip(parallel, serial):
        assert one.status == other.status == "passed"
        assert [c.as_dict() for c in one.comparisons] == [c.as_dict() for c in other.comparisons]
    assert lines[0] == "3 checks in 2 processes ..." and len(lines) == 4


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_jobs_must_be_a_positive_integer(jobs):
    from theory import InvalidParameter

    with pytest.raises(InvalidParameter, match="jobs must be a positive integer"):
        run_checks(["fpe_vs_exact_mfpt"], QUICK, jobs=jobs)
