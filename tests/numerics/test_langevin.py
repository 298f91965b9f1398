"""The Langevin engine: determinism, replay, closed forms, schedules, integrators, absorbing sets, errors.

Every statistical assertion is an error budget written out: Z standard errors
plus the discretisation error of the scheme, derived by hand for the chain
actually simulated (stated next to each test), with a fixed seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from numerics import BAOAB, EulerMaruyama, Outcome, StochasticHeun, _random, exact_escape_time
from numerics._langevin import dt_ladder, langevin_first_passage, replay_trajectory
from theory import (
    Ball, Condition, EscapeProblem, HalfSpace, Interval, Potential, absorbing_set_from_condition,
    half_line, symbols,
)
from theory._errors import ForbiddenExpression, InvalidParameter, SimulationError

x, y = sympy.symbols("x y", real=True)
t = symbols.t
Z = 4.0

QUARTIC = Potential.from_string("(x**2-1)**2")
TWO_WELLS = Potential.from_string("(x**2-1)**2 + y**2", variables="x,y")
TWO_WELLS_GRADIENT = list(TWO_WELLS.gradient)
COUPLED_WELLS = Potential.from_string("(x**2-1)**2 + y**2 + x*y/4", variables="x,y")
RAMP = sympy.Piecewise((sympy.Rational(1, 2) * (1 + t), t < 2), (sympy.Rational(3, 2), True))


def quartic(start=-1.0, absorbing=0.0, temperature=0.5, **options) -> EscapeProblem:
    return EscapeProblem(QUARTIC, start, absorbing, temperature, **options)


def landscape(text: str, start, absorbing, temperature=0.5, **options) -> EscapeProblem:
    return EscapeProblem(Potential.from_string(text), start, absorbing, temperature, **options)


def _assert_same_ensemble(lanes, scalar):
    np.testing.assert_array_equal(lanes.times, scalar.times)
    np.testing.assert_array_equal(lanes.escaped, scalar.escaped)
    np.testing.assert_array_equal(lanes.positions, scalar.positions)
    if scalar.velocities is not None:
        np.testing.assert_array_equal(lanes.velocities, scalar.velocities)
    assert lanes.steps == scalar.steps


def test_the_lane_specialisation_is_the_scalar_kernel_bit_for_bit():
    """1-D EM to a half-line runs the generated lane kernel; the scalar kernel is its reference."""
    for start, target in ((-1.0, 0.0), (-0.9, -1.6)):
        for bridge in (True, False):
            options = dict(dt=1e-3, trajectories=100, seed=3, bridge=bridge)
            lanes = langevin_first_passage(quartic(start, target), **options)
            scalar = langevin_first_passage(quartic(start, target), lanes=False, **options)
            _assert_same_ensemble(lanes, scalar)


LANE_CASES = {
    # two dimensions, an oblique half-plane: two normals per step, the bridge on its normal
    "em-2d": (EscapeProblem(TWO_WELLS, (-1.0, 0.0), HalfSpace((0.6, 0.8), 0.1), 0.5), "em"),
    # a coupling x y / 4: grad U has a sum of products, which LLVM's `contract` flag could fuse differently
    # in the scalar loop and in the lanes' vector loop (it did, in the last bit, before the expressions
    # were compiled without it)
    "heun-2d": (EscapeProblem(COUPLED_WELLS, (-1.0, 0.0), HalfSpace((1.0, 1.0), 0.5), 0.5), "heun"),
    # BAOAB in 1-D: the steps' normals start at an odd number (the first draws the velocity)
    "baoab-1d": (quartic(mass=1.0), "baoab"),
    "baoab-2d": (EscapeProblem(COUPLED_WELLS, (-1.0, 0.0), HalfSpace((0.8, 0.6), 0.05), 0.45, mass=0.7), "baoab"),
    # three coordinates: a chunk of 84 steps, and BAOAB's steps start 3 normals into a Philox block
    "baoab-3d": (EscapeProblem(Potential.from_string("(x**2-1)**2 + (y - x**2/2)**2 + z**2 + x*z/3", variables="x,y,z"),
                               (-1.0, 0.5, 0.0), HalfSpace((0.6, 0.0, 0.8), 0.2), 0.5, mass=1.5), "baoab"),
}


# Heun's lanes come from the same generator as EM's and BAOAB's, baoab-2d tests the coupled gradient with
# two normals per step, and 3-D only adds the last offset of a chunk in a block; these cases (compiles of
# about 15 s) run with --run-slow.
SLOW_LANE_CASES = {"heun-2d", "baoab-3d"}


@pytest.mark.parametrize("case", [pytest.param(case, marks=pytest.mark.slow) if case in SLOW_LANE_CASES else case
                                  for case in sorted(LANE_CASES)])
def test_lanes_equal_the_scalar_kernel_for_every_integrator_and_dimension(case):
    """Any half-space at constant T runs in lanes: absorbed, bridge-killed and censored (odd cap) alike."""
    problem, integrator = LANE_CASES[case]
    options = dict(dt=1e-3, trajectories=150, seed=5, integrator=integrator, max_time=2.9995)  # 2999 steps
    lanes = langevin_first_passage(problem, **options)
    assert 0 < lanes.censored < lanes.trajectories
    _assert_same_ensemble(lanes, langevin_first_passage(problem, lanes=False, **options))


def test_groups_of_lanes_are_large_but_leave_no_thread_idle():
    """Work items: two per thread, at least 1024 trajectories unless a thread would get none; never empty."""
    from numerics._langevin import _lane_group_size

    assert _lane_group_size(4000, 1) == 2000  # two items on one thread
    assert _lane_group_size(4000, 2) == 1024  # the minimum: four items
    assert _lane_group_size(1000, 2) == 500  # below the minimum, so that both threads work
    assert _lane_group_size(10**6, 16) == 31250  # two items a thread
    assert _lane_group_size(1, 16) == 1


def test_one_dimensional_runs_split_into_chunks_and_replay_exactly():
    options = dict(dt=1e-3, seed=2024, max_time=5.0)
    whole = langevin_first_passage(quartic(), trajectories=400, threads=1, **options)
    assert 0 < whole.censored < 400
    two = langevin_first_passage(quartic(), trajectories=400, threads=2, **options)
    first = langevin_first_passage(quartic(), trajectories=150, **options)
    second = langevin_first_passage(quartic(), trajectories=250, first_trajectory=150, **options)
    np.testing.assert_array_equal(two.times, whole.times)
    np.testing.assert_array_equal(np.concatenate([first.times, second.times]), whole.times)
    assert first.steps + second.steps == whole.steps == two.steps
    for index in range(0, 400, 40):
        times, path, escaped = replay_trajectory(quartic(), trajectory=index, **options)
        assert times[-1] == whole.times[index] and escaped == whole.escaped[index]
        assert path[0, 0] == -1.0 and np.all(path[:-1, 0] < 0.0)  # alive before the last step


def test_censored_trajectories_are_reported():
    sample = langevin_first_passage(quartic(), dt=1e-3, trajectories=200, seed=2024, max_time=2.0)
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
FORCE, LENGTH = 1.0, 1.0
SIGMA = 1.0  # sqrt(2 T), T = 1/2
MEAN, VARIANCE = LENGTH / FORCE, LENGTH * SIGMA**2 / FORCE**3
SIEGMUND_BETA = 0.5825971579390106


@pytest.fixture(scope="module")
def drift_samples():
    problem = landscape("-x", 0.0, LENGTH)
    options = dict(dt=1e-2, trajectories=100_000, seed=5)
    return (langevin_first_passage(problem, bridge=True, **options),
            langevin_first_passage(problem, bridge=False, **options))


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


def test_two_absorbing_ends_give_the_exit_time_of_an_interval():
    """Free diffusion dx = sqrt(2T) dW from 0 in (-1, 1), T = 1/2: E tau = (x0 - a)(b - x0) / (2T) = 1.

    Budget with the two-sided bridge: Z sample standard errors plus dt (the exit is
    recorded at the end of its step, a bias in [0, dt]; the neglected image terms
    of the two-sided bridge are below exp(-2 (b - a)^2 / (2 T dt)) = e^{-800}).
    Without the bridge each end moves out by Siegmund's beta sigma sqrt(dt): the
    interval (-1.058, 1.058) has E tau = 1.12, far outside the budget.
    """
    problem = landscape("0*x", 0.0, Interval(-1.0, 1.0))
    assert problem.absorbing.bridge_applies and problem.two_sided
    options = dict(dt=1e-2, trajectories=20_000, seed=9)
    bridged = langevin_first_passage(problem, **options)
    plain = langevin_first_passage(problem, bridge=False, **options)
    stderr = bridged.times.std() / math.sqrt(bridged.trajectories)
    assert bridged.bridge and bridged.censored == 0
    assert -Z * stderr <= bridged.times.mean() - 1.0 <= options["dt"] + Z * stderr
    shifted = (1 + SIEGMUND_BETA * SIGMA * math.sqrt(options["dt"])) ** 2
    assert abs(plain.times.mean() - shifted) <= Z * stderr + options["dt"]
    absorbed_at = bridged.positions[bridged.escaped, 0]
    assert np.any(absorbed_at < 0) and np.any(absorbed_at > 0)  # both ends are used


CONFIGURATIONS = {
    "condition-em": dict(absorbing=absorbing_set_from_condition("x > 0 and y < 1", (x, y)), integrator="em"),
    "halfspace-heun": dict(absorbing=absorbing_set_from_condition("x + y > 0.5", (x, y)), integrator="heun"),
    "ball-baoab": dict(absorbing=Ball((1.0, 0.0), 0.3), integrator="baoab", mass=0.5),
    "ball-schedule-em": dict(absorbing=Ball((1.0, 0.0), 0.3), integrator="em", temperature=RAMP),
    "condition-schedule-baoab": dict(absorbing=absorbing_set_from_condition("x > 0", (x, y)), integrator="baoab",
                                     temperature=RAMP),
}


def _two_wells_problem(configuration):
    options = dict(CONFIGURATIONS[configuration])
    integrator = options.pop("integrator")
    if integrator == "baoab":
        options.setdefault("mass", 1.0)
    return EscapeProblem(TWO_WELLS, (-1.0, 0.0), options.pop("absorbing"), options.pop("temperature", 0.5),
                         **options), integrator


def _two_wells(configuration, **overrides):
    problem, integrator = _two_wells_problem(configuration)
    options = dict(dt=2e-3, trajectories=120, seed=17, max_time=6.0, integrator=integrator)
    options.update(overrides)
    return langevin_first_passage(problem, **options)


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_threads_and_chunks_do_not_change_a_single_bit(configuration):
    whole = _two_wells(configuration, threads=1)
    assert 0 < whole.censored < whole.trajectories  # both outcomes exercised
    two = _two_wells(configuration, threads=2)
    first = _two_wells(configuration, trajectories=50, threads=2)
    second = _two_wells(configuration, trajectories=70, first_trajectory=50, threads=1)
    for other in (two, None):
        if other is None:
            times = np.concatenate([first.times, second.times])
            positions = np.concatenate([first.positions, second.positions])
        else:
            times, positions = other.times, other.positions
        np.testing.assert_array_equal(times, whole.times)
        np.testing.assert_array_equal(positions, whole.positions)
    if whole.velocities is not None:
        np.testing.assert_array_equal(np.concatenate([first.velocities, second.velocities]), whole.velocities)


def test_replay_reproduces_the_ensemble():
    sample = _two_wells("condition-schedule-baoab", trajectories=12)
    problem, integrator = _two_wells_problem("condition-schedule-baoab")
    options = dict(dt=2e-3, seed=17, max_time=6.0, integrator=integrator)
    for index in range(12):
        times, path, escaped = replay_trajectory(problem, trajectory=index, **options)
        assert times[-1] == sample.times[index]
        assert escaped == sample.escaped[index]
        np.testing.assert_array_equal(path[-1], sample.positions[index])
        assert np.all(path[:-1, 0] <= 0.0)  # alive before the last step


def test_absorbed_positions_lie_in_the_set():
    ball = _two_wells("ball-schedule-em", max_time=20.0)
    inside = np.hypot(ball.positions[:, 0] - 1.0, ball.positions[:, 1]) <= 0.3
    np.testing.assert_array_equal(inside, ball.escaped)


# --- schedules: the compiled T(t) against the Python definition -------------------------


def test_compiled_schedule_equals_lambdify():
    sample = _two_wells("ball-schedule-em", trajectories=2)
    assert "Piecewise" in sample.temperature
    from numerics._langevin import _kernel_module

    module = _kernel_module(tuple(TWO_WELLS_GRADIENT), (x, y), RAMP, None, EulerMaruyama(), "ball")
    python = sympy.lambdify(t, RAMP, modules="math")
    for time_point in np.linspace(0.0, 5.0, 101):
        assert module.temperature_at(time_point) == pytest.approx(python(time_point), rel=1e-15, abs=0)


def test_scheduled_em_trajectory_equals_a_python_reference():
    """The kernel's path under T(t) against Euler-Maruyama written out in NumPy with lambdify."""
    steps, dt, seed, trajectory = 400, 5e-3, 4, 2
    gradient = sympy.lambdify((x, y), TWO_WELLS_GRADIENT, modules="math")
    temperature = sympy.lambdify(t, RAMP, modules="math")
    noise = _random.normals(seed, trajectory, 2 * steps)
    state = np.array([-1.0, 0.0])
    for n in range(steps):
        scale = math.sqrt(2.0 * temperature(n * dt) * dt)
        state = state - np.array(gradient(*state)) * dt + scale * noise[2 * n : 2 * n + 2]
    problem = EscapeProblem(TWO_WELLS, (-1.0, 0.0), absorbing_set_from_condition("x * y > 100", (x, y)), RAMP)
    _, path, escaped = replay_trajectory(problem, trajectory=trajectory, dt=dt, seed=seed,
                                         max_time=steps * dt + dt / 2)
    assert not escaped and path.shape == (steps + 1, 2)
    # Rounding only: a few ulps per step, amplified at most by the Lipschitz factor of 400 steps.
    np.testing.assert_allclose(path[-1], state, rtol=1e-12, atol=1e-12)


