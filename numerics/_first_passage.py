"""Ensembles of first-passage times of 1-D overdamped Langevin dynamics.

Scheme (Euler-Maruyama, friction gamma, temperature T, k_B = 1):

    x_{n+1} = x_n - U'(x_n) / gamma * dt + sqrt(2 T dt / gamma) * xi_n,

xi_n standard normal, keyed by (seed, trajectory, n) (:mod:`numerics._random`),
from x_0 = start until the absorbing set {x >= b} (if b > start) or {x <= b}
(if b < start), b = target.  The exit time of a trajectory absorbed during
step n (the move from x_n to x_{n+1}) is recorded as (n + 1) dt.

Brownian-bridge correction (Gobet 2000, Stoch. Proc. Appl. 87, 167): checking
the boundary only at grid points misses excursions between them and biases
mean exit times by O(sqrt(dt)).  Given both end points on the safe side, the
Brownian bridge between them crossed b with probability

    p_n = exp(-2 (b - x_n)(b - x_{n+1}) / (sigma^2 dt)),   sigma^2 = 2 T / gamma,

and killing the trajectory with that probability restores weak order O(dt).
The uniform of that test is drawn (from its own stream) only when the exponent
is below 40, i.e. when p_n > 4e-18.

Censoring: a trajectory still alive after ``max_steps = floor(max_time / dt)``
steps is reported with ``escaped = False`` and time ``max_steps * dt``; it is
never dropped.  The default cap is ten million steps per trajectory.

Determinism: every random number is a function of (seed, global trajectory
index, step), so the result is bit-identical for any number of threads and any
chunking (``first_trajectory`` is the global index of the first trajectory of a
chunk), and :func:`replay_trajectory` reproduces one trajectory on its own.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import sympy

from theory._errors import CompilationError, InvalidParameter, SimulationError
from theory._parse import as_expression

from . import _random
from ._codegen import build_kernel_module
from ._validate import EnsembleStatistics
from ._validate import finite_real as _finite_real
from ._validate import integer as _integer
from ._validate import positive_real as _positive_real
from ._validate import check_memory, ensemble_bytes, time_cap

__all__ = [
    "DEFAULT_MAXIMUM_STEPS",
    "BRIDGE_EXPONENT_CUTOFF",
    "FirstPassageSample",
    "first_passage_ensemble",
    "replay_trajectory",
]

#: Default time cap, in steps: ``max_time = DEFAULT_MAXIMUM_STEPS * dt``.
DEFAULT_MAXIMUM_STEPS = 10_000_000
#: Above this exponent the bridge crossing probability (< 4.3e-18) is taken as 0.
BRIDGE_EXPONENT_CUTOFF = 40.0

_MAXIMUM_REPLAY_STEPS = 200_000_000

# Outcome codes written by the kernel.
_CENSORED, _ESCAPED, _NOT_FINITE = 0, 1, 2

prange = range  # in the generated module this name is numba.prange


# --- kernel source (compiled by numerics._codegen; see module docstring) -----


def trajectory_outcome(
    trajectory, start, target, dt, inverse_friction, noise_scale, bridge_coefficient, bridge, max_steps, seed,
    positions,
):
    """Run one trajectory; return (outcome, steps taken, final position).

    ``positions`` records x_0, x_1, ... when it has room for ``max_steps + 1``
    values (replay); an empty array records nothing (the ensemble).  One loop
    serves both, so a replay is the ensemble's arithmetic by construction.
    """
    record = positions.shape[0] > 0
    direction = 1.0 if target > start else -1.0
    normal_key = normal_stream_key(seed, trajectory)  # noqa: F821 (generated module)
    uniform_key = uniform_stream_key(seed, trajectory)  # noqa: F821
    drift_factor = inverse_friction * dt
    x = start
    if record:
        positions[0] = x
    distance = direction * (target - start)
    second_normal = 0.0
    step = 0
    while step < max_steps:
        if step % 2 == 0:
            first_normal, second_normal = normal_pair(normal_key, step >> 1)  # noqa: F821
            noise = first_normal
        else:
            noise = second_normal
        x_next = x - gradient(x) * drift_factor + noise_scale * noise  # noqa: F821
        if record:
            positions[step + 1] = x_next
        if not math.isfinite(x_next):
            return 2, step + 1, x_next
        distance_next = direction * (target - x_next)
        if distance_next <= 0.0:
            return 1, step + 1, x_next
        if bridge:
            exponent = bridge_coefficient * distance * distance_next
            if exponent < BRIDGE_EXPONENT_CUTOFF:  # noqa: F821
                if uniform_open(uniform_key, step) < math.exp(-exponent):  # noqa: F821
                    return 1, step + 1, x_next
        x = x_next
        distance = distance_next
        step += 1
    return 0, step, x


def first_passage_kernel(
    first_trajectory,
    start,
    target,
    dt,
    inverse_friction,
    noise_scale,
    bridge_coefficient,
    bridge,
    max_steps,
    seed,
    times,
    outcomes,
    steps_taken,
):
    """Fill times, outcomes and step counts of trajectories first_trajectory + i."""
    no_path = np.empty(0, dtype=np.float64)
    for i in prange(times.shape[0]):
        outcome, steps, _ = trajectory_outcome(
            first_trajectory + i,
            start,
            target,
            dt,
            inverse_friction,
            noise_scale,
            bridge_coefficient,
            bridge,
            max_steps,
            seed,
            no_path,
        )
        outcomes[i] = outcome
        steps_taken[i] = steps
        times[i] = steps * dt


_KERNEL_CONSTANTS = dict(_random.KERNEL_CONSTANTS, BRIDGE_EXPONENT_CUTOFF=repr(BRIDGE_EXPONENT_CUTOFF))


def _kernel_module(gradient: sympy.Expr, variable: sympy.Symbol):
    return build_kernel_module(
        {"gradient": (gradient, (variable,))},
        _random.KERNEL_FUNCTIONS + (trajectory_outcome, first_passage_kernel),
        constants=_KERNEL_CONSTANTS,
        parallel=("first_passage_kernel",),
    )


# --- the result ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class FirstPassageSample(EnsembleStatistics):
    """First-passage times of an ensemble, censored ones included.

    ``times[i]`` is the exit time of trajectory ``first_trajectory + i``, or the
    censoring time ``floor(max_time / dt) * dt`` when ``escaped[i]`` is False.
    ``steps`` is the number of particle-steps simulated, ``wall_seconds`` the
    wall-clock time of the kernel call (compilation excluded).
    """

    times: np.ndarray
    escaped: np.ndarray
    seed: int
    dt: float
    temperature: float
    friction: float
    start: float
    target: float
    max_time: float
    bridge: bool
    first_trajectory: int
    steps: int
    wall_seconds: float
    threads: int


# --- validation -----------------------------------------------------------------


def _validated(gradient, variable, start, target, temperature, dt, friction, seed, max_time):
    if not isinstance(variable, sympy.Symbol):
        raise InvalidParameter(f"variable must be a SymPy Symbol, got {variable!r}.")
    try:
        gradient = as_expression(gradient, (variable,), what="gradient")
    except (sympy.SympifyError, TypeError) as error:
        raise InvalidParameter(f"gradient must be a SymPy expression, got {gradient!r}.") from error
    extra = gradient.free_symbols - {variable}
    if extra:
        names = ", ".join(sorted(map(str, extra)))
        raise InvalidParameter(
            f"gradient has free symbols {names} besides the variable {variable}: substitute numbers first."
        )
    temperature = _positive_real("temperature", temperature)
    dt = _positive_real("dt", dt)
    friction = _positive_real("friction", friction)
    start = _finite_real("start", start)
    target = _finite_real("target", target)
    if start == target:
        raise InvalidParameter(f"start must differ from target: start = target = {start} is already absorbed.")
    seed = _integer("seed", seed, 0, 2**63 - 1)
    max_time, max_steps = time_cap(max_time, dt, DEFAULT_MAXIMUM_STEPS)
    return gradient, start, target, temperature, dt, friction, seed, max_time, max_steps


class _ThreadCount:
    """Set Numba's thread count for the duration of a call, then restore it."""

    def __init__(self, threads):
        import numba

        self._numba = numba
        available = numba.config.NUMBA_NUM_THREADS
        if threads is None:
            self.threads = available
        else:
            self.threads = _integer("threads", threads, 1, available)

    def __enter__(self):
        self._previous = self._numba.get_num_threads()
        self._numba.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc_info):
        self._numba.set_num_threads(self._previous)
        return False


