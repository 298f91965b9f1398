"""The first-passage ensemble kernel: determinism, replay, a closed form, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from numerics import FirstPassageSample, first_passage_ensemble, replay_trajectory
from theory._errors import InvalidParameter, SimulationError

x = sympy.Symbol("x", real=True)
DOUBLE_WELL_GRADIENT = 4 * x**3 - 4 * x  # U = (x^2 - 1)^2
DOUBLE_WELL = dict(start=-1.0, target=0.0, temperature=0.5, dt=1e-3, seed=2024)


def _double_well(**overrides) -> FirstPassageSample:
    options = dict(DOUBLE_WELL, trajectories=400)
    options.update(overrides)
    return first_passage_ensemble(DOUBLE_WELL_GRADIENT, x, **options)


def test_threads_do_not_change_a_single_bit():
    one = _double_well(threads=1)
    two = _double_well(threads=2)
    assert one.threads == 1 and two.threads == 2
    np.testing.assert_array_equal(one.times, two.times)
    np.testing.assert_array_equal(one.escaped, two.escaped)
    assert one.steps == two.steps


def test_chunks_concatenate_to_the_whole_run():
    whole = _double_well(trajectories=400)
    first = _double_well(trajectories=150)
    second = _double_well(trajectories=250, first_trajectory=150)
    np.testing.assert_array_equal(np.concatenate([first.times, second.times]), whole.times)
    assert first.steps + second.steps == whole.steps


def test_replay_reproduces_the_ensemble_times_exactly():
    sample = _double_well(trajectories=20, max_time=5.0)  # some censored
    assert 0 < sample.censored < 20
    for index in range(20):
        times, positions, escaped = replay_trajectory(
            DOUBLE_WELL_GRADIENT, x, trajectory=index, max_time=5.0, **DOUBLE_WELL
        )
        assert times[-1] == sample.times[index]
        assert escaped == sample.escaped[index]
        assert positions[0] == DOUBLE_WELL["start"]
        assert np.all(positions[:-1] < DOUBLE_WELL["target"])  # alive before the last step


def test_censored_trajectories_are_reported():
    sample = _double_well(trajectories=200, max_time=2.0)
    cap = math.floor(2.0 / 1e-3) * 1e-3
    assert sample.censored == np.count_nonzero(~sample.escaped) > 0
    np.testing.assert_array_equal(sample.times[~sample.escaped], cap)
    assert np.all(sample.times[sample.escaped] <= cap)
    assert sample.steps == round(float(np.sum(sample.times)) / 1e-3)
    assert sample.steps_per_second > 0


# Constant force F toward the target b (U = -F x, gamma = 1): the exit time from x0
# is inverse Gaussian with mean L / F and variance L sigma^2 / F^3, L = b - x0,
# sigma^2 = 2 T / gamma.  With F = 1, T = 1/2, L = 1 both are 1.
#
# Budget.  Standard errors: mean sqrt(var / N); variance sqrt((mu_4 - var^2) / N) with
# the inverse Gaussian's excess kurtosis 15 (mu_4 = 18 var^2).  With the bridge the
# killed Euler chain is exact in law for constant drift (the bridge between grid
# points does not depend on the drift), and recording the time at the end of the
# absorbing step adds a bias in [0, dt]: measured (0.59 +- 0.22) dt at dt = 1e-2,
# (0.67 +- 0.56) dt at 4e-3 with 2e5 trajectories.  Without the bridge the bias is
# Siegmund's overshoot beta sigma sqrt(dt) / F, beta = -zeta(1/2)/sqrt(2 pi) = 0.5826,
# plus O(dt): measured residual (0.35 +- 0.23) dt at dt = 1e-2.
FORCE, TEMPERATURE, LENGTH = 1.0, 0.5, 1.0
SIGMA = math.sqrt(2 * TEMPERATURE)
MEAN, VARIANCE = LENGTH / FORCE, LENGTH * SIGMA**2 / FORCE**3
SIEGMUND_BETA = 0.5825971579390106
Z = 4.0


@pytest.fixture(scope="module")
def drift_samples():
    options = dict(start=0.0, target=LENGTH, temperature=TEMPERATURE, dt=1e-2, trajectories=100_000, seed=5)
    gradient = sympy.Float(-FORCE) + 0 * x
    return (
        first_passage_ensemble(gradient, x, bridge=True, **options),
        first_passage_ensemble(gradient, x, bridge=False, **options),
    )


def test_constant_drift_matches_inverse_gaussian_with_bridge(drift_samples):
    sample, _ = drift_samples
    n, dt = sample.trajectories, sample.dt
    assert sample.censored == 0
    mean_error = Z * math.sqrt(VARIANCE / n)
    assert -mean_error <= sample.times.mean() - MEAN <= dt + mean_error
    variance_error = Z * math.sqrt(17 * VARIANCE**2 / n)
    assert abs(sample.times.var() - VARIANCE) <= variance_error + dt


def test_without_bridge_the_bias_is_of_order_sqrt_dt(drift_samples):
    bridged, plain = drift_samples
    n, dt = plain.trajectories, plain.dt
    predicted = MEAN + SIEGMUND_BETA * SIGMA * math.sqrt(dt) / FORCE
    assert abs(plain.times.mean() - predicted) <= Z * math.sqrt(VARIANCE / n) + dt
    # The bridge removes that O(sqrt(dt)) bias: far more than the statistical error.
    assert plain.times.mean() - bridged.times.mean() > 10 * math.sqrt(VARIANCE / n)


@pytest.mark.parametrize(
    "overrides, name",
    [
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=-1.0), "temperature"),
        (dict(dt=0.0), "dt"),
        (dict(dt=float("nan")), "dt"),
        (dict(trajectories=0), "trajectories"),
        (dict(trajectories=2.5), "trajectories"),
        (dict(friction=0.0), "friction"),
        (dict(seed=-1), "seed"),
        (dict(seed=2**63), "seed"),
        (dict(seed=1.5), "seed"),
        (dict(start=0.0), "start"),
        (dict(max_time=1e-4), "max_time"),
        (dict(threads=0), "threads"),
        (dict(threads=10_000), "threads"),
        (dict(first_trajectory=-1), "first_trajectory"),
    ],
)
def test_bad_inputs_name_the_parameter(overrides, name):
    with pytest.raises(InvalidParameter, match=name):
        _double_well(**overrides)


def test_free_parameters_in_the_gradient_are_refused():
    a = sympy.Symbol("a")
    with pytest.raises(InvalidParameter, match="free symbols a"):
        first_passage_ensemble(a * x, x, trajectories=4, **DOUBLE_WELL)


def test_divergence_raises_simulation_error_naming_dt():
    # U = x^4 from x = 3 with dt = 0.1: the explicit step overshoots with growing
    # amplitude until the position overflows.
    with pytest.raises(SimulationError, match="dt = 0.1"):
        first_passage_ensemble(4 * x**3, x, start=3.0, target=1e300, temperature=0.1, dt=0.1,
                               trajectories=4, seed=1)
    # U = -x^3/3 is unbounded below in the direction of travel.
    with pytest.raises(SimulationError, match="dt"):
        first_passage_ensemble(-x**2, x, start=1.0, target=-5.0, temperature=0.01, dt=0.5,
                               trajectories=4, seed=1)


def test_division_by_zero_is_a_simulation_error_not_a_crash():
    # U' = 1/(x - 1) at the start x = 1 is 1/0: with error_model="numpy" that is an
    # infinite drift, reported as a non-finite state rather than a ZeroDivisionError.
    with pytest.raises(SimulationError, match="dt"):
        first_passage_ensemble(1 / (x - 1), x, start=1.0, target=5.0, temperature=0.1,
                               dt=1e-3, trajectories=1, seed=0, max_time=1.0)