def test_pure_diffusion_under_a_linear_ramp_has_the_closed_form_variance():
    """dx = sqrt(2 T(t)) dW with T = T0 (1 + a t): Var x(t) = 2 T0 (t + a t^2 / 2).

    Euler-Maruyama takes T at the left end of each step, so after n steps of dt
    the variance is exactly 2 T0 dt sum_k (1 + a k dt) = 2 T0 (t + a t (t - dt) / 2):
    a bias of -T0 a t dt, added to the budget.  Standard error of the sample
    variance of N Gaussians: Var sqrt(2 / N).
    """
    T0, a, horizon, dt, n = 0.5, 2.0, 1.0, 1e-2, 40_000
    ramp = T0 * (1 + a * t)
    sample = langevin_first_passage(landscape("0*x", 0.0, 1e3, ramp), dt=dt, trajectories=n, seed=8,
                                    max_time=horizon + dt / 2)
    assert sample.censored == n
    variance = 2 * T0 * (horizon + a * horizon**2 / 2)
    bias = -T0 * a * horizon * dt
    measured = sample.positions[:, 0].var()
    assert abs(measured - variance) <= Z * variance * math.sqrt(2 / n) + abs(bias)
    assert abs(sample.positions[:, 0].mean()) <= Z * math.sqrt(variance / n)
    # The same run with the constant T0 is far away: the schedule was used.
    assert abs(measured - 2 * T0 * horizon) > 10 * variance * math.sqrt(2 / n)