def _call(function, *arguments):
    """Call a compiled kernel, turning Numba's compile errors into CompilationError."""
    from numba.core.errors import NumbaError

    try:
        return function(*arguments)
    except NumbaError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CompilationError(f"the first-passage kernel failed to compile: {first_line}") from error


def _not_finite_error(dt: float, trajectory: int) -> SimulationError:
    return SimulationError(
        f"trajectory {trajectory} reached a non-finite position: the time step dt = {dt} is too large "
        "for the stiffness of the potential, or the potential is unbounded below."
    )


# --- public API ---------------------------------------------------------------------


def first_passage_ensemble(
    gradient,
    variable,
    *,
    start,
    target,
    temperature,
    dt,
    trajectories,
    seed,
    friction=1.0,
    max_time=None,
    bridge=True,
    threads=None,
    first_trajectory=0,
) -> FirstPassageSample:
    """Simulate ``trajectories`` first passages from ``start`` to ``target``.

    ``gradient`` is U'(x) as a SymPy expression in the single Symbol ``variable``,
    every parameter already numeric.  Trajectory i (global index
    ``first_trajectory + i``) uses the noise keyed by ``(seed, first_trajectory + i,
    step)``, so the times are bit-identical for any ``threads`` and any chunking.
    ``max_time`` defaults to ``DEFAULT_MAXIMUM_STEPS * dt``; ``threads=None`` uses
    all of Numba's threads.  Raises :class:`SimulationError` if a position
    becomes NaN or infinite (``dt`` too large).
    """
    gradient, start, target, temperature, dt, friction, seed, max_time, max_steps = _validated(
        gradient, variable, start, target, temperature, dt, friction, seed, max_time
    )
    trajectories = _integer("trajectories", trajectories, 1)
    first_trajectory = _integer("first_trajectory", first_trajectory, 0, 2**63 - 1 - trajectories)
    check_memory("trajectories", trajectories, ensemble_bytes(trajectories, 1))
    bridge = bool(bridge)
    sigma_squared = 2.0 * temperature / friction
    module = _kernel_module(gradient, variable)

    times = np.empty(trajectories, dtype=np.float64)
    outcomes = np.empty(trajectories, dtype=np.int8)
    steps_taken = np.empty(trajectories, dtype=np.int64)
    arguments = (
        first_trajectory,
        start,
        target,
        dt,
        1.0 / friction,
        math.sqrt(sigma_squared * dt),
        2.0 / (sigma_squared * dt),
        bridge,
        max_steps,
        seed,
    )
    with _ThreadCount(threads) as thread_count:
        kernel = module.first_passage_kernel
        if not kernel.signatures:  # compile (or load) outside the timed region: zero steps
            _call(kernel, *arguments[:-2], 0, seed, times[:1], outcomes[:1], steps_taken[:1])
        began = time.perf_counter()
        _call(kernel, *arguments, times, outcomes, steps_taken)
        wall_seconds = time.perf_counter() - began

    not_finite = np.flatnonzero(outcomes == _NOT_FINITE)
    if not_finite.size:
        raise _not_finite_error(dt, first_trajectory + int(not_finite[0]))
    times.setflags(write=False)
    escaped = outcomes == _ESCAPED
    escaped.setflags(write=False)
    return FirstPassageSample(
        times=times,
        escaped=escaped,
        seed=seed,
        dt=dt,
        temperature=temperature,
        friction=friction,
        start=start,
        target=target,
        max_time=max_time,
        bridge=bridge,
        first_trajectory=first_trajectory,
        steps=int(steps_taken.sum()),
        wall_seconds=wall_seconds,
        threads=thread_count.threads,
    )


