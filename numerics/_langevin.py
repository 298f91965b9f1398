r"""The Langevin engine: first passage of d-dimensional Langevin dynamics, one kernel generator.

Every ensemble of ``kramers`` (the checks, ``kramers simulate`` with or without
workers and checkpoints, ``--replay``, ``kramers bench``) runs here.  The
problem is an :class:`~theory.EscapeProblem` (potential, start, absorbing set,
temperature or schedule, friction, mass); the integrator an object of
:mod:`numerics._integrators`.  Dynamics (k_B = 1, friction gamma, mass m,
temperature T(t)):

* overdamped (``mass=None``):   dx = -grad U(x) / gamma dt + sqrt(2 T(t) / gamma) dW,
* underdamped:  dx = v dt,   m dv = -grad U(x) dt - gamma v dt + sqrt(2 gamma T(t)) dW.

Generated kernels.  For each (gradient, dimension, integrator, kind of
absorbing set, constant or scheduled T) one Python source is generated, cached
on disk under its content hash and compiled by Numba (:mod:`numerics._codegen`):
the coordinates are unrolled into scalar locals ``x_0 .. x_{d-1}``, grad U and
T(t) (a SymPy expression in ``theory.symbols.t``, ``Piecewise`` allowed) are
printed as scalar functions, and there is no Python callback per step.  The
scalar kernel ``trajectory_outcome`` runs one trajectory; ``ensemble_kernel``
runs trajectories ``first .. first + N - 1`` in a ``prange``; the replay kernel
is the same generated loop with a ``path`` array that records x_0, x_1, ...
For the case the checks and the benchmark run most (1-D, Euler-Maruyama, a
half-line, constant T) the generator emits a lane specialisation of the same
step (see below).  A non-positive T_n stops the run with an error.

Absorption.  The trajectory absorbed during step n (the move to x_{n+1}) has
exit time (n + 1) dt; one still alive after ``max_steps = floor(max_time / dt)``
steps is censored (``escaped = False``, time ``max_steps dt``), counted, never
dropped.  The final state of every trajectory is returned.  The kernel's
outcome per trajectory is an :class:`Outcome`.

Brownian-bridge correction (Gobet 2000, Stoch. Proc. Appl. 87, 167): checking
the boundary at grid points only misses excursions between them and biases
mean exit times by O(sqrt(dt)).  Given both end points on the safe side of a
flat boundary at signed distances d_n, d_{n+1}, the Brownian bridge between
them crossed it with probability

    p_n = exp(-2 d_n d_{n+1} / (sigma^2 dt)),   sigma^2 = 2 T_n / gamma,

and killing the trajectory with that probability restores weak order O(dt).
For the two ends of an interval the probability is p_lower + p_upper (see
:mod:`theory._absorbing`).  The uniform of the test is drawn only when the
exponent is below ``BRIDGE_EXPONENT_CUTOFF`` = 40 (p > 4e-18).

Noise.  The normal of coordinate k at step n is number ``n d + k`` of the
trajectory's normal stream in :mod:`numerics._random` (BAOAB: ``(n + 1) d + k``,
the first d draw the initial velocity from Maxwell-Boltzmann at T(0)); the
bridge uniform of step n is number n of its uniform stream.  Every random number
is a function of (seed, global trajectory index, counter) and the kernels only
pass the stream keys to :mod:`numerics._random`: results are identical for any
thread count, chunking, worker and completion order.

Stability.  The explicit schemes diverge when dt * lambda exceeds the
integrator's ``stability_bound`` (lambda the largest |eigenvalue| of Hess U / gamma
overdamped, sqrt(rho(Hess U) / m) underdamped).  Before running, the Hessian is
evaluated on the segments from the start to the absorbing set, and a dt above
the integrator's ``accuracy_bound`` (half the stability bound) is refused with
an :class:`InvalidParameter`.  A NaN or infinity that escapes the kernel anyway
is a :class:`SimulationError`.

Richardson extrapolation over a dt ladder (:func:`dt_ladder`): the mean exit
time at dt, dt/2, ..., dt/2^(K-1); with a bias c h^p whose order p the
integrator states (:meth:`~numerics._integrators.AbstractIntegrator.exit_time_bias_order`)
the bias of the finest rung is estimated by (m_{K-2} - m_{K-1}) / (2^p - 1).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
import time
from collections.abc import Sequence

import numpy as np
import sympy

from theory._errors import CompilationError, InvalidParameter, SimulationError
from theory._problem import EscapeProblem
from theory._symbols import t as time_symbol

from . import _random
from ._codegen import build_kernel_module
from ._jit import DEFAULT_FASTMATH_FLAGS
from ._integrators import AbstractIntegrator, BAOAB, EulerMaruyama, integrator_named
from ._validate import EnsembleStatistics, check_memory, ensemble_bytes
from ._validate import integer as _integer
from ._validate import positive_real as _positive_real
from ._validate import time_cap

__all__ = [
    "BRIDGE_EXPONENT_CUTOFF",
    "DEFAULT_MAXIMUM_STEPS",
    "DtLadder",
    "LangevinSample",
    "Outcome",
    "dt_ladder",
    "langevin_first_passage",
    "replay_trajectory",
    "stability_number",
]

#: Default time cap, in steps: ``max_time = DEFAULT_MAXIMUM_STEPS * dt``.
DEFAULT_MAXIMUM_STEPS = 10_000_000
#: Above this exponent the bridge crossing probability (< 4.3e-18) is taken as 0.
BRIDGE_EXPONENT_CUTOFF = 40.0
#: Points on each start-to-boundary segment where the Hessian is evaluated.
_STABILITY_POINTS = 65
_MAXIMUM_REPLAY_STEPS = 200_000_000


class Outcome(enum.IntEnum):
    """How a trajectory of the kernel ended (the kernel writes these codes)."""

    #: still outside the absorbing set at the time cap
    CENSORED = 0
    #: entered the absorbing set (or was killed by the bridge test)
    ABSORBED = 1
    #: a coordinate or velocity became NaN or infinite (dt too large, U unbounded below)
    NOT_FINITE = 2
    #: the schedule T(t) was not positive at some step
    BAD_TEMPERATURE = 3


#: Internal code of the lane specialisation: the two steps were taken, go on.
_CONTINUING = 4

#: Fast-math flags of the engine's kernels (see numerics._jit): the safe defaults plus
#: ``contract``, which lets LLVM fuse ``a * b + c`` into one FMA where the CPU has it
#: (about 1.3x here).  The ensemble, lane and replay loops are generated from the same
#: expression text, so they contract alike; the tests hold them bit-identical on the
#: machine that runs them.  Across processor types (with or without FMA) the last bit
#: may differ: docs/distributed.md states the promise.
ENGINE_FASTMATH = DEFAULT_FASTMATH_FLAGS | {"contract"}


# --- kernel source generation ---------------------------------------------------------


def _joined(parts: Sequence[str]) -> str:
    return ", ".join(parts)


def _trajectory_source(dimension: int, integrator: AbstractIntegrator, kind: str, schedule: bool, record: bool) -> str:
    """Source of the one-trajectory kernel for one configuration.

    The coordinates are unrolled into scalar locals ``x_0 ... x_{d-1}`` so that
    the generated loop has no array traffic.  ``record`` adds a ``path``
    argument receiving x_0, x_1, ... (the replay kernel).
    """
    d = dimension
    underdamped = integrator.underdamped
    scheme = integrator.name
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
        "    block_start = 0",
        "    cosines = np.empty(NORMAL_BLOCK)",
        "    sines = np.empty(NORMAL_BLOCK)",
        "    block = np.empty(2 * NORMAL_BLOCK)",
        "    fill_interleaved(normal_key, 0, cosines, sines, block)",
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
            f"{indent}    return BAD_TEMPERATURE, step",
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
        # Normal number n is half n % 2 of pair n // 2: the block of NORMAL_BLOCK
        # pairs drawn at once by the vectorised fill_normal_block is interleaved
        # (cos_0, sin_0, cos_1, ...) so that normal n is block[n - block_start].
        block = []
        for name_k in names:
            block += [
                f"{indent}slot = noise_index - block_start",
                f"{indent}if slot >= 2 * NORMAL_BLOCK:",
                f"{indent}    block_first += NORMAL_BLOCK",
                f"{indent}    block_start += 2 * NORMAL_BLOCK",
                f"{indent}    slot -= 2 * NORMAL_BLOCK",
                f"{indent}    fill_interleaved(normal_key, block_first, cosines, sines, block)",
                f"{indent}{name_k} = block[slot]",
                f"{indent}noise_index += 1",
            ]
        return block

    def distance(indent: str, target: str, coordinates: Sequence[str]) -> list[str]:
        projection = " + ".join(f"geometry[{k}] * {c}" for k, c in enumerate(coordinates))
        return [f"{indent}{target} = geometry[{d}] - ({projection})"]

    def absorbed_test(indent: str, coordinates: Sequence[str]) -> list[str]:
        if kind == "half_space":
            return distance(indent, "distance_next", coordinates) + [f"{indent}if distance_next <= 0.0:"]
        if kind == "interval":
            return [
                f"{indent}lower_next = {coordinates[0]} - geometry[0]",
                f"{indent}upper_next = geometry[1] - {coordinates[0]}",
                f"{indent}if lower_next <= 0.0 or upper_next <= 0.0:",
            ]
        if kind == "ball":
            radius = " + ".join(f"({c} - geometry[{k}]) * ({c} - geometry[{k}])" for k, c in enumerate(coordinates))
            return [f"{indent}if {radius} <= geometry[{d}]:"]
        return [f"{indent}if absorbed({_joined(coordinates)}) > 0.5:"]

    if kind == "half_space":
        lines += distance("    ", "distance", xs)
    elif kind == "interval":
        lines += ["    lower = x_0 - geometry[0]", "    upper = geometry[1] - x_0"]
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
    if scheme == "em":
        lines += normals(ind, [f"z_{k}" for k in range(d)])
        lines += [f"{ind}y_{k} = x_{k} - gradient_{k}({_joined(xs)}) * drift_factor + noise_scale * z_{k}" for k in range(d)]
    elif scheme == "heun":
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
    lines += [f"{ind}if not ({finite}):"] + store + [f"{ind}    return NOT_FINITE, step + 1"]
    lines += absorbed_test(ind, ys) + store + [f"{ind}    return ABSORBED, step + 1"]
    if kind == "half_space" and not underdamped:
        lines += [
            f"{ind}if bridge:",
            f"{ind}    exponent = bridge_coefficient * distance * distance_next",
            f"{ind}    if exponent < BRIDGE_EXPONENT_CUTOFF:",
            f"{ind}        if uniform_open(uniform_key, step) < math.exp(-exponent):",
        ]
        lines += [f"        {line}" for line in store] + [f"{ind}            return ABSORBED, step + 1"]
        lines += [f"{ind}distance = distance_next"]
    if kind == "interval" and not underdamped:
        # either end may have been crossed between the grid points: p_lower + p_upper (module docstring)
        lines += [
            f"{ind}if bridge:",
            f"{ind}    exponent = min(bridge_coefficient * lower * lower_next, bridge_coefficient * upper * upper_next)",
            f"{ind}    if exponent < BRIDGE_EXPONENT_CUTOFF:",
            f"{ind}        crossing = (math.exp(-bridge_coefficient * lower * lower_next)"
            " + math.exp(-bridge_coefficient * upper * upper_next))",
            f"{ind}        if uniform_open(uniform_key, step) < crossing:",
        ]
        lines += [f"        {line}" for line in store] + [f"{ind}            return ABSORBED, step + 1"]
    if kind == "interval":
        lines += [f"{ind}lower = lower_next", f"{ind}upper = upper_next"]
    lines += [f"{ind}x_{k} = y_{k}" for k in range(d)]
    lines += [f"{ind}step += 1"]
    lines += [f"    state[{k}] = x_{k}" for k in range(d)]
    if underdamped:
        lines += [f"    state[{d + k}] = v_{k}" for k in range(d)]
    lines += ["    return CENSORED, step"]
    return "\n".join(lines) + "\n"


_INTERLEAVE_SOURCE = '''def fill_interleaved(key, block_first, cosines, sines, block):
    fill_normal_block(key, block_first, cosines, sines)
    for j in range(NORMAL_BLOCK):
        block[2 * j] = cosines[j]
        block[2 * j + 1] = sines[j]
'''

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
# lane, group or thread, and both paths perform the same operations on the same
# expression text (contracted alike into FMAs), so the result equals the scalar
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
        # Two steps are quiet when all three distances exceed `floor`: then both lie on the safe
        # side and both bridge exponents exceed the cut-off (floor^2 bc = cut-off, enlarged by
        # 1e-12 against rounding), so the scalar step would neither absorb nor draw a uniform.
        "    floor = math.sqrt(BRIDGE_EXPONENT_CUTOFF / bridge_coefficient) * (1.0 + 1e-12) if bridge else 0.0",
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
            # a valid key of the right type (keys are opaque: never built by hand here)
            f"    normal_key_{k} = normal_stream_key(seed, first_trajectory)",
            f"    uniform_key_{k} = uniform_stream_key(seed, first_trajectory)",
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
            f"{i}quiet_{k} = ((min(distance_{k}, da_{k}, db_{k}) > floor) & (da_{k} + db_{k} < math.inf)"
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
            f"{i}    if status == CONTINUING:",
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
            return CENSORED, x, distance, step
        noise = first_normal if half == 0 else second_normal
        x_next = x - gradient_0(x) * drift_factor + noise_scale * noise
        if not math.isfinite(x_next):
            return NOT_FINITE, x_next, distance, step + 1
        distance_next = offset - (normal * x_next)
        if distance_next <= 0.0:
            return ABSORBED, x_next, distance_next, step + 1
        if bridge:
            exponent = bridge_coefficient * distance * distance_next
            if exponent < BRIDGE_EXPONENT_CUTOFF:
                if uniform_open(uniform_key, step) < math.exp(-exponent):
                    return ABSORBED, x_next, distance_next, step + 1
        x = x_next
        distance = distance_next
        step += 1
    if step >= max_steps:
        return CENSORED, x, distance, step
    return CONTINUING, x, distance, step
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

_KERNEL_CONSTANTS = dict(
    _random.KERNEL_CONSTANTS, BRIDGE_EXPONENT_CUTOFF=repr(BRIDGE_EXPONENT_CUTOFF),
    LANES=repr(LANES), LANE_GROUP=repr(LANE_GROUP), CONTINUING=repr(_CONTINUING),
    **{outcome.name: repr(int(outcome)) for outcome in Outcome},
)


@functools.lru_cache(maxsize=64)
def _kernel_module(gradient, variables, temperature, absorbing_condition, integrator, kind, lanes=True):
    """The generated module for one potential, schedule, absorbing kind and integrator.

    The 1-D Euler-Maruyama half-line problem at constant temperature gets the lane
    specialisation as its ``ensemble_kernel`` (unless ``lanes=False``), generated
    here beside the scalar kernel it falls back on; everything else runs the
    scalar kernel in a ``prange`` over trajectories.
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
    use_lanes = lanes and dimension == 1 and integrator.name == "em" and kind == "half_space" and not schedule
    functions = _random.KERNEL_FUNCTIONS + (
        _INTERLEAVE_SOURCE,
        _trajectory_source(dimension, integrator, kind, schedule, record=False),
        _trajectory_source(dimension, integrator, kind, schedule, record=True),
        *(_LANE_SOURCES if use_lanes else (_ENSEMBLE_SOURCE,)),
    )
    return build_kernel_module(
        expressions, functions, constants=_KERNEL_CONSTANTS, parallel=("ensemble_kernel",), fastmath=ENGINE_FASTMATH
    )


