"""Kaplan-Meier with Greenwood bands, and the Kolmogorov-Smirnov escape-law test, against hand results."""

import math

import numpy as np
import pytest

from theory import InvalidParameter
from verify import kaplan_meier, kolmogorov_smirnov
from verify._statistics import kolmogorov_coefficient


def test_kaplan_meier_by_hand_with_censoring():
    # times 1, 2+, 3, 3, 4+ (+ = censored): S(1) = 4/5, S(3) = 4/5 * (1 - 2/3) = 4/15
    estimate = kaplan_meier(np.array([1, 2, 3, 3, 4.0]), np.array([1, 0, 1, 1, 0], bool))
    assert estimate.times.tolist() == [1, 3]
    assert estimate.survival == pytest.approx([4 / 5, 4 / 15])
    # Greenwood: S^2 sum d / (n (n - d)): 1/(5*4), then + 2/(3*1)
    assert estimate.stderr == pytest.approx([0.8 * math.sqrt(1 / 20), 4 / 15 * math.sqrt(1 / 20 + 2 / 3)])
    assert estimate.at([0.5, 1, 2.5, 10]).tolist() == pytest.approx([1, 0.8, 0.8, 4 / 15])


def test_without_censoring_kaplan_meier_is_the_empirical_survival_with_binomial_variance():
    times = np.random.default_rng(3).exponential(2.0, 500)
    estimate = kaplan_meier(times, np.ones(500, bool))
    empirical = 1 - np.arange(1, 501) / 500
    assert estimate.survival == pytest.approx(empirical, abs=1e-12)
    inside = empirical[:-1]
    assert estimate.stderr[:-1] == pytest.approx(np.sqrt(inside * (1 - inside) / 500), rel=1e-9)
    low, high = estimate.band(2.0)
    assert np.all(low <= estimate.survival) and np.all(high >= estimate.survival)
    assert estimate.hazard[10] == pytest.approx(-math.log(estimate.survival[10]))


def test_kolmogorov_coefficient_is_the_asymptotic_quantile():
    # P(K > c) = 2 sum (-1)^{j-1} e^{-2 j^2 c^2}; at z = 4 the first term alone is exact to 1e-30
    c = kolmogorov_coefficient(4.0)
    tail = 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * c * c) for j in range(1, 10))
    assert tail == pytest.approx(math.erfc(4 / math.sqrt(2)), rel=1e-12)


def test_ks_detects_a_wrong_rate_and_refuses_censored_samples():
    times = np.random.default_rng(4).exponential(1.0, 4000)
    right = kolmogorov_smirnov(times, np.ones(4000, bool), 1.0)
    wrong = kolmogorov_smirnov(times, np.ones(4000, bool), 1.25)  # sup|F - G| = 0.082
    assert right.statistic <= right.critical(4.0) < wrong.statistic
    with pytest.raises(InvalidParameter, match="censored"):
        kolmogorov_smirnov(times, times < 3, 1.0)