def test_non_positive_temperature_in_the_schedule_is_an_error():
    with pytest.raises(SimulationError, match="not positive"):
        langevin_first_passage(quartic(temperature=sympy.Rational(1, 2) - t), dt=1e-2, trajectories=4, seed=1,
                               max_time=5.0)


# --- integrators: hand-derived stationary laws of the discrete chains -------------------


def _harmonic(integrator, dt, k=1.0, mass=None, trajectories=20_000, horizon=20.0, temperature=0.5):
    problem = landscape(f"{k}*x**2/2", 0.0, 50.0, temperature, mass=mass)
    return langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=21, integrator=integrator,
                                  max_time=horizon)


@pytest.mark.parametrize("integrator", ["em", "heun"])
def test_overdamped_chains_have_their_exact_stationary_variance(integrator):
    """Ornstein-Uhlenbeck, U = x^2/2, T = 1/2, h = k dt = 0.2, s^2 = 2 T dt.

    EM: x' = (1 - h) x + s xi, Var = s^2 / (1 - (1 - h)^2) = (T/k) / (1 - h/2) = 0.5556.
    Heun: x' = (1 - h + h^2/2) x + (1 - h/2) s xi,
          Var = s^2 (1 - h/2)^2 / (1 - (1 - h + h^2/2)^2) = 0.4945 (T/k = 0.5: second order).
    After 100 steps the start's memory is (1 - h)^200 < 1e-19.  Budget: Z Var sqrt(2/N).
    """
    h, temperature, n = 0.2, 0.5, 20_000
    sample = _harmonic(integrator, dt=h, trajectories=n, temperature=temperature)
    noise = 2 * temperature * h
    if integrator == "em":
        exact = noise / (1 - (1 - h) ** 2)
    else:
        exact = noise * (1 - h / 2) ** 2 / (1 - (1 - h + h * h / 2) ** 2)
    measured = sample.positions[:, 0].var()
    assert abs(measured - exact) <= Z * exact * math.sqrt(2 / n)
    if integrator == "heun":  # second order: within 1.2 % of T/k where EM is 11 % off
        assert abs(exact - temperature) < 0.012 * temperature