# --- results -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class LangevinSample(EnsembleStatistics):
    """First-passage times of an ensemble, censored ones included, and final states.

    ``times[i]`` is the exit time of trajectory ``first_trajectory + i`` or the
    censoring time when ``escaped[i]`` is False.  ``positions[i]`` is its state
    at that time (the first point inside the absorbing set, or the state at the
    cap); ``velocities`` likewise for BAOAB, else None.  The run-wide fields are
    plain values (the schedule and the absorbing set as text), so that a sample
    is stored in a checkpoint as it is.
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
    absorbing: str
    bridge: bool
    max_time: float
    first_trajectory: int
    steps: int
    wall_seconds: float
    threads: int


# --- preparation -----------------------------------------------------------------------------


def _hessian_function(gradient, variables):
    hessian = sympy.Matrix([[sympy.diff(g, v) for v in variables] for g in gradient])
    return sympy.lambdify(variables, hessian, modules="numpy")


def stability_number(problem: EscapeProblem, dt: float) -> float:
    """max over the segments from the start to the absorbing set of dt * lambda (module docstring).

    lambda = rho(Hess U) / gamma overdamped, sqrt(rho(Hess U) / m) underdamped, with
    rho the largest absolute eigenvalue of the Hessian.
    """
    hessian = _hessian_function(problem.gradient, problem.variables)
    d = problem.dimension
    start = np.asarray(problem.start, dtype=float)
    largest = 0.0
    with np.errstate(all="ignore"):
        for end in problem.absorbing.stability_segments(problem.start):
            end = np.asarray(end, dtype=float)
            for s in np.linspace(0.0, 1.0, _STABILITY_POINTS):
                point = start + s * (end - start)
                matrix = np.asarray(hessian(*point), dtype=float).reshape(d, d)
                if not np.all(np.isfinite(matrix)):
                    continue
                largest = max(largest, float(np.max(np.abs(np.linalg.eigvalsh(0.5 * (matrix + matrix.T))))))
    if problem.mass is None:
        return dt * largest / problem.friction
    return dt * math.sqrt(largest / problem.mass)


@dataclasses.dataclass(frozen=True)
class _Prepared:
    problem: EscapeProblem
    integrator: AbstractIntegrator
    dt: float
    bridge: bool
    seed: int
    max_time: float
    max_steps: int

    def module(self, lanes=True):
        problem = self.problem
        condition = getattr(problem.absorbing, "condition", None)
        return _kernel_module(problem.gradient, problem.variables, problem.schedule, condition, self.integrator,
                              problem.absorbing.kind, lanes)

    def arguments(self):
        problem = self.problem
        geometry = np.asarray(problem.absorbing.geometry() or (0.0,), dtype=np.float64)
        inverse_friction = 1.0 / problem.friction
        inverse_mass = 0.0 if problem.mass is None else 1.0 / problem.mass
        noise_scale = bridge_coefficient = 0.0
        temperature = problem.constant_temperature
        if temperature is not None:
            if problem.mass is None:
                sigma_squared = 2.0 * temperature / problem.friction
                noise_scale = math.sqrt(sigma_squared * self.dt)
                bridge_coefficient = 2.0 / (sigma_squared * self.dt)
            else:
                decay = math.exp(-self.dt * inverse_mass / inverse_friction)
                noise_scale = math.sqrt((1.0 - decay * decay) * temperature * inverse_mass)
        return (np.asarray(problem.start, dtype=np.float64), geometry, self.dt, inverse_friction, inverse_mass,
                noise_scale, bridge_coefficient, self.bridge, self.max_steps, self.seed)


def _prepare(problem, integrator, dt, seed, max_time, bridge) -> _Prepared:
    if not isinstance(problem, EscapeProblem):
        raise InvalidParameter(f"problem must be a theory.EscapeProblem, got {type(problem).__name__}.",
                               parameter="problem")
    if integrator is None:
        integrator = EulerMaruyama() if problem.overdamped else BAOAB()
    integrator = integrator_named(integrator)
    if integrator.underdamped and problem.overdamped:
        raise InvalidParameter(
            f"integrator {integrator.name!r} integrates underdamped dynamics, but the problem is overdamped "
            "(mass None): give the problem a mass.", parameter="mass",
        )
    if not integrator.underdamped and not problem.overdamped:
        raise InvalidParameter(
            f"mass = {problem.mass!r} is given with the overdamped integrator {integrator.name!r}; overdamped "
            "dynamics has no inertia: use the BAOAB integrator to include the mass.", parameter="mass",
        )
    if bridge is None:
        bridge = problem.absorbing.bridge_applies and not integrator.underdamped
    elif bridge:
        integrator.exit_time_bias_order(True)  # refuses the bridge for underdamped integrators
        if not problem.absorbing.bridge_applies:
            raise InvalidParameter(
                f"bridge=True with the absorbing set {problem.absorbing}: the bridge crossing probability is exact "
                "for a flat boundary only (a half-space or the ends of an interval); use bridge=False.",
                parameter="bridge",
            )
    dt = _positive_real("dt", dt)
    seed = _integer("seed", seed, 0, 2**63 - 1)
    max_time, max_steps = time_cap(max_time, dt, DEFAULT_MAXIMUM_STEPS)
    number = stability_number(problem, dt)
    if number > integrator.accuracy_bound:
        what = "sqrt(max|U''| / m)" if integrator.underdamped else "max|U''| / gamma"
        raise InvalidParameter(
            f"dt = {dt:g} is too large for stability: dt * {what} = {number:.3g} on the segment from the start "
            f"to the absorbing set exceeds {integrator.accuracy_bound:g} (the {integrator.name} scheme diverges at "
            f"{integrator.stability_bound:g}); use dt <= {dt * integrator.accuracy_bound / number:.3g}.",
            parameter="dt",
        )
    return _Prepared(problem, integrator, dt, bool(bridge), seed, max_time, max_steps)


def _outcome_error(outcome: int, dt: float, trajectory: int, temperature: str) -> SimulationError:
    if outcome == Outcome.BAD_TEMPERATURE:
        return SimulationError(
            f"trajectory {trajectory}: the temperature schedule T(t) = {temperature} is not positive during the run."
        )
    return SimulationError(
        f"trajectory {trajectory} reached a non-finite position: the time step dt = {dt} is too large "
        "for the stiffness of the potential, or the potential is unbounded below."
    )


class _ThreadCount:
    """Set Numba's thread count for the duration of a call, then restore it."""

    def __init__(self, threads):
        import numba

        self._numba = numba
        available = numba.config.NUMBA_NUM_THREADS
        self.threads = available if threads is None else _integer("threads", threads, 1, available)

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
        raise CompilationError(f"the Langevin kernel failed to compile: {first_line}") from error


