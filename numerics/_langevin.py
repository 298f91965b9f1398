r"""Langevin ensembles in d dimensions: first passage to a symbolic absorbing set.

Dynamics (k_B = 1, friction gamma, mass m, temperature T(t) possibly a
function of time):

* overdamped:   dx = -grad U(x) / gamma dt + sqrt(2 T(t) / gamma) dW,
* underdamped:  dx = v dt,   m dv = -grad U(x) dt - gamma v dt + sqrt(2 gamma T(t)) dW.

Integrators (``integrator=``):

``"em"``  Euler-Maruyama, x_{n+1} = x_n - grad U(x_n) dt / gamma + sqrt(2 T_n dt / gamma) xi_n,
          weak order 1 (Kloeden & Platen 1992, ch. 14).
``"heun"`` the explicit order-2.0 weak scheme for additive noise (Kloeden & Platen
          1992, eq. 15.1.5; stochastic Heun): a predictor
          y = x_n + a(x_n) dt + s xi_n and the corrector
          x_{n+1} = x_n + (a(x_n) + a(y)) dt / 2 + s xi_n with the same xi_n,
          a = -grad U / gamma, s = sqrt(2 T_n dt / gamma).  Weak order 2 for
          constant T away from the boundary; the first-passage time is limited
          to order 1 by the boundary (with the bridge) as for EM.
``"baoab"`` Leimkuhler & Matthews (2013) splitting of underdamped Langevin:
          B (half kick v -= grad U dt / 2m), A (half drift x += v dt / 2),
          O (exact Ornstein-Uhlenbeck v <- c v + sqrt((1 - c^2) T / m) xi,
          c = exp(-gamma dt / m)), A, B.  One gradient per step (the force is
          carried over).  Its configurational distribution is second order
          (exact for a harmonic well); the initial velocity is drawn from
          Maxwell-Boltzmann at T(0).

T_n = T(n dt): the temperature schedule, a SymPy expression in
``theory.symbols.t`` (``Piecewise`` allowed), is compiled into the kernel as a
scalar function; there is no Python callback per step.  A non-positive T_n
stops the run with an error.

Absorption, the Brownian-bridge correction for flat boundaries and the three
kinds of absorbing set are described in :mod:`numerics._absorbing`.  The
trajectory absorbed during step n (the move to x_{n+1}) has exit time (n + 1) dt;
one still alive after ``max_steps = floor(max_time / dt)`` steps is censored
(``escaped = False``, time ``max_steps dt``) and counted, never dropped.  The
final state of every trajectory is returned, so that a run in which nothing is
absorbed samples the distribution at time ``max_steps dt``.

Noise.  The normal of coordinate k at step n is number ``n d + k`` of the
trajectory's stream in :mod:`numerics._random` (BAOAB: ``(n + 1) d + k``, the
first d draw the initial velocity); the bridge uniform of step n is number n of
the uniform stream.  In one dimension with EM and a half-line this is exactly
the noise and arithmetic of :func:`numerics.first_passage_ensemble`, and the
results agree with it bit for bit (a test holds that).  Every random number is
a function of (seed, global trajectory index, counter): results are identical
for any thread count and chunking.

Stability.  The explicit schemes diverge when dt exceeds 2 / lambda (lambda the
largest |eigenvalue| of the Hessian of U / gamma, overdamped) or 2 / omega
(omega = sqrt(lambda_U / m), BAOAB).  Before running, the Hessian is evaluated
on the segment from the start to the nearest point of the absorbing set, and a
dt with dt * lambda > 1 (half the stability limit, where the scheme is still
stable but no longer accurate) is refused with an :class:`InvalidParameter`.
A NaN or infinity that escapes the kernel anyway is a :class:`SimulationError`.

Richardson extrapolation over a dt ladder (:func:`dt_ladder`): the mean exit
time at dt, dt/2, ..., dt/2^(K-1); with a bias c h^p of known order p the bias
of the finest rung is estimated by (m_{K-2} - m_{K-1}) / (2^p - 1) and the
extrapolated mean is m_{K-1} minus that estimate.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import time
from collections.abc import Sequence

import numpy as np
import sympy

from theory._errors import InvalidParameter, SimulationError
from theory._parse import as_expression
from theory._symbols import t as time_symbol

from . import _random
from ._absorbing import AbsorbingSet, Condition
from ._codegen import build_kernel_module
from ._first_passage import (
    BRIDGE_EXPONENT_CUTOFF, DEFAULT_MAXIMUM_STEPS, _call, _ThreadCount,
)
from ._validate import EnsembleStatistics, check_memory, ensemble_bytes
from ._validate import finite_real as _finite_real
from ._validate import integer as _integer
from ._validate import positive_real as _positive_real
from ._validate import time_cap

__all__ = [
    "INTEGRATORS",
    "STABILITY_BOUND",
    "LangevinSample",
    "DtLadder",
    "langevin_first_passage",
    "dt_ladder",
    "stability_number",
]

#: The integrators and whether they are underdamped.
INTEGRATORS = {"em": False, "heun": False, "baoab": True}
#: dt * lambda above this is refused (the explicit schemes are stable below 2).
STABILITY_BOUND = 1.0
#: Points on the start-to-boundary segment where the Hessian is evaluated.
_STABILITY_POINTS = 65
_MAXIMUM_REPLAY_STEPS = 200_000_000

_CENSORED, _ESCAPED, _NOT_FINITE, _BAD_TEMPERATURE = 0, 1, 2, 3


# --- kernel source generation ---------------------------------------------------------


def _joined(parts: Sequence[str]) -> str:
    return ", ".join(parts)


def _trajectory_source(dimension: int, integrator: str, kind: str, schedule: bool, record: bool) -> str:
    """Source of the one-trajectory kernel for one configuration.

    The coordinates are unrolled into scalar locals ``x_0 ... x_{d-1}`` so that
    the generated loop has no array traffic.  ``record`` adds a ``path``
    argument receiving x_0, x_1, ... (the replay kernel).
    """
    d = dimension
    underdamped = INTEGRATORS[integrator]
    xs = [f"x_{k}" for k in range(d)]
    ys = [f"y_{k}" for k in range(d)]
    name = "replay_trajectory_kernel" if record else "trajectory_outcome"
    extra = ", path" if record else ""
    lines = [
        f"def {name}(trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,",
        f"        bridge_coefficient, bridge, max_steps, seed, state{extra}):",
        "    normal_key = normal_stream_key(seed, trajectory)",
        "    uniform_key = uniform_stream_key(seed, trajectory)",
        "    drift_factor = inverse_friction * dt",
        "    noise_index = 0",
        "    block_first = 0",
        "    cosines = np.empty(NORMAL_BLOCK)",
        "    sines = np.empty(NORMAL_BLOCK)",
        "    fill_normal_block(normal_key, 0, cosines, sines)",
        "    step = 0",
    ]
    lines += [f"    x_{k} = start[{k}]" for k in range(d)]
    if record:
        lines += [f"    path[0, {k}] = x_{k}" for k in range(d)]

    def temperature_block(indent: str, when: str) -> list[str]:
        if not schedule:
            return []
        block = [
            f"{indent}temperature = temperature_at({when})",
            f"{indent}if not temperature > 0.0:",
            f"{indent}    return 3, step",
        ]
        if underdamped:
            block.append(f"{indent}noise_scale = math.sqrt((1.0 - friction_decay * friction_decay) * temperature * inverse_mass)")
        else:
            block += [
                f"{indent}noise_scale = math.sqrt(2.0 * temperature * inverse_friction * dt)",
                f"{indent}bridge_coefficient = 1.0 / (temperature * inverse_friction * dt)",
            ]
        return block

    def normals(indent: str, names: Sequence[str]) -> list[str]:
        # Normal number n is half n % 2 of pair n // 2, read from a block of
        # NORMAL_BLOCK pairs drawn at once by the vectorised fill_normal_block.
        block = []
        for name_k in names:
            block += [
                f"{indent}slot = (noise_index >> 1) - block_first",
                f"{indent}if slot >= NORMAL_BLOCK:",
                f"{indent}    block_first += NORMAL_BLOCK",
                f"{indent}    slot -= NORMAL_BLOCK",
                f"{indent}    fill_normal_block(normal_key, block_first, cosines, sines)",
                f"{indent}{name_k} = cosines[slot] if noise_index & 1 == 0 else sines[slot]",
                f"{indent}noise_index += 1",
            ]
        return block

    def distance(indent: str, target: str, coordinates: Sequence[str]) -> list[str]:
        projection = " + ".join(f"geometry[{k}] * {c}" for k, c in enumerate(coordinates))
        return [f"{indent}{target} = geometry[{d}] - ({projection})"]

    def absorbed_test(indent: str, coordinates: Sequence[str]) -> list[str]:
        if kind == "half_space":
            return distance(indent, "distance_next", coordinates) + [f"{indent}if distance_next <= 0.0:"]
        if kind == "ball":
            radius = " + ".join(f"({c} - geometry[{k}]) * ({c} - geometry[{k}])" for k, c in enumerate(coordinates))
            return [f"{indent}if {radius} <= geometry[{d}]:"]
        return [f"{indent}if absorbed({_joined(coordinates)}) > 0.5:"]

    if kind == "half_space":
        lines += distance("    ", "distance", xs)
    if underdamped:
        lines += ["    friction_decay = math.exp(-dt * inverse_mass / inverse_friction)"]
        lines += ["    half_dt = 0.5 * dt", "    half_kick = 0.5 * dt * inverse_mass"]
        lines += temperature_block("    ", "0.0")
        if schedule:
            lines.append("    thermal_velocity = math.sqrt(temperature * inverse_mass)")
        else:
            lines.append("    thermal_velocity = noise_scale / math.sqrt(1.0 - friction_decay * friction_decay)")
        lines += normals("    ", [f"v_{k}" for k in range(d)])
        lines += [f"    v_{k} = thermal_velocity * v_{k}" for k in range(d)]
        lines += [f"    f_{k} = -gradient_{k}({_joined(xs)})" for k in range(d)]
    else:
        lines += ["    z_0 = 0.0"]
    lines += ["    while step < max_steps:"]
    ind = "        "
    lines += temperature_block(ind, "step * dt")
    if integrator == "em":
        lines += normals(ind, [f"z_{k}" for k in range(d)])
        lines += [f"{ind}y_{k} = x_{k} - gradient_{k}({_joined(xs)}) * drift_factor + noise_scale * z_{k}" for k in range(d)]
    elif integrator == "heun":
        lines += normals(ind, [f"z_{k}" for k in range(d)])
        lines += [f"{ind}g_{k} = gradient_{k}({_joined(xs)})" for k in range(d)]
        lines += [f"{ind}p_{k} = x_{k} - g_{k} * drift_factor + noise_scale * z_{k}" for k in range(d)]
        ps = [f"p_{k}" for k in range(d)]
        lines += [f"{ind}h_{k} = gradient_{k}({_joined(ps)})" for k in range(d)]
        lines += [f"{ind}y_{k} = x_{k} - 0.5 * (g_{k} + h_{k}) * drift_factor + noise_scale * z_{k}" for k in range(d)]
    else:  # baoab
        lines += [f"{ind}v_{k} = v_{k} + half_kick * f_{k}" for k in range(d)]
        lines += [f"{ind}y_{k} = x_{k} + half_dt * v_{k}" for k in range(d)]
        lines += normals(ind, [f"z_{k}" for k in range(d)])
        lines += [f"{ind}v_{k} = friction_decay * v_{k} + noise_scale * z_{k}" for k in range(d)]
        lines += [f"{ind}y_{k} = y_{k} + half_dt * v_{k}" for k in range(d)]
        lines += [f"{ind}f_{k} = -gradient_{k}({_joined(ys)})" for k in range(d)]
        lines += [f"{ind}v_{k} = v_{k} + half_kick * f_{k}" for k in range(d)]
    if record:
        lines += [f"{ind}path[step + 1, {k}] = y_{k}" for k in range(d)]
    finite = " and ".join(f"math.isfinite(y_{k})" for k in range(d))
    if underdamped:
        finite += " and " + " and ".join(f"math.isfinite(v_{k})" for k in range(d))
    store = [f"{ind}    state[{k}] = y_{k}" for k in range(d)]
    if underdamped:
        store += [f"{ind}    state[{d + k}] = v_{k}" for k in range(d)]
    lines += [f"{ind}if not ({finite}):"] + store + [f"{ind}    return 2, step + 1"]
    lines += absorbed_test(ind, ys) + store + [f"{ind}    return 1, step + 1"]
    if kind == "half_space" and not underdamped:
        lines += [
            f"{ind}if bridge:",
            f"{ind}    exponent = bridge_coefficient * distance * distance_next",
            f"{ind}    if exponent < BRIDGE_EXPONENT_CUTOFF:",
            f"{ind}        if uniform_open(uniform_key, step) < math.exp(-exponent):",
        ]
        lines += [f"        {line}" for line in store] + [f"{ind}            return 1, step + 1"]
        lines += [f"{ind}distance = distance_next"]
    lines += [f"{ind}x_{k} = y_{k}" for k in range(d)]
    lines += [f"{ind}step += 1"]
    lines += [f"    state[{k}] = x_{k}" for k in range(d)]
    if underdamped:
        lines += [f"    state[{d + k}] = v_{k}" for k in range(d)]
    lines += ["    return 0, step"]
    return "\n".join(lines) + "\n"


_ENSEMBLE_SOURCE = '''def ensemble_kernel(first_trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,
                    bridge_coefficient, bridge, max_steps, seed, times, outcomes, steps_taken, states):
    for i in prange(times.shape[0]):
        outcome, steps = trajectory_outcome(
            first_trajectory + i, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,
            bridge_coefficient, bridge, max_steps, seed, states[i]
        )
        outcomes[i] = outcome
        steps_taken[i] = steps
        times[i] = steps * dt
'''

# --- the one-dimensional Euler-Maruyama kernel in lanes ------------------------------------
#
# The case every check and the benchmark run (1-D, EM, a half-line, constant T)
# is the throughput bottleneck.  Once the noise is drawn in vectorised blocks,
# one trajectory is a chain of dependent floating-point operations whose
# latency bounds a scalar loop.  The lane kernel advances LANES trajectories at
# once, unrolled into scalar locals, two steps (one Box-Muller pair) per
# iteration, so that the out-of-order core overlaps their chains.  A lane whose
# two steps come near the boundary (bridge exponent below the cut-off), cross
# it, become non-finite or reach the time cap is flagged, and only those lanes
# are redone by ``lane_two_steps``, which is the arithmetic of the scalar
# kernel, step for step.  A finished lane takes the next trajectory of its
# group.  Each trajectory's numbers depend only on its own noise, not on its
# lane, group or thread, and both paths perform the same IEEE operations in the
# same order (no contraction into FMAs), so the result equals the scalar
# kernel's bit for bit (a test compares them).

#: Trajectories advanced together, and trajectories per parallel work item.
LANES = 4
LANE_GROUP = 64


def _lane_group_source(lanes: int) -> str:
    """Source of ``lane_group``: ``lanes`` trajectories unrolled into scalar locals.

    Scalar locals rather than lane arrays: the lanes' dependency chains are then
    independent instructions that the out-of-order core (and LLVM's SLP
    vectoriser) overlaps, with no memory traffic.
    """
    L = range(lanes)
    out = [
        "def lane_group(begin, end, first_trajectory, start, geometry, dt, inverse_friction, noise_scale,",
        "               bridge_coefficient, bridge, max_steps, seed, times, outcomes, steps_taken, states):",
        "    normal = geometry[0]",
        "    offset = geometry[1]",
        "    drift_factor = inverse_friction * dt",
        "    start_x = start[0]",
        "    start_distance = offset - (normal * start_x)",
        "    cutoff = BRIDGE_EXPONENT_CUTOFF if bridge else -1.0",
        "    last_pair = (max_steps - 2) // 2",
        "    upcoming = begin",
        "    active = 0",
    ]
    for k in L:
        out += [
            f"    x_{k} = start_x",
            f"    distance_{k} = start_distance",
            f"    pair_{k} = 0",
            f"    owner_{k} = -1",
            f"    normal_key_{k} = np.uint64(0)",
            f"    uniform_key_{k} = np.uint64(0)",
            f"    cosines_{k} = np.empty(NORMAL_BLOCK)",
            f"    sines_{k} = np.empty(NORMAL_BLOCK)",
            f"    block_first_{k} = 0",
            "    if upcoming < end:",
            f"        owner_{k} = upcoming",
            f"        normal_key_{k} = normal_stream_key(seed, first_trajectory + upcoming)",
            f"        uniform_key_{k} = uniform_stream_key(seed, first_trajectory + upcoming)",
            f"        fill_normal_block(normal_key_{k}, 0, cosines_{k}, sines_{k})",
            "        upcoming += 1",
            "        active += 1",
        ]
    out.append("    while active > 0:")
    i = "        "
    for k in L:
        out += [
            f"{i}slot_{k} = pair_{k} - block_first_{k}",
            f"{i}if slot_{k} >= NORMAL_BLOCK:",
            f"{i}    block_first_{k} += NORMAL_BLOCK",
            f"{i}    slot_{k} -= NORMAL_BLOCK",
            f"{i}    fill_normal_block(normal_key_{k}, block_first_{k}, cosines_{k}, sines_{k})",
            f"{i}a_{k} = x_{k} - gradient_0(x_{k}) * drift_factor + noise_scale * cosines_{k}[slot_{k}]",
            f"{i}da_{k} = offset - (normal * a_{k})",
            f"{i}b_{k} = a_{k} - gradient_0(a_{k}) * drift_factor + noise_scale * sines_{k}[slot_{k}]",
            f"{i}db_{k} = offset - (normal * b_{k})",
            f"{i}quiet_{k} = ((da_{k} > 0.0) & (da_{k} < math.inf) & (db_{k} > 0.0) & (db_{k} < math.inf)"
            f" & (bridge_coefficient * distance_{k} * da_{k} >= cutoff) & (bridge_coefficient * da_{k} * db_{k} >= cutoff)"
            f" & (pair_{k} <= last_pair))",
        ]
    out.append(f"{i}if {' & '.join(f'quiet_{k}' for k in L)}:")
    for k in L:
        out += [f"{i}    x_{k} = b_{k}", f"{i}    distance_{k} = db_{k}", f"{i}    pair_{k} += 1"]
    out.append(f"{i}    continue")
    for k in L:
        out += [
            f"{i}if quiet_{k}:",
            f"{i}    x_{k} = b_{k}",
            f"{i}    distance_{k} = db_{k}",
            f"{i}    pair_{k} += 1",
            f"{i}elif owner_{k} < 0:",
            f"{i}    x_{k} = start_x",
            f"{i}    distance_{k} = start_distance",
            f"{i}    pair_{k} = 0",
            f"{i}    block_first_{k} = 0",
            f"{i}else:",
            f"{i}    status, x_new, distance_new, step = lane_two_steps(x_{k}, distance_{k}, normal_key_{k},"
            f" uniform_key_{k}, pair_{k}, normal, offset, drift_factor, noise_scale, bridge_coefficient, bridge,"
            " max_steps)",
            f"{i}    if status == 4:",
            f"{i}        x_{k} = x_new",
            f"{i}        distance_{k} = distance_new",
            f"{i}        pair_{k} += 1",
            f"{i}    else:",
            f"{i}        outcomes[owner_{k}] = status",
            f"{i}        steps_taken[owner_{k}] = step",
            f"{i}        times[owner_{k}] = step * dt",
            f"{i}        states[owner_{k}, 0] = x_new",
            f"{i}        x_{k} = start_x",
            f"{i}        distance_{k} = start_distance",
            f"{i}        pair_{k} = 0",
            f"{i}        block_first_{k} = 0",
            f"{i}        if upcoming < end:",
            f"{i}            owner_{k} = upcoming",
            f"{i}            normal_key_{k} = normal_stream_key(seed, first_trajectory + upcoming)",
            f"{i}            uniform_key_{k} = uniform_stream_key(seed, first_trajectory + upcoming)",
            f"{i}            fill_normal_block(normal_key_{k}, 0, cosines_{k}, sines_{k})",
            f"{i}            upcoming += 1",
            f"{i}        else:",
            f"{i}            owner_{k} = -1",
            f"{i}            active -= 1",
        ]
    return "\n".join(out) + "\n"


_LANE_SOURCES = (
    '''def lane_two_steps(x, distance, normal_key, uniform_key, pair, normal, offset, drift_factor, noise_scale,
                   bridge_coefficient, bridge, max_steps):
    first_normal, second_normal = normal_pair(normal_key, pair)
    step = 2 * pair
    for half in range(2):
        if step >= max_steps:
            return 0, x, distance, step
        noise = first_normal if half == 0 else second_normal
        x_next = x - gradient_0(x) * drift_factor + noise_scale * noise
        if not math.isfinite(x_next):
            return 2, x_next, distance, step + 1
        distance_next = offset - (normal * x_next)
        if distance_next <= 0.0:
            return 1, x_next, distance_next, step + 1
        if bridge:
            exponent = bridge_coefficient * distance * distance_next
            if exponent < BRIDGE_EXPONENT_CUTOFF:
                if uniform_open(uniform_key, step) < math.exp(-exponent):
                    return 1, x_next, distance_next, step + 1
        x = x_next
        distance = distance_next
        step += 1
    if step >= max_steps:
        return 0, x, distance, step
    return 4, x, distance, step
''',
    _lane_group_source(LANES),
    '''def ensemble_kernel(first_trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,
                    bridge_coefficient, bridge, max_steps, seed, times, outcomes, steps_taken, states):
    count = times.shape[0]
    groups = (count + LANE_GROUP - 1) // LANE_GROUP
    for group in prange(groups):
        lane_group(group * LANE_GROUP, min(count, (group + 1) * LANE_GROUP), first_trajectory, start, geometry,
                   dt, inverse_friction, noise_scale, bridge_coefficient, bridge, max_steps, seed, times, outcomes,
                   steps_taken, states)
''',
)

#: Box-Muller pairs drawn at once (at most this many are drawn and not used per trajectory).
NORMAL_BLOCK = 64

_KERNEL_CONSTANTS = dict(
    _random.KERNEL_CONSTANTS, BRIDGE_EXPONENT_CUTOFF=repr(BRIDGE_EXPONENT_CUTOFF), NORMAL_BLOCK=repr(NORMAL_BLOCK),
    LANES=repr(LANES), LANE_GROUP=repr(LANE_GROUP),
)
_KERNEL_CONSTANTS.update(LANES=repr(LANES), LANE_GROUP=repr(LANE_GROUP))


@functools.lru_cache(maxsize=64)
def _kernel_module(gradient, variables, temperature, absorbing_condition, integrator, kind, lanes=True):
    """The generated module for one potential, schedule, absorbing kind and integrator.

    The 1-D Euler-Maruyama half-line problem at constant temperature gets the lane
    kernel as its ``ensemble_kernel`` (unless ``lanes=False``); everything else the
    scalar one.
    """
    dimension = len(variables)
    schedule = temperature is not None
    expressions = {f"gradient_{k}": (gradient[k], variables) for k in range(dimension)}
    if schedule:
        expressions["temperature_at"] = (temperature, (time_symbol,))
    if absorbing_condition is not None:
        # Numba has no float(bool): the indicator of the set as a Piecewise.
        indicator = sympy.Piecewise((sympy.Integer(1), absorbing_condition), (sympy.Integer(0), True))
        expressions["absorbed"] = (indicator, variables)
    use_lanes = lanes and dimension == 1 and integrator == "em" and kind == "half_space" and not schedule
    functions = _random.KERNEL_FUNCTIONS + (
        _trajectory_source(dimension, integrator, kind, schedule, record=False),
        _trajectory_source(dimension, integrator, kind, schedule, record=True),
        *(_LANE_SOURCES if use_lanes else (_ENSEMBLE_SOURCE,)),
    )
    return build_kernel_module(
        expressions, functions, constants=_KERNEL_CONSTANTS, parallel=("ensemble_kernel",)
    )


# --- results -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class LangevinSample(EnsembleStatistics):
    """First-passage times of an ensemble, censored ones included, and final states.

    ``times[i]`` is the exit time of trajectory ``first_trajectory + i`` or the
    censoring time when ``escaped[i]`` is False.  ``positions[i]`` is its state
    at that time (the first point inside the absorbing set, or the state at the
    cap); ``velocities`` likewise for BAOAB, else None.  ``temperature`` is the
    schedule as text (a number for a constant temperature).
    """

    times: np.ndarray
    escaped: np.ndarray
    positions: np.ndarray
    velocities: np.ndarray | None
    seed: int
    dt: float
    temperature: str
    friction: float
    mass: float | None
    integrator: str
    absorbing: AbsorbingSet
    bridge: bool
    max_time: float
    first_trajectory: int
    steps: int
    wall_seconds: float
    threads: int


# --- validation ----------------------------------------------------------------------------


def _gradient_tuple(gradient, variables) -> tuple[tuple[sympy.Expr, ...], tuple[sympy.Symbol, ...]]:
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    variables = tuple(variables)
    if not variables or not all(isinstance(v, sympy.Symbol) for v in variables):
        raise InvalidParameter(f"variables must be SymPy Symbols, got {variables!r}.")
    if len(set(variables)) != len(variables):
        raise InvalidParameter(f"variables must be distinct, got {variables!r}.")
    if isinstance(gradient, (sympy.Expr, numbers.Real, str)) or not isinstance(gradient, Sequence):
        gradient = (gradient,)
    try:
        gradient = tuple(as_expression(g, variables, what="gradient") for g in gradient)
    except (sympy.SympifyError, TypeError) as error:
        raise InvalidParameter(f"gradient must be SymPy expressions, got {gradient!r}.") from error
    if len(gradient) != len(variables):
        raise InvalidParameter(f"gradient has {len(gradient)} components for {len(variables)} variables.")
    for component in gradient:
        extra = component.free_symbols - set(variables)
        if extra:
            raise InvalidParameter(
                f"gradient has free symbols {', '.join(sorted(map(str, extra)))} besides the variables "
                f"{[str(v) for v in variables]}: substitute numbers first."
            )
    return gradient, variables


def _temperature(temperature) -> tuple[float | None, sympy.Expr | None, str]:
    """(constant value or None, schedule expression or None, text)."""
    if isinstance(temperature, numbers.Real) and not isinstance(temperature, bool):
        value = _positive_real("temperature", temperature)
        return value, None, repr(value)
    try:
        expression = as_expression(temperature, {"t": time_symbol}, what="temperature")
    except (sympy.SympifyError, TypeError) as error:
        raise InvalidParameter(f"temperature must be a number or a SymPy expression in t, got {temperature!r}.") from error
    extra = expression.free_symbols - {time_symbol}
    if extra:
        raise InvalidParameter(
            f"temperature schedule has free symbols {sorted(map(str, extra))}; only the time t "
            "(theory.symbols.t) may remain."
        )
    if not expression.free_symbols:
        if not expression.is_real:
            raise InvalidParameter(f"temperature must be a positive real number, got {temperature!r}.")
        return _positive_real("temperature", float(expression)), None, str(expression)
    return None, expression, str(expression)


def _hessian_function(gradient, variables):
    hessian = sympy.Matrix([[sympy.diff(g, v) for v in variables] for g in gradient])
    return sympy.lambdify(variables, hessian, modules="numpy")


def stability_number(gradient, variables, start, end, dt, friction=1.0, mass=None) -> float:
    """max over the segment [start, end] of dt * lambda (see the module docstring).

    lambda = rho(Hess U) / gamma overdamped, sqrt(rho(Hess U) / m) underdamped, with
    rho the largest absolute eigenvalue of the Hessian.
    """
    gradient, variables = _gradient_tuple(gradient, variables)
    hessian = _hessian_function(gradient, variables)
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    largest = 0.0
    with np.errstate(all="ignore"):
        for s in np.linspace(0.0, 1.0, _STABILITY_POINTS):
            point = start + s * (end - start)
            matrix = np.asarray(hessian(*point), dtype=float).reshape(len(variables), len(variables))
            if not np.all(np.isfinite(matrix)):
                continue
            largest = max(largest, float(np.max(np.abs(np.linalg.eigvalsh(0.5 * (matrix + matrix.T))))))
    if mass is None:
        return dt * largest / friction
    return dt * math.sqrt(largest / mass)


@dataclasses.dataclass(frozen=True)
class _Prepared:
    gradient: tuple
    variables: tuple
    start: np.ndarray
    absorbing: AbsorbingSet
    constant_temperature: float | None
    schedule: sympy.Expr | None
    temperature_text: str
    dt: float
    friction: float
    mass: float | None
    integrator: str
    bridge: bool
    seed: int
    max_time: float
    max_steps: int

    def module(self, lanes=True):
        condition = self.absorbing.condition if isinstance(self.absorbing, Condition) else None
        if condition is not None:
            condition = condition.xreplace(dict(zip(self.absorbing.variables, self.variables)))
        return _kernel_module(
            self.gradient, self.variables, self.schedule, condition, self.integrator, self.absorbing.kind, lanes
        )

    def arguments(self):
        geometry = np.asarray(self.absorbing.geometry() or (0.0,), dtype=np.float64)
        inverse_friction = 1.0 / self.friction
        inverse_mass = 0.0 if self.mass is None else 1.0 / self.mass
        noise_scale = bridge_coefficient = 0.0
        if self.constant_temperature is not None:
            temperature = self.constant_temperature
            if self.mass is None:
                sigma_squared = 2.0 * temperature / self.friction  # as numerics._first_passage
                noise_scale = math.sqrt(sigma_squared * self.dt)
                bridge_coefficient = 2.0 / (sigma_squared * self.dt)
            else:
                decay = math.exp(-self.dt * inverse_mass / inverse_friction)
                noise_scale = math.sqrt((1.0 - decay * decay) * temperature * inverse_mass)
        return (self.start, geometry, self.dt, inverse_friction, inverse_mass, noise_scale,
                bridge_coefficient, self.bridge, self.max_steps, self.seed)


def _prepare(gradient, variables, start, absorbing, temperature, dt, seed, friction, mass, integrator,
             max_time, bridge) -> _Prepared:
    gradient, variables = _gradient_tuple(gradient, variables)
    dimension = len(variables)
    if integrator not in INTEGRATORS:
        raise InvalidParameter(f"integrator must be one of {sorted(INTEGRATORS)}, got {integrator!r}.")
    underdamped = INTEGRATORS[integrator]
    if isinstance(start, numbers.Real) and not isinstance(start, bool):
        start = (start,)
    try:
        start = tuple(_finite_real("start", s) for s in start)
    except TypeError as error:
        raise InvalidParameter(f"start must be a point (a sequence of numbers), got {start!r}.") from error
    if len(start) != dimension:
        raise InvalidParameter(f"start has {len(start)} coordinates for {dimension} variables.")
    if not isinstance(absorbing, AbsorbingSet):
        raise InvalidParameter(f"absorbing must be a HalfSpace, Ball or Condition, got {absorbing!r}.")
    absorbing.check_dimension(dimension)
    if isinstance(absorbing, Condition) and len(absorbing.variables) != dimension:
        raise InvalidParameter("absorbing condition has a different number of variables than the potential.")
    if absorbing.contains(start):
        raise InvalidParameter(
            f"absorbing set {absorbing} already contains the start {start}: the first passage would be at t = 0."
        )
    constant, schedule, text = _temperature(temperature)
    dt = _positive_real("dt", dt)
    friction = _positive_real("friction", friction)
    if underdamped:
        mass = _positive_real("mass", 1.0 if mass is None else mass)
    elif mass is not None:
        raise InvalidParameter(
            f"mass = {mass!r} is given with the overdamped integrator {integrator!r}; overdamped dynamics has no "
            "inertia: use integrator='baoab' to include the mass."
        )
    if bridge is None:
        bridge = absorbing.bridge_applies and not underdamped
    elif bridge:
        if underdamped:
            raise InvalidParameter(
                "bridge=True with integrator 'baoab': the Brownian-bridge correction is for overdamped dynamics, "
                "whose paths between grid points are Brownian bridges; underdamped positions are smooth."
            )
        if not absorbing.bridge_applies:
            raise InvalidParameter(
                f"bridge=True with the absorbing set {absorbing}: the bridge crossing probability is exact for a "
                "flat boundary only (a half-space); use bridge=False."
            )
    seed = _integer("seed", seed, 0, 2**63 - 1)
    max_time, max_steps = time_cap(max_time, dt, DEFAULT_MAXIMUM_STEPS)
    number = stability_number(gradient, variables, start, absorbing.nearest_point(start), dt, friction,
                              mass if underdamped else None)
    if number > STABILITY_BOUND:
        what = "sqrt(max|U''| / m)" if underdamped else "max|U''| / gamma"
        raise InvalidParameter(
            f"dt = {dt:g} is too large for stability: dt * {what} = {number:.3g} on the segment from the start "
            f"to the absorbing set exceeds {STABILITY_BOUND:g} (the explicit scheme diverges at 2); "
            f"use dt <= {dt * STABILITY_BOUND / number:.3g}."
        )
    return _Prepared(gradient, variables, np.asarray(start, dtype=np.float64), absorbing, constant, schedule, text,
                     dt, friction, mass if underdamped else None, integrator, bool(bridge), seed, max_time, max_steps)


def _outcome_error(outcome: int, dt: float, trajectory: int, temperature: str) -> SimulationError:
    if outcome == _BAD_TEMPERATURE:
        return SimulationError(
            f"trajectory {trajectory}: the temperature schedule T(t) = {temperature} is not positive during the run."
        )
    return SimulationError(
        f"trajectory {trajectory} reached a non-finite position: the time step dt = {dt} is too large "
        "for the stiffness of the potential, or the potential is unbounded below."
    )


# --- public API --------------------------------------------------------------------------------


def langevin_first_passage(
    gradient,
    variables,
    *,
    start,
    absorbing: AbsorbingSet,
    temperature,
    dt,
    trajectories,
    seed,
    friction=1.0,
    mass=None,
    integrator="em",
    max_time=None,
    bridge=None,
    threads=None,
    first_trajectory=0,
    lanes=True,
) -> LangevinSample:
    """Simulate ``trajectories`` first passages from ``start`` into ``absorbing``.

    ``gradient`` is grad U as a sequence of SymPy expressions in ``variables``
    (one expression and one Symbol in 1-D), every parameter numeric.
    ``temperature`` is a positive number or a SymPy expression in
    ``theory.symbols.t``.  ``bridge=None`` applies the Brownian-bridge correction
    wherever it is exact (overdamped, flat boundary).  ``mass`` is for
    ``integrator="baoab"`` only (default 1).  Trajectory i uses the noise keyed
    by ``(seed, first_trajectory + i, counter)``: bit-identical for any
    ``threads`` and chunking.  ``lanes=False`` forces the scalar kernel where the
    lane kernel would be used (for tests and benchmarks: the results are the same).
    """
    prepared = _prepare(gradient, variables, start, absorbing, temperature, dt, seed, friction, mass, integrator,
                        max_time, bridge)
    trajectories = _integer("trajectories", trajectories, 1)
    first_trajectory = _integer("first_trajectory", first_trajectory, 0, 2**63 - 1 - trajectories)
    check_memory("trajectories", trajectories, ensemble_bytes(trajectories, len(prepared.variables) * (1 if prepared.mass is None else 2)))
    module = prepared.module(lanes)
    dimension = len(prepared.variables)
    width = 2 * dimension if prepared.mass is not None else dimension
    times = np.empty(trajectories, dtype=np.float64)
    outcomes = np.empty(trajectories, dtype=np.int8)
    steps_taken = np.empty(trajectories, dtype=np.int64)
    states = np.empty((trajectories, width), dtype=np.float64)
    arguments = prepared.arguments()
    with _ThreadCount(threads) as thread_count:
        kernel = module.ensemble_kernel
        if not kernel.signatures:  # compile (or load) outside the timed region
            _call(kernel, first_trajectory, *arguments[:-2], 0, prepared.seed, times[:1], outcomes[:1],
                  steps_taken[:1], states[:1])
        began = time.perf_counter()
        _call(kernel, first_trajectory, *arguments, times, outcomes, steps_taken, states)
        wall_seconds = time.perf_counter() - began
    bad = np.flatnonzero(outcomes >= _NOT_FINITE)
    if bad.size:
        raise _outcome_error(int(outcomes[bad[0]]), prepared.dt, first_trajectory + int(bad[0]),
                             prepared.temperature_text)
    escaped = outcomes == _ESCAPED
    positions = states[:, :dimension]
    velocities = states[:, dimension:] if prepared.mass is not None else None
    for array in (times, escaped, positions, velocities):
        if array is not None:
            array.setflags(write=False)
    return LangevinSample(
        times=times, escaped=escaped, positions=positions, velocities=velocities, seed=prepared.seed,
        dt=prepared.dt, temperature=prepared.temperature_text, friction=prepared.friction, mass=prepared.mass,
        integrator=prepared.integrator, absorbing=prepared.absorbing, bridge=prepared.bridge,
        max_time=prepared.max_time, first_trajectory=first_trajectory, steps=int(steps_taken.sum()),
        wall_seconds=wall_seconds, threads=thread_count.threads,
    )


def replay_langevin_trajectory(
    gradient, variables, *, trajectory, start, absorbing, temperature, dt, seed, friction=1.0, mass=None,
    integrator="em", max_time=None, bridge=None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Replay trajectory ``trajectory`` of :func:`langevin_first_passage`: ``(times, positions[k, d], escaped)``."""
    prepared = _prepare(gradient, variables, start, absorbing, temperature, dt, seed, friction, mass, integrator,
                        max_time, bridge)
    trajectory = _integer("trajectory", trajectory, 0, 2**63 - 1)
    module = prepared.module()
    dimension = len(prepared.variables)
    state = np.empty(2 * dimension, dtype=np.float64)
    arguments = prepared.arguments()
    outcome, steps = _call(module.trajectory_outcome, trajectory, *arguments, state)
    if outcome >= _NOT_FINITE:
        raise _outcome_error(outcome, prepared.dt, trajectory, prepared.temperature_text)
    if steps > _MAXIMUM_REPLAY_STEPS:
        raise InvalidParameter(f"trajectory {trajectory} takes {steps} steps, too long a path to hold; lower max_time.")
    path = np.empty((steps + 1, dimension), dtype=np.float64)
    outcome, steps = _call(module.replay_trajectory_kernel, trajectory, *arguments[:-2], steps, prepared.seed,
                           state, path)
    return np.arange(steps + 1, dtype=np.float64) * prepared.dt, path[: steps + 1], outcome == _ESCAPED


