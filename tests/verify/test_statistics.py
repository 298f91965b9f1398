"""Estimators against synthetic samples with known laws."""

import math

import numpy as np
import pytest

from theory import InvalidParameter
from verify import exponential_rate, mean_first_passage


def test_censored_exponential_rate_recovers_the_true_rate():
    rng = np.random.default_rng(7)
    rate, cap = 0.3, 4.0
    raw = rng.exponential(1 / rate, size=200_000)
    escaped = raw < cap
    times = np.minimum(raw, cap)
    estimate = exponential_rate(times, escaped)
    assert estimate.count == escaped.sum()
    # budget: 4 standard errors (no bias: the censored MLE is consistent)
    assert abs(estimate.value - rate) < 4 * estimate.stderr


def test_mean_and_standard_error_of_an_uncensored_sample():
    rng = np.random.default_rng(8)
    times = rng.exponential(2.0, size=100_000)
    estimate = mean_first_passage(times, np.ones_like(times, dtype=bool))
    assert estimate.stderr == pytest.approx(2.0 / math.sqrt(times.size), rel=0.02)
    assert abs(estimate.value - 2.0) < 4 * estimate.stderr


def test_a_censored_mean_is_refused_unless_accepted():
    times = np.array([1.0, 2.0, 5.0])
    escaped = np.array([True, True, False])
    with pytest.raises(InvalidParameter, match="censored"):
        mean_first_passage(times, escaped)
    assert mean_first_passage(times, escaped, allow_censored=True).value == 1.5
    with pytest.raises(InvalidParameter, match="no trajectory escaped"):
        exponential_rate(times, np.zeros(3, dtype=bool))