# --- public API --------------------------------------------------------------------------------


def langevin_first_passage(
    problem: EscapeProblem,
    *,
    dt,
    trajectories,
    seed,
    integrator=None,
    max_time=None,
    bridge=None,
    threads=None,
    first_trajectory=0,
    lanes=True,
) -> LangevinSample:
    """Simulate ``trajectories`` first passages of ``problem`` with time step ``dt``.

    ``integrator`` is an integrator object or name (default: Euler-Maruyama for
    an overdamped problem, BAOAB for one with a mass).  ``bridge=None`` applies
    the Brownian-bridge correction wherever it is exact (overdamped, flat
    boundary).  Trajectory i uses the noise keyed by ``(seed, first_trajectory +
    i, counter)``: bit-identical for any ``threads`` and chunking.  ``lanes=False``
    forces the scalar kernel where the lane specialisation would be used (tests
    and benchmarks: the numbers are the same).
    """
    prepared = _prepare(problem, integrator, dt, seed, max_time, bridge)
    trajectories = _integer("trajectories", trajectories, 1)
    first_trajectory = _integer("first_trajectory", first_trajectory, 0, 2**63 - 1 - trajectories)
    check_memory("trajectories", trajectories,
                 ensemble_bytes(trajectories, problem.dimension * (2 if prepared.integrator.underdamped else 1)))
    module = prepared.module(lanes)
    dimension = problem.dimension
    underdamped = prepared.integrator.underdamped
    width = 2 * dimension if underdamped else dimension
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
    bad = np.flatnonzero(outcomes >= Outcome.NOT_FINITE)
    if bad.size:
        raise _outcome_error(int(outcomes[bad[0]]), prepared.dt, first_trajectory + int(bad[0]),
                             problem.temperature_text)
    escaped = outcomes == Outcome.ABSORBED
    positions = states[:, :dimension]
    velocities = states[:, dimension:] if underdamped else None
    for array in (times, escaped, positions, velocities):
        if array is not None:
            array.setflags(write=False)
    return LangevinSample(
        times=times, escaped=escaped, positions=positions, velocities=velocities, seed=prepared.seed,
        dt=prepared.dt, temperature=problem.temperature_text, friction=problem.friction, mass=problem.mass,
        integrator=prepared.integrator.name, absorbing=str(problem.absorbing), bridge=prepared.bridge,
        max_time=prepared.max_time, first_trajectory=first_trajectory, steps=int(steps_taken.sum()),
        wall_seconds=wall_seconds, threads=thread_count.threads,
    )