def test_baoab_samples_the_harmonic_well_with_position_variance_t_over_k_and_velocity_t_over_m():
    """U = k x^2 / 2, k = 2, m = 1/2, gamma = 1, T = 1/2: omega = 2, dt = 0.02.

    BAOAB's position marginal is exact for a harmonic well; its velocity variance
    is T/m (1 - (omega dt)^2 / 4) (Leimkuhler & Matthews 2013), a relative error
    of 4e-4 taken as the declared second-order term.  Equilibration: decay rate
    gamma / 2m = 1, run to t = 20.  Budget: Z Var sqrt(2/N) + declared term.
    """
    k, mass, temperature, dt, n = 2.0, 0.5, 0.5, 0.02, 20_000
    sample = _harmonic("baoab", dt=dt, k=k, mass=mass, trajectories=n, temperature=temperature)
    position, velocity = temperature / k, temperature / mass
    second_order = velocity * (2 * dt) ** 2 / 4
    assert abs(sample.positions[:, 0].var() - position) <= Z * position * math.sqrt(2 / n)
    assert abs(sample.velocities[:, 0].var() - velocity) <= Z * velocity * math.sqrt(2 / n) + second_order
    assert abs(np.mean(sample.positions[:, 0] * sample.velocities[:, 0])) <= Z * math.sqrt(position * velocity / n)


