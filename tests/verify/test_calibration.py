"""Calibration and power of the checks' statistics.

Calibration: over many seeds a correct comparison at coverage factor z must
fail at its declared rate alpha = P(|N(0,1)| > z).  With z = 2 (alpha = 4.55%)
and R repetitions the failure count is Binomial(R, alpha); the test accepts
R alpha +- 4 sqrt(R alpha (1 - alpha)) (false-alarm rate of this test 6e-5).
The samples are synthetic exponential exit times (the escape law in the
Arrhenius regime), fed through the same estimators, Comparison and
ErrorBudget as the checks.

Power: a wrong formula must be caught at the sample sizes of ``--quick``.
The prediction of ``ensemble_vs_exact_mfpt`` (exact MFPT, T = 0.5, N = 20000,
z = 4) multiplied by the factor a wrong derivation would give (prefactor x
1.1, barrier + 5%, the 1/(2k) vs 1/k confusion) must fail, both on a real
Langevin ensemble and on 200 synthetic samples of that size.
"""

import math

import numpy as np
import pytest

from numerics import fokker_planck_mfpt, langevin_first_passage
from theory import EscapeProblem, Potential
from verify import Comparison, ErrorBudget, exponential_rate, kolmogorov_smirnov, mean_first_passage
from verify._statistics import kolmogorov_coefficient

Z = 2.0
ALPHA = math.erfc(Z / math.sqrt(2))
REPETITIONS = 2000


def _within_binomial_budget(failures: int, repetitions: int, rate: float) -> bool:
    expected = repetitions * rate
    return abs(failures - expected) <= 4 * math.sqrt(repetitions * rate * (1 - rate))


def test_mean_exit_time_comparison_fails_at_its_declared_rate():
    mean, size = 7.0, 400
    failures = 0
    for seed in range(REPETITIONS):
        times = np.random.default_rng(seed).exponential(mean, size)
        estimate = mean_first_passage(times, np.ones(size, bool))
        failures += not Comparison("mean", mean, estimate.value, ErrorBudget(z=Z, stderr=estimate.stderr)).passed
    assert _within_binomial_budget(failures, REPETITIONS, ALPHA), (failures, REPETITIONS * ALPHA)


def test_censored_rate_comparison_fails_at_its_declared_rate():
    rate, size, cap = 0.2, 400, 8.0  # P(censored) = e^{-1.6} = 20%
    failures = 0
    for seed in range(REPETITIONS):
        raw = np.random.default_rng(10_000 + seed).exponential(1 / rate, size)
        estimate = exponential_rate(np.minimum(raw, cap), raw < cap)
        failures += not Comparison("rate", rate, estimate.value, ErrorBudget(z=Z, stderr=estimate.stderr)).passed
    assert _within_binomial_budget(failures, REPETITIONS, ALPHA), (failures, REPETITIONS * ALPHA)


def test_kolmogorov_smirnov_comparison_fails_at_most_at_its_declared_rate():
    # c(alpha) is the first term of Kolmogorov's series, an upper bound on the quantile, and finite n
    # makes D_n slightly smaller still: the failure count may fall below R alpha, not above it
    rate, size = 0.5, 400
    coefficient = kolmogorov_coefficient(Z)
    failures = 0
    for seed in range(REPETITIONS):
        times = np.random.default_rng(20_000 + seed).exponential(1 / rate, size)
        test = kolmogorov_smirnov(times, np.ones(size, bool), rate)
        failures += not Comparison("KS", 0.0, test.statistic,
                                   ErrorBudget(z=coefficient, stderr=1 / math.sqrt(size))).passed
    expected = REPETITIONS * ALPHA
    assert failures <= expected + 4 * math.sqrt(expected * (1 - ALPHA)), (failures, expected)
    assert failures >= 0.5 * expected, (failures, expected)  # not vacuous: it does reject at about alpha


def test_a_doubled_tolerance_would_be_caught_by_the_calibration():
    # the calibration test has power: a check with 2z instead of z fails far too rarely
    mean, size = 7.0, 400
    failures = sum(
        not Comparison("mean", mean, e.value, ErrorBudget(z=2 * Z, stderr=e.stderr)).passed
        for e in (mean_first_passage(np.random.default_rng(s).exponential(mean, size), np.ones(size, bool))
                  for s in range(REPETITIONS))
    )
    assert not _within_binomial_budget(failures, REPETITIONS, ALPHA)


QUARTIC = Potential.from_string("(x**2-1)**2")
TEMPERATURE = 0.5
QUICK_TRAJECTORIES = 20_000
QUICK_Z = 4.0
#: Factors by which a wrong derivation would move the predicted MFPT at T = 0.5, dU = 1.
WRONG_FACTORS = {
    "prefactor x 1.1": 1 / 1.1,
    "barrier + 5%": math.exp(0.05 / TEMPERATURE),
    "1/(2k) vs 1/k": 0.5,
}


@pytest.fixture(scope="module")
def exact_mfpt():
    # the FPE backward equation, which fpe_vs_exact_mfpt verifies against quadrature to 1e-6
    return fokker_planck_mfpt(EscapeProblem(QUARTIC, -1.0, 1.0, TEMPERATURE), cells=2000)


@pytest.mark.parametrize("name", sorted(WRONG_FACTORS))
def test_wrong_formulas_are_caught_on_synthetic_quick_size_samples(name, exact_mfpt):
    caught = false_alarms = 0
    for seed in range(200):
        times = np.random.default_rng(30_000 + seed).exponential(exact_mfpt, QUICK_TRAJECTORIES)
        estimate = mean_first_passage(times, np.ones(times.size, bool))
        budget = ErrorBudget(z=QUICK_Z, stderr=estimate.stderr)
        false_alarms += not Comparison("right", exact_mfpt, estimate.value, budget).passed
        caught += not Comparison(name, exact_mfpt * WRONG_FACTORS[name], estimate.value, budget).passed
    assert caught == 200
    assert false_alarms <= 1  # z = 4: expected 200 x 6.3e-5 = 0.013; P(2 or more) = 8e-5


def test_wrong_formulas_are_caught_by_a_quick_size_langevin_ensemble(exact_mfpt):
    dt = 4e-3
    runs = [
        langevin_first_passage(EscapeProblem(QUARTIC, -1.0, 1.0, TEMPERATURE), dt=step,
                               trajectories=QUICK_TRAJECTORIES, seed=seed, max_time=60 * exact_mfpt)
        for step, seed in ((dt, 41), (dt / 2, 42))
    ]
    coarse, fine = (mean_first_passage(run.times, run.escaped) for run in runs)
    budget = ErrorBudget(z=QUICK_Z, stderr=fine.stderr, bias=coarse.value - fine.value)
    assert Comparison("right", exact_mfpt, fine.value, budget).passed
    for name, factor in WRONG_FACTORS.items():
        assert not Comparison(name, exact_mfpt * factor, fine.value, budget).passed, name