def replay_trajectory(
    problem: EscapeProblem, *, trajectory, dt, seed, integrator=None, max_time=None, bridge=None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Replay trajectory ``trajectory`` (a global index) of :func:`langevin_first_passage`.

    Returns ``(times, positions, escaped)`` with ``times[k] = k dt`` and
    ``positions[k]`` (shape ``(k + 1, d)``) the state x_k from x_0 = start up to
    the absorbing (or last) step; ``times[-1]`` equals the ensemble's time of
    that trajectory exactly.  Paths longer than 2e8 steps are refused.
    """
    prepared = _prepare(problem, integrator, dt, seed, max_time, bridge)
    trajectory = _integer("trajectory", trajectory, 0, 2**63 - 1)
    module = prepared.module()
    dimension = problem.dimension
    state = np.empty(2 * dimension, dtype=np.float64)
    arguments = prepared.arguments()
    outcome, steps = _call(module.trajectory_outcome, trajectory, *arguments, state)
    if outcome >= Outcome.NOT_FINITE:
        raise _outcome_error(outcome, prepared.dt, trajectory, problem.temperature_text)
    if steps > _MAXIMUM_REPLAY_STEPS:
        raise InvalidParameter(f"trajectory {trajectory} takes {steps} steps, too long a path to hold; lower max_time.",
                               parameter="max_time")
    path = np.empty((steps + 1, dimension), dtype=np.float64)
    outcome, steps = _call(module.replay_trajectory_kernel, trajectory, *arguments[:-2], steps, prepared.seed,
                           state, path)
    return np.arange(steps + 1, dtype=np.float64) * prepared.dt, path[: steps + 1], outcome == Outcome.ABSORBED


# --- Richardson extrapolation over a dt ladder ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DtLadder:
    """Mean exit times on the rungs dt, dt/2, ... and the estimated bias of the finest rung.

    ``order`` is the order p of the bias c h^p, as the integrator states it
    (:meth:`~numerics._integrators.AbstractIntegrator.exit_time_bias_order`).
    The rungs use the same seed, but the noise of step n falls at different
    times on different rungs, so their means are statistically independent and
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


def dt_ladder(problem: EscapeProblem, *, rungs=2, dt, run=None, **options) -> DtLadder:
    """Run the ensemble at dt, dt/2, ..., dt/2^(rungs-1) (Richardson); the integrator gives the order.

    ``run(dt)`` computes one rung's sample (default: :func:`langevin_first_passage`
    with ``options``), e.g. a chunked, checkpointed run.
    """
    rungs = _integer("rungs", rungs, 2, 8)
    prepared = _prepare(problem, options.get("integrator"), dt, options.get("seed", 0), options.get("max_time"),
                        options.get("bridge"))
    order = prepared.integrator.exit_time_bias_order(prepared.bridge)
    if run is None:
        def run(rung_dt):
            return langevin_first_passage(problem, dt=rung_dt, **options)
    samples = []
    for rung in range(rungs):
        sample = run(dt / 2**rung)
        if sample.censored:
            raise InvalidParameter(
                f"dt ladder: {sample.censored} trajectories were censored at dt = {sample.dt:g}; "
                "the mean exit time is undefined (raise max_time).", parameter="max_time",
            )
        samples.append(sample)
    means = tuple(float(s.times.mean()) for s in samples)
    stderrs = tuple(float(s.times.std(ddof=1) / math.sqrt(s.trajectories)) if s.trajectories > 1 else math.inf
                    for s in samples)
    return DtLadder(tuple(s.dt for s in samples), means, stderrs, order, tuple(samples))