# --- the Brownian bridge: first order against the exact MFPT -----------------------------


def test_bridge_corrected_exit_time_converges_at_first_order():
    """Quartic double well, -1 -> 0, T = 1/2; exact MFPT by quadrature.

    The bias b(dt) = mean - exact is fitted as c dt^p by weighted least squares on
    log |b| (weights from the standard errors).  Budget on p: Z times its standard
    error plus 0.3, the measured effect of the next order in this dt range (the
    local slopes measured with 2e5 trajectories are 1.29 between dt = 0.02 and 0.01
    and 1.07 between 0.01 and 0.005).
    """
    exact = exact_escape_time(quartic()).mfpt
    dts = np.array([0.02, 0.01, 0.005])
    biases, errors = [], []
    for dt in dts:
        sample = langevin_first_passage(quartic(), dt=dt, trajectories=200_000, seed=11)
        assert sample.censored == 0 and sample.bridge
        biases.append(sample.times.mean() - exact)
        errors.append(sample.times.std() / math.sqrt(sample.trajectories))
    biases, errors = np.array(biases), np.array(errors)
    assert np.all(np.abs(biases) > 3 * errors)  # resolved on every rung
    weights = (np.abs(biases) / errors) ** 2
    design = np.column_stack([np.ones_like(dts), np.log(dts)])
    covariance = np.linalg.inv(design.T @ (weights[:, None] * design))
    slope = (covariance @ design.T @ (weights * np.log(np.abs(biases))))[1]
    assert abs(slope - 1.0) <= Z * math.sqrt(covariance[1, 1]) + 0.3, (slope, math.sqrt(covariance[1, 1]))