def replay_trajectory(
    gradient,
    variable,
    *,
    trajectory,
    start,
    target,
    temperature,
    dt,
    seed,
    friction=1.0,
    max_time=None,
    bridge=True,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Replay trajectory ``trajectory`` (a global index) of an ensemble, with its noise.

    Returns ``(times, positions, escaped)`` with ``times[k] = k dt`` and
    ``positions[k] = x_k`` from ``x_0 = start`` up to the absorbing (or last)
    step; ``times[-1]`` equals the ensemble's time of that trajectory exactly.
    The path is held in memory; paths longer than 2e8 steps are refused.
    """
    gradient, start, target, temperature, dt, friction, seed, max_time, max_steps = _validated(
        gradient, variable, start, target, temperature, dt, friction, seed, max_time
    )
    trajectory = _integer("trajectory", trajectory, 0, 2**63 - 1)
    sigma_squared = 2.0 * temperature / friction
    module = _kernel_module(gradient, variable)
    arguments = (
        trajectory,
        start,
        target,
        dt,
        1.0 / friction,
        math.sqrt(sigma_squared * dt),
        2.0 / (sigma_squared * dt),
        bool(bridge),
        max_steps,
        seed,
    )
    # First the length of the path (cheap), then the path itself.
    _, steps, _ = _call(module.trajectory_outcome, *arguments, np.empty(0, dtype=np.float64))
    if steps > _MAXIMUM_REPLAY_STEPS:
        raise InvalidParameter(
            f"trajectory {trajectory} takes {steps} steps, too long a path to hold in memory; lower max_time."
        )
    positions = np.empty(steps + 1, dtype=np.float64)
    outcome, steps, _ = _call(module.trajectory_outcome, *arguments[:-2], steps, seed, positions)
    if outcome == _NOT_FINITE:
        raise _not_finite_error(dt, trajectory)
    times = np.arange(steps + 1, dtype=np.float64) * dt
    return times, positions[: steps + 1].copy(), outcome == _ESCAPED