# --- Richardson extrapolation over a dt ladder ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DtLadder:
    """Mean exit times on the rungs dt, dt/2, ... and the estimated bias of the finest rung.

    ``order`` is the assumed order p of the bias c h^p: 1 with the bridge
    correction or for BAOAB, 1/2 for an overdamped run without it.  The rungs
    use the same seed, but the noise of step n falls at different times on
    different rungs, so their means are statistically independent and
    ``dt_bias_estimate_stderr`` adds the two standard errors in quadrature.
    """

    dts: tuple[float, ...]
    means: tuple[float, ...]
    stderrs: tuple[float, ...]
    order: float
    samples: tuple[LangevinSample, ...]

    @property
    def factor(self) -> float:
        return 1.0 / (2.0**self.order - 1.0)

    @property
    def dt_bias_estimate(self) -> float:
        """Estimated bias m(h_fine) - m(0) of the finest rung."""
        return (self.means[-2] - self.means[-1]) * self.factor

    @property
    def dt_bias_estimate_stderr(self) -> float:
        return math.hypot(self.stderrs[-2], self.stderrs[-1]) * self.factor

    @property
    def extrapolated_mean(self) -> float:
        return self.means[-1] - self.dt_bias_estimate


def dt_ladder(gradient, variables, *, rungs=2, dt, **options) -> DtLadder:
    """Run :func:`langevin_first_passage` at dt, dt/2, ..., dt/2^(rungs-1) (Richardson)."""
    rungs = _integer("rungs", rungs, 2, 8)
    samples = []
    for rung in range(rungs):
        sample = langevin_first_passage(gradient, variables, dt=dt / 2**rung, **options)
        if sample.censored:
            raise InvalidParameter(
                f"dt ladder: {sample.censored} trajectories were censored at dt = {sample.dt:g}; "
                "the mean exit time is undefined (raise max_time)."
            )
        samples.append(sample)
    means = tuple(float(s.times.mean()) for s in samples)
    stderrs = tuple(float(s.times.std(ddof=1) / math.sqrt(s.trajectories)) if s.trajectories > 1 else math.inf
                    for s in samples)
    first = samples[0]
    order = 1.0 if (first.bridge or first.mass is not None) else 0.5
    return DtLadder(tuple(s.dt for s in samples), means, stderrs, order, tuple(samples))