def test_dt_ladder_estimates_the_bias_of_the_finest_rung():
    """Constant force F = 1 to b = 1, T = 1/2: exact mean L/F = 1 (inverse Gaussian).

    Without the bridge the bias is Siegmund's beta sigma sqrt(dt) (order 1/2), so the
    ladder's estimate of the finest rung's bias must match the measured one within
    the quadrature sum of the standard errors (times Z) plus the O(dt) remainder
    (0.35 dt +- 0.23 dt measured above, taken as dt).  The order comes from the integrator.
    """
    ladder = dt_ladder(landscape("-x", 0.0, 1.0), rungs=2, dt=4e-2, trajectories=100_000, seed=5, bridge=False)
    assert ladder.order == EulerMaruyama().exit_time_bias_order(bridge=False) == 0.5
    true_bias = ladder.means[-1] - 1.0
    allowance = Z * math.hypot(ladder.dt_bias_estimate_stderr, ladder.stderrs[-1]) + ladder.dts[-1]
    assert abs(ladder.dt_bias_estimate - true_bias) <= allowance
    assert abs(ladder.extrapolated_mean - 1.0) <= allowance


# --- bad inputs ---------------------------------------------------------------------------


def test_absorbing_set_containing_the_start_is_refused():
    cases = [
        (QUARTIC, -1.5, half_line(0.0, -1.0)),
        (TWO_WELLS, (-1.0, 0.0), Ball((-1.0, 0.1), 0.5)),
        (TWO_WELLS, (-1.0, 0.0), absorbing_set_from_condition("x < 0 or y > 3", (x, y))),
        (QUARTIC, 2.0, Interval(-1.0, 1.0)),
    ]
    for potential, start, absorbing in cases:
        with pytest.raises(InvalidParameter, match="already contains the start") as error:
            EscapeProblem(potential, start, absorbing, 0.5)
        assert error.value.parameter == "absorbing"


def test_too_large_a_time_step_is_refused_before_running():
    with pytest.raises(InvalidParameter, match=r"dt = 0.2 is too large for stability.*use dt <= 0.125"):
        langevin_first_passage(quartic(), dt=0.2, trajectories=2, seed=0)
    with pytest.raises(InvalidParameter, match=r"sqrt\(max\|U''\| / m\)"):
        langevin_first_passage(quartic(mass=1.0), dt=0.5, trajectories=2, seed=0)
    # the interval is checked on both sides: U'' = 12 x^2 - 4 is 104 at x = 3, 8 at the start
    with pytest.raises(InvalidParameter, match="too large for stability"):
        langevin_first_passage(quartic(start=1.0, absorbing=Interval(0.5, 3.0)), dt=0.05, trajectories=2, seed=0)


def test_nan_escaping_the_kernel_is_a_simulation_error():
    # U' = 1 / (x - 1) is infinite at the start: with error_model="numpy" the first step is
    # infinite, reported as a non-finite state rather than a ZeroDivisionError.
    with pytest.raises(SimulationError, match="non-finite"):
        langevin_first_passage(landscape("log(x - 1)", 1.0, 5.0, 0.1), dt=1e-3, trajectories=1, seed=0, max_time=1.0)
    # U = -x^3/3 is unbounded below in the direction of travel, away from the set (-6, -5).
    away = absorbing_set_from_condition("x < -5 and x > -6", (x,))
    with pytest.raises(SimulationError, match="dt = 0.5"):
        langevin_first_passage(landscape("-x**3/3", 1.0, away, 0.01), dt=0.5, trajectories=4, seed=1)


@pytest.mark.parametrize(
    "problem_options, run_options, parameter",
    [
        (dict(), dict(integrator="rk4"), "integrator"),
        (dict(mass=2.0), dict(integrator="em"), "mass"),
        (dict(), dict(integrator="baoab"), "mass"),
        (dict(mass=1.0), dict(bridge=True), "bridge"),
        (dict(absorbing=Ball((1.0,), 0.2)), dict(bridge=True), "bridge"),
        (dict(start=(-1.0, 0.0)), dict(), "start"),
        (dict(start=float("nan")), dict(), "start"),
        (dict(temperature=0.5 + x), dict(), "temperature"),
        (dict(temperature=-1.0), dict(), "temperature"),
        (dict(temperature=0.0), dict(), "temperature"),
        (dict(temperature=t - 1), dict(), "temperature"),
        (dict(absorbing=Ball((1.0, 0.0), 0.2)), dict(), "absorbing"),
        (dict(absorbing=-1.0), dict(), "absorbing"),
        (dict(friction=0.0), dict(), "friction"),
        (dict(mass=-1.0), dict(), "mass"),
        (dict(), dict(trajectories=0), "trajectories"),
        (dict(), dict(trajectories=2.5), "trajectories"),
        (dict(), dict(dt=0.0), "dt"),
        (dict(), dict(dt=float("nan")), "dt"),
        (dict(), dict(seed=-1), "seed"),
        (dict(), dict(seed=2**63), "seed"),
        (dict(), dict(seed=1.5), "seed"),
        (dict(), dict(max_time=1e-4), "max_time"),
        (dict(), dict(threads=0), "threads"),
        (dict(), dict(threads=10_000), "threads"),
        (dict(), dict(first_trajectory=-1), "first_trajectory"),
    ],
)
def test_bad_inputs_name_the_parameter(problem_options, run_options, parameter):
    options = dict(dt=1e-3, trajectories=2, seed=0)
    options.update(run_options)
    with pytest.raises(InvalidParameter, match=parameter):
        langevin_first_passage(quartic(**problem_options), **options)


def test_symbolic_parameters_must_have_values():
    with pytest.raises(InvalidParameter, match="no value given for the parameters a") as error:
        EscapeProblem(Potential.from_string("a*x**2", parameters={"a": None}), 0.0, 1.0, 0.5)
    assert error.value.parameter == "potential"


def test_integrators_state_their_mathematics():
    em, heun, baoab = EulerMaruyama(), StochasticHeun(), BAOAB()
    assert (em.weak_order, heun.weak_order, baoab.weak_order) == (1.0, 2.0, 2.0)
    assert em.exit_time_bias_order(bridge=True) == heun.exit_time_bias_order(bridge=True) == 1.0
    assert em.exit_time_bias_order(bridge=False) == 0.5 and baoab.exit_time_bias_order(bridge=False) == 1.0
    with pytest.raises(InvalidParameter, match="Brownian-bridge"):
        baoab.exit_time_bias_order(bridge=True)
    assert not em.underdamped and not heun.underdamped and baoab.underdamped
    # Stability on x' = -lambda x: |1 - h| < 1 (EM), |1 - h + h^2/2| < 1 (Heun) hold up to h = 2.
    for h in (1.99, 2.01):
        assert (abs(1 - h) < 1) == (h < em.stability_bound)
        assert (abs(1 - h + h * h / 2) < 1) == (h < heun.stability_bound)
    assert em.accuracy_bound == 1.0
    assert [outcome.name for outcome in Outcome] == ["CENSORED", "ABSORBED", "NOT_FINITE", "BAD_TEMPERATURE"]


def test_the_problem_describes_itself_for_fingerprints():
    problem = EscapeProblem(TWO_WELLS, (-1, 0), absorbing_set_from_condition("x > 0 and y < 1", (x, y)), RAMP,
                            friction=2, mass=0.5)
    described = problem.describe()
    assert described["start"] == [-1.0, 0.0] and described["friction"] == 2.0 and described["mass"] == 0.5
    assert described["absorbing"]["kind"] == "condition" and "Piecewise" in described["temperature"]
    assert problem.schedule == RAMP and problem.constant_temperature is None
    assert problem.describe() != problem.with_temperature(0.5).describe()


def test_linear_conditions_become_half_spaces_with_the_bridge():
    absorbing = absorbing_set_from_condition("2*x - 2*y >= 1", (x, y))
    assert isinstance(absorbing, HalfSpace) and absorbing.bridge_applies
    assert absorbing.normal == pytest.approx((2**-0.5, -(2**-0.5)))
    assert absorbing.offset == pytest.approx(0.5 / 2**0.5)
    assert isinstance(absorbing_set_from_condition("x < -0.5", (x,)), HalfSpace)
    assert isinstance(absorbing_set_from_condition("x*y > 1", (x, y)), Condition)
    assert absorbing_set_from_condition("x < -0.5 or x >= 2", (x,)) == Interval(-0.5, 2.0)
    assert isinstance(absorbing_set_from_condition("x < -0.5 or x < 2", (x,)), Condition)
    with pytest.raises(ForbiddenExpression):
        absorbing_set_from_condition("__import__('os')", (x,))
