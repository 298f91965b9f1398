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
scalar kernel ``trajectory_outcome`` runs one trajectory;
``scalar_ensemble_kernel`` runs trajectories ``first .. first + N - 1`` in a
``prange``; the replay kernel is the same generated loop with a ``path`` array
that records x_0, x_1, ...  For a half-space at constant T (every case of
``kramers bench`` and most checks; any dimension and integrator) the generator
also emits a lane specialisation printed from the same step text,
``lane_ensemble_kernel`` (see below), which the engine runs instead.  A
non-positive T_n stops the run with an error.

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
exponent is below ``BRIDGE_EXPONENT_CUTOFF`` = 40 (p > e^-40 = 4.25e-18).  The
cut-off is exact up to a stated bound: a trajectory's fate differs from the
uncut test only if one of its skipped tests would have killed it, which by the
union bound has probability at most M e^-40 for M steps (4.3e-11 at the
default cap of 1e7 steps); the mean exit time moves by at most that
probability times the time cap (4.3e-11 x 1e4 = 4.3e-7 at dt = 1e-3, far
below any standard error an ensemble reaches).  The lanes (below) skip the
exponent itself where every distance exceeds sqrt(40 / bc) and so implement
the same cut-off.

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
from ._validate import EnsembleStatistics, check_memory, ensemble_bytes, escape_problem
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
    "dt_rungs",
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


#: Internal code of the lane specialisation: the chunk was taken, go on.
_CONTINUING = 4

#: Fast-math flags of the engine's kernels (see numerics._jit): the safe defaults plus
#: ``contract``, which lets LLVM fuse ``a * b + c`` into one FMA where the CPU has it
#: (about 1.3x here).  What LLVM fuses depends on the loop body around an expression, so
#: everything the scalar, lane and replay loops share is written to round alike in any
#: body: the steps and the distances in explicit FMAs, and the printed expressions
#: (grad U, T(t), an absorbing condition) compiled with EXPRESSION_FASTMATH, the safe
#: flags without ``contract`` (LLVM keeps each instruction's flags when it inlines them).
#: The tests hold the loops bit-identical on the machine that runs them.  Across
#: processor types (with or without FMA) the last bit may differ: docs/distributed.md
#: states the promise.
ENGINE_FASTMATH = DEFAULT_FASTMATH_FLAGS | {"contract"}
EXPRESSION_FASTMATH = DEFAULT_FASTMATH_FLAGS


# --- kernel source generation ---------------------------------------------------------


def _joined(parts: Sequence[str]) -> str:
    return ", ".join(parts)


def _joined_names(base: str, dimension: int) -> list[str]:
    return [f"{base}_{k}" for k in range(dimension)]


def _step_lines(integrator: AbstractIntegrator, indent: str, xs, ys, zs, vs=(), fs=()) -> list[str]:
    """One step of the integrator, as text: from x (and v, f) and the normals z to y (v and f updated in place).

    The scalar kernel, its replay twin and the lanes all print their steps here,
    so the same expression text is compiled (and contracted into FMAs) alike
    everywhere; only the names of the locals differ.
    """
    d = len(xs)
    scheme = integrator.name
    # Overdamped steps in explicit FMAs, the noise added first: y = fma(-grad U(x), dt/gamma, fma(s, z, x)).
    # As for BAOAB below, an explicit FMA rounds alike in every loop body, whatever LLVM's ``contract``
    # flag would fuse in the scalar loop and in the lanes' vector loop.  The noisy point fma(s, z, x)
    # is computed beside the gradient, so the chain from x to the next x is the gradient and one FMA
    # (measured: no change in speed, within the few per cent a shared machine resolves).
    if scheme == "em":
        return [f"{indent}{ys[k]} = fused_multiply_add(-gradient_{k}({_joined(xs)}), drift_factor, "
                f"fused_multiply_add(noise_scale, {zs[k]}, {xs[k]}))" for k in range(d)]
    if scheme == "heun":
        gs = [f"g_{k}" for k in range(d)]
        ns = [f"noisy_{k}" for k in range(d)]
        ps = [f"p_{k}" for k in range(d)]
        hs = [f"h_{k}" for k in range(d)]
        lines = [f"{indent}{gs[k]} = gradient_{k}({_joined(xs)})" for k in range(d)]
        lines += [f"{indent}{ns[k]} = fused_multiply_add(noise_scale, {zs[k]}, {xs[k]})" for k in range(d)]
        lines += [f"{indent}{ps[k]} = fused_multiply_add(-{gs[k]}, drift_factor, {ns[k]})" for k in range(d)]
        lines += [f"{indent}{hs[k]} = gradient_{k}({_joined(ps)})" for k in range(d)]
        lines += [f"{indent}{ys[k]} = fused_multiply_add(-0.5 * ({gs[k]} + {hs[k]}), drift_factor, {ns[k]})"
                  for k in range(d)]
        return lines
    # BAOAB: half kick, half drift, Ornstein-Uhlenbeck, half drift, force, half kick, in explicit
    # FMAs.  Left to the ``contract`` flag, the rounding would depend on the loop around the step:
    # the closing kick of one step and the opening kick of the next share the product
    # half_kick * f, which LLVM computes once (and then cannot fuse) when both lie in one loop body
    # (as they did in an earlier lane kernel of two steps per iteration).  An explicit FMA rounds
    # alike in every loop body.
    kick = [f"{indent}{vs[k]} = fused_multiply_add(half_kick, {fs[k]}, {vs[k]})" for k in range(d)]
    lines = list(kick)
    lines += [f"{indent}{ys[k]} = fused_multiply_add(half_dt, {vs[k]}, {xs[k]})" for k in range(d)]
    lines += [f"{indent}{vs[k]} = fused_multiply_add(friction_decay, {vs[k]}, noise_scale * {zs[k]})"
              for k in range(d)]
    lines += [f"{indent}{ys[k]} = fused_multiply_add(half_dt, {vs[k]}, {ys[k]})" for k in range(d)]
    lines += [f"{indent}{fs[k]} = -gradient_{k}({_joined(ys)})" for k in range(d)]
    return lines + kick


def _constant_lines(integrator: AbstractIntegrator, indent: str) -> list[str]:
    """The per-run constants of the step (constant temperature; a schedule recomputes the noise scale)."""
    lines = [f"{indent}drift_factor = inverse_friction * dt"]
    if integrator.underdamped:
        lines += [
            f"{indent}friction_decay = math.exp(-dt * inverse_mass / inverse_friction)",
            f"{indent}half_dt = 0.5 * dt",
            f"{indent}half_kick = 0.5 * dt * inverse_mass",
        ]
    return lines


def _distance_lines(indent: str, target: str, coordinates: Sequence[str]) -> list[str]:
    """Signed distance of ``coordinates`` to the half-space's boundary (positive outside the set).

    The projection is a chain of explicit FMAs, so that it rounds alike in every loop body.
    """
    d = len(coordinates)
    projection = f"geometry[0] * {coordinates[0]}"
    for k in range(1, d):
        projection = f"fused_multiply_add(geometry[{k}], {coordinates[k]}, {projection})"
    return [f"{indent}{target} = geometry[{d}] - {projection}"]


def _half_space_exit_lines(indent: str, ys: Sequence[str], distance: str, distance_next: str, step: str,
                           leave) -> list[str]:
    """The tests of a step into a half-space: absorbed, or killed by the bridge (``leave(outcome)`` ends)."""
    lines = _distance_lines(indent, distance_next, ys) + [f"{indent}if {distance_next} <= 0.0:"]
    lines += leave(indent + "    ", "ABSORBED")
    lines += [
        f"{indent}if bridge:",
        f"{indent}    exponent = bridge_coefficient * {distance} * {distance_next}",
        f"{indent}    if exponent < BRIDGE_EXPONENT_CUTOFF:",
        f"{indent}        if uniform_open(uniform_key, {step}) < math.exp(-exponent):",
    ]
    return lines + leave(indent + "            ", "ABSORBED")


def _trajectory_source(dimension: int, integrator: AbstractIntegrator, kind: str, schedule: bool, record: bool) -> str:
    """Source of the one-trajectory kernel for one configuration.

    The coordinates are unrolled into scalar locals ``x_0 ... x_{d-1}`` so that
    the generated loop has no array traffic.  ``record`` adds a ``path``
    argument receiving x_0, x_1, ... (the replay kernel).
    """
    d = dimension
    underdamped = integrator.underdamped
    xs, ys, zs = _joined_names("x", d), _joined_names("y", d), _joined_names("z", d)
    vs, fs = (_joined_names("v", d), _joined_names("f", d)) if underdamped else ((), ())
    name = "replay_trajectory_kernel" if record else "trajectory_outcome"
    extra = ", path" if record else ""
    lines = [
        f"def {name}(trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,",
        f"        bridge_coefficient, bridge, max_steps, seed, state{extra}):",
        "    normal_key = normal_stream_key(seed, trajectory)",
        "    uniform_key = uniform_stream_key(seed, trajectory)",
        *_constant_lines(integrator, "    "),
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

    def store(indent: str, positions: Sequence[str]) -> list[str]:
        return [f"{indent}state[{k}] = {positions[k]}" for k in range(d)] + \
               [f"{indent}state[{d + k}] = {vs[k]}" for k in range(len(vs))]

    def leave(indent: str, outcome: str) -> list[str]:
        return store(indent, ys) + [f"{indent}return {outcome}, step + 1"]

    if kind == "half_space":
        lines += _distance_lines("    ", "distance", xs)
    elif kind == "interval":
        lines += ["    lower = x_0 - geometry[0]", "    upper = geometry[1] - x_0"]
    if underdamped:
        lines += temperature_block("    ", "0.0")
        if schedule:
            lines.append("    thermal_velocity = math.sqrt(temperature * inverse_mass)")
        else:
            lines.append("    thermal_velocity = noise_scale / math.sqrt(1.0 - friction_decay * friction_decay)")
        lines += normals("    ", vs)
        lines += [f"    {vs[k]} = thermal_velocity * {vs[k]}" for k in range(d)]
        lines += [f"    {fs[k]} = -gradient_{k}({_joined(xs)})" for k in range(d)]
    else:
        lines += ["    z_0 = 0.0"]
    lines += ["    while step < max_steps:"]
    ind = "        "
    lines += temperature_block(ind, "step * dt")
    lines += normals(ind, zs)
    lines += _step_lines(integrator, ind, xs, ys, zs, vs, fs)
    if record:
        lines += [f"{ind}path[step + 1, {k}] = y_{k}" for k in range(d)]
    finite = " and ".join(f"math.isfinite({c})" for c in (*ys, *vs))
    lines += [f"{ind}if not ({finite}):"] + leave(ind + "    ", "NOT_FINITE")
    if kind == "half_space" and not underdamped:
        lines += _half_space_exit_lines(ind, ys, "distance", "distance_next", "step", leave)
        lines += [f"{ind}distance = distance_next"]
    elif kind == "half_space":
        lines += _distance_lines(ind, "distance_next", ys) + [f"{ind}if distance_next <= 0.0:"]
        lines += leave(ind + "    ", "ABSORBED")
    elif kind == "interval":
        lines += [
            f"{ind}lower_next = {ys[0]} - geometry[0]",
            f"{ind}upper_next = geometry[1] - {ys[0]}",
            f"{ind}if lower_next <= 0.0 or upper_next <= 0.0:",
        ]
        lines += leave(ind + "    ", "ABSORBED")
        if not underdamped:
            # either end may have been crossed between the grid points: p_lower + p_upper (module docstring)
            lines += [
                f"{ind}if bridge:",
                f"{ind}    exponent = min(bridge_coefficient * lower * lower_next, bridge_coefficient * upper * upper_next)",
                f"{ind}    if exponent < BRIDGE_EXPONENT_CUTOFF:",
                f"{ind}        crossing = (math.exp(-bridge_coefficient * lower * lower_next)"
                " + math.exp(-bridge_coefficient * upper * upper_next))",
                f"{ind}        if uniform_open(uniform_key, step) < crossing:",
            ]
            lines += leave(ind + "            ", "ABSORBED")
        lines += [f"{ind}lower = lower_next", f"{ind}upper = upper_next"]
    elif kind == "ball":
        radius = " + ".join(f"({c} - geometry[{k}]) * ({c} - geometry[{k}])" for k, c in enumerate(ys))
        lines += [f"{ind}if {radius} <= geometry[{d}]:"] + leave(ind + "    ", "ABSORBED")
    else:
        lines += [f"{ind}if absorbed({_joined(ys)}) > 0.5:"] + leave(ind + "    ", "ABSORBED")
    lines += [f"{ind}x_{k} = y_{k}" for k in range(d)]
    lines += [f"{ind}step += 1"]
    lines += store("    ", xs)
    lines += ["    return CENSORED, step"]
    return "\n".join(lines) + "\n"


_INTERLEAVE_SOURCE = '''def fill_interleaved(key, block_first, cosines, sines, block):
    fill_normal_block(key, block_first, cosines, sines)
    for j in range(NORMAL_BLOCK):
        block[2 * j] = cosines[j]
        block[2 * j + 1] = sines[j]
'''

_ENSEMBLE_SOURCE = '''def scalar_ensemble_kernel(first_trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,
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

# --- the lane specialisation ------------------------------------------------------------------
#
# One trajectory is a chain of dependent floating-point operations whose
# latency bounds a scalar loop.  For a half-space at constant temperature (any
# dimension, any integrator) the generator also emits a lane kernel: LANES
# trajectories advance together, one per SIMD slot.  Their state lives in
# arrays indexed by the lane, and a chunk of CHUNK_STEPS steps is taken as a
# loop over the steps around a loop over the lanes, which LLVM vectorises: a
# step of all lanes is a few vector instructions, and the lanes' chains are
# independent.  The noise of the chunk is drawn beforehand for all lanes at
# once by :func:`numerics._random.fill_lane_normals`, row r of the buffer
# holding normal r of every lane's window, so the vector step reads one
# contiguous row.  The chunk is speculative: a lane whose steps came near the
# boundary (a bridge exponent below the cut-off), crossed it, became
# non-finite or would pass the time cap is redone from its last committed
# state by ``lane_chunk``, which runs the scalar kernel's tests step by step on
# the same noise rows.  A finished lane takes the next trajectory of its group
# at the next chunk.  Each trajectory's numbers depend only on its own noise,
# not on its lane, group or thread, and every path prints its steps with
# _step_lines and its distances with _distance_lines (the same text, in explicit
# FMAs, around expressions compiled without ``contract``: ENGINE_FASTMATH), so
# the result equals the scalar kernel's bit for bit (a test compares them for
# each integrator).

#: Trajectories advanced together, one per SIMD slot (two AVX-512 or four AVX2 vectors of doubles).
LANES = 16
#: Normals per lane drawn for one chunk; a chunk is CHUNK_NORMALS // d steps, rounded down to a multiple of 4.
CHUNK_NORMALS = 256
#: Trajectories per parallel work item (a group of lanes).  A group ends with its lanes falling
#: idle one by one while its last trajectories run: for roughly exponential exit times this
#: wastes about LANES (H(LANES - 1) - 1) + 1 = 38 mean exit times of lane steps per group (H the
#: harmonic number), 4 % of a group of 1024 trajectories, so groups are large:
#: LANE_ITEMS_PER_THREAD items per running thread, none smaller than LANE_GROUP_MINIMUM unless
#: that would leave a thread without work (:func:`_lane_group_size`).  The grouping changes no number.
LANE_GROUP_MINIMUM = 1024
LANE_ITEMS_PER_THREAD = 2


def _lane_group_size(trajectories: int, threads: int) -> int:
    """Trajectories per group of lanes for an ensemble of ``trajectories`` on ``threads`` threads."""
    size = -(-trajectories // (LANE_ITEMS_PER_THREAD * threads))
    return max(size, min(LANE_GROUP_MINIMUM, -(-trajectories // threads)), 1)


@dataclasses.dataclass(frozen=True)
class _LaneLayout:
    """Where the normals of one chunk lie in a trajectory's stream, and the chunk's length.

    Step n takes normals ``offset + n d + k`` (k < d; ``offset`` = d for BAOAB's
    initial velocity, else 0).  A chunk starts at a step that is a multiple of
    ``steps``, itself a multiple of 4, so its first normal ``offset + n d`` is
    ``shift = offset % 4`` past the start of Philox block ``(offset + n d) // 4``
    (four normals a block) for every lane alike: the chunk's noise is the
    ``rows`` normals from that block on, and normal k of step s of the chunk is
    row ``shift + s d + k``.
    """

    dimension: int
    offset: int

    @property
    def steps(self) -> int:
        return max(4, CHUNK_NORMALS // self.dimension // 4 * 4)

    @property
    def shift(self) -> int:
        return self.offset % 4

    @property
    def rows(self) -> int:
        return (self.shift + self.steps * self.dimension + 3) // 4 * 4


def _lane_layout(dimension: int, integrator: AbstractIntegrator) -> _LaneLayout:
    return _LaneLayout(dimension, dimension if integrator.underdamped else 0)


def _lane_sources(dimension: int, integrator: AbstractIntegrator) -> tuple[str, str, str]:
    """Sources of ``lane_chunk``, ``lane_group`` and ``lane_ensemble_kernel`` (half-space, constant T)."""
    d = dimension
    underdamped = integrator.underdamped
    layout = _lane_layout(d, integrator)
    xs, ys, zs = _joined_names("x", d), _joined_names("y", d), _joined_names("z", d)
    vs, fs = (_joined_names("v", d), _joined_names("f", d)) if underdamped else ((), ())
    state = xs + list(vs) + list(fs)
    exit_state = _joined(ys + list(vs) + list(fs))
    arrays = {"x": "position", "v": "velocity", "f": "force"}
    carried = ("x", "v", "f") if underdamped else ("x",)

    def committed(base: str, k: int) -> str:
        return f"{arrays[base]}_{k}[lane]"

    def trial(base: str, k: int) -> str:
        return f"trial_{arrays[base]}_{k}[lane]"

    def affine(constant: int, factor: int, variable: str) -> str:
        """``constant + factor * variable`` as short text (no ``+ 0``, no ``* 1``)."""
        term = variable if factor == 1 else f"{variable} * {factor}"
        return f"{constant} + {term}" if constant else term

    def noise_row(indent: str, source: str) -> list[str]:
        """The normals z_k of step s of the chunk: rows shift + s d + k of the lane's column."""
        return [f"{indent}{zs[k]} = noise[{affine(layout.shift + k, d, 's')}, {source}]" for k in range(d)]

    # lane_chunk: the chunk of one lane from its committed state, with every test of the scalar kernel.
    ind, body = "    ", "        "

    def leave(indent: str, outcome: str) -> list[str]:
        return [f"{indent}return {outcome}, step + 1, {exit_state}, distance"]

    slow = [
        f"def lane_chunk({_joined(state)}, distance, step, noise, lane, uniform_key, geometry, dt,",
        "               inverse_friction, inverse_mass, noise_scale, bridge_coefficient, bridge, max_steps):",
        *_constant_lines(integrator, ind),
        f"{ind}for s in range(CHUNK_STEPS):",
        f"{body}if step >= max_steps:",
        f"{body}    return CENSORED, step, {_joined(state)}, distance",
        *noise_row(body, "lane"),
        *_step_lines(integrator, body, xs, ys, zs, vs, fs),
    ]
    finite = " and ".join(f"math.isfinite({c})" for c in (*ys, *vs))
    slow += [f"{body}if not ({finite}):"] + leave(body + "    ", "NOT_FINITE")
    if underdamped:
        slow += _distance_lines(body, "distance_next", ys) + [f"{body}if distance_next <= 0.0:"]
        slow += leave(body + "    ", "ABSORBED")
    else:
        slow += _half_space_exit_lines(body, ys, "distance", "distance_next", "step", leave)
    slow += [f"{body}{xs[k]} = {ys[k]}" for k in range(d)] + [f"{body}distance = distance_next", f"{body}step += 1"]
    slow += [f"{ind}if step >= max_steps:", f"{ind}    return CENSORED, step, {_joined(state)}, distance"]
    slow += [f"{ind}return CONTINUING, step, {_joined(state)}, distance"]

    # lane_group: LANES trajectories in arrays indexed by the lane, a chunk at a time.
    out = [
        "def lane_group(begin, end, first_trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,",
        "               bridge_coefficient, bridge, max_steps, seed, times, outcomes, steps_taken, states):",
        *_constant_lines(integrator, ind),
    ]
    if underdamped:
        out.append(f"{ind}thermal_velocity = noise_scale / math.sqrt(1.0 - friction_decay * friction_decay)")
    out += [f"{ind}start_{k} = start[{k}]" for k in range(d)]
    out += _distance_lines(ind, "start_distance", [f"start_{k}" for k in range(d)])
    out += [
        # A chunk is quiet when all its distances exceed `floor`: then all lie on the safe side and
        # every bridge exponent exceeds the cut-off (floor^2 bc = cut-off, enlarged by 1e-12 against
        # rounding), so the scalar steps would neither absorb nor draw a uniform.
        f"{ind}floor = math.sqrt(BRIDGE_EXPONENT_CUTOFF / bridge_coefficient) * (1.0 + 1e-12) if bridge else 0.0",
        f"{ind}last_step = max_steps - CHUNK_STEPS",
    ]
    for base in carried:
        for k in range(d):
            out += [f"{ind}{arrays[base]}_{k} = np.zeros(LANES)", f"{ind}trial_{arrays[base]}_{k} = np.zeros(LANES)"]
    out += [
        f"{ind}distance = np.empty(LANES)",
        f"{ind}lowest = np.empty(LANES)",
        f"{ind}nonfinite = np.empty(LANES)",
        f"{ind}step = np.zeros(LANES, dtype=np.int64)",
        f"{ind}owner = np.full(LANES, -1, dtype=np.int64)",
        f"{ind}trajectory = np.full(LANES, first_trajectory, dtype=np.int64)",  # idle lanes draw from any valid stream
        f"{ind}first_block = np.zeros(LANES, dtype=np.uint64)",
        f"{ind}noise = np.empty((NOISE_ROWS, LANES))",
        f"{ind}upcoming = begin",
        f"{ind}active = 0",
    ]

    def start_lane(indent: str) -> list[str]:
        """Lane ``lane`` back at the start, step 0; with the next trajectory of the group if one is left."""
        lines = [f"{indent}{committed('x', k)} = start_{k}" for k in range(d)]
        lines += [f"{indent}distance[lane] = start_distance", f"{indent}step[lane] = 0", f"{indent}if upcoming < end:"]
        lines += [
            f"{indent}    owner[lane] = upcoming",
            f"{indent}    trajectory[lane] = first_trajectory + upcoming",
        ]
        if underdamped:  # the initial velocity: normals 0 .. d - 1 (pairs 0 .. (d - 1) // 2), as in the scalar kernel
            lines.append(f"{indent}    normal_key = normal_stream_key(seed, trajectory[lane])")
            lines += [f"{indent}    cosine_{p}, sine_{p} = normal_pair(normal_key, {p})" for p in range((d + 1) // 2)]
            lines += [f"{indent}    {committed('v', k)} = thermal_velocity * {'sine' if k % 2 else 'cosine'}_{k // 2}"
                      for k in range(d)]
            starts = _joined([f"start_{k}" for k in range(d)])
            lines += [f"{indent}    {committed('f', k)} = -gradient_{k}({starts})" for k in range(d)]
        lines += [f"{indent}    upcoming += 1", f"{indent}    active += 1", f"{indent}else:",
                  f"{indent}    owner[lane] = -1"]
        return lines

    out += [f"{ind}for lane in range(LANES):", *start_lane(body)]
    out += [f"{ind}while active > 0:", f"{body}for lane in range(LANES):"]
    inner = body + "    "
    out.append(f"{inner}first_block[lane] = np.uint64(({affine(layout.offset, d, 'step[lane]')}) // 4)")
    out += [f"{inner}{trial(base, k)} = {committed(base, k)}" for base in carried for k in range(d)]
    out += [f"{inner}lowest[lane] = distance[lane]", f"{inner}nonfinite[lane] = 0.0"]
    out.append(f"{body}fill_lane_normals(seed, trajectory, first_block, noise)")
    # the vector chunk: every lane takes CHUNK_STEPS steps, recording its least distance and any non-finite value
    out += [f"{body}for s in range(CHUNK_STEPS):", f"{inner}for lane in range(LANES):"]
    vector = inner + "    "
    out += [f"{vector}{name}_{k} = {trial(base, k)}" for base, name in zip(carried, ("x", "v", "f")) for k in range(d)]
    out += noise_row(vector, "lane")
    out += _step_lines(integrator, vector, xs, ys, zs, vs, fs)
    out += [f"{vector}{trial('x', k)} = {ys[k]}" for k in range(d)]
    if underdamped:
        out += [f"{vector}{trial('v', k)} = {vs[k]}" for k in range(d)]
        out += [f"{vector}{trial('f', k)} = {fs[k]}" for k in range(d)]
    out += _distance_lines(vector, "distance_next", ys)
    out += [
        f"{vector}lowest[lane] = min(lowest[lane], distance_next)",
        f"{vector}nonfinite[lane] += ({' + '.join((*ys, *vs))}) * 0.0",  # NaN once any value is not finite
    ]
    # commit the quiet lanes; redo the others step by step
    out += [
        f"{body}for lane in range(LANES):",
        f"{inner}if owner[lane] < 0:",
        f"{inner}    continue",
        f"{inner}if lowest[lane] > floor and nonfinite[lane] == 0.0 and step[lane] <= last_step:",
    ]
    out += [f"{inner}    {committed(base, k)} = {trial(base, k)}" for base in carried for k in range(d)]
    out += _distance_lines(inner + "    ", "distance[lane]", [committed("x", k) for k in range(d)])
    out += [f"{inner}    step[lane] += CHUNK_STEPS", f"{inner}    continue"]
    new_state = [f"new_{name}" for name in state]
    out += [
        f"{inner}uniform_key = uniform_stream_key(seed, trajectory[lane])",
        f"{inner}status, new_step, {_joined(new_state)}, new_distance = lane_chunk(",
        f"{inner}    {_joined([committed(base, k) for base in carried for k in range(d)])},",
        f"{inner}    distance[lane], step[lane], noise, lane, uniform_key, geometry, dt, inverse_friction, inverse_mass,",
        f"{inner}    noise_scale, bridge_coefficient, bridge, max_steps)",
        f"{inner}if status == CONTINUING:",
    ]
    out += [f"{inner}    {committed(base, k)} = new_{base}_{k}" for base in carried for k in range(d)]
    out += [f"{inner}    distance[lane] = new_distance", f"{inner}    step[lane] = new_step", f"{inner}    continue"]
    out += [
        f"{inner}outcomes[owner[lane]] = status",
        f"{inner}steps_taken[owner[lane]] = new_step",
        f"{inner}times[owner[lane]] = new_step * dt",
    ]
    out += [f"{inner}states[owner[lane], {k}] = new_x_{k}" for k in range(d)]
    if underdamped:
        out += [f"{inner}states[owner[lane], {d + k}] = new_v_{k}" for k in range(d)]
    out += [f"{inner}active -= 1", *start_lane(inner)]
    ensemble = '''def lane_ensemble_kernel(first_trajectory, start, geometry, dt, inverse_friction, inverse_mass, noise_scale,
                    bridge_coefficient, bridge, max_steps, seed, times, outcomes, steps_taken, states, size):
    count = times.shape[0]
    groups = (count + size - 1) // size
    for group in prange(groups):
        lane_group(group * size, min(count, (group + 1) * size), first_trajectory, start, geometry,
                   dt, inverse_friction, inverse_mass, noise_scale, bridge_coefficient, bridge, max_steps, seed, times,
                   outcomes, steps_taken, states)
'''
    return "\n".join(slow) + "\n", "\n".join(out) + "\n", ensemble


_KERNEL_CONSTANTS = dict(
    _random.KERNEL_CONSTANTS, BRIDGE_EXPONENT_CUTOFF=repr(BRIDGE_EXPONENT_CUTOFF),
    LANES=repr(LANES), CONTINUING=repr(_CONTINUING),
    **{outcome.name: repr(int(outcome)) for outcome in Outcome},
)


@functools.lru_cache(maxsize=64)
def _kernel_module(gradient, variables, temperature, absorbing_condition, integrator, kind):
    """The generated module for one potential, schedule, absorbing kind and integrator.

    Every module has ``scalar_ensemble_kernel``, the scalar kernel in a ``prange``
    over trajectories.  A half-space at constant temperature (any dimension and
    integrator) also gets the lane specialisation, ``lane_ensemble_kernel``,
    generated beside it from the same step text (numba compiles each function
    at its first call, so the unused one costs nothing).
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
    use_lanes = kind == "half_space" and not schedule
    functions = _random.KERNEL_FUNCTIONS + (
        _INTERLEAVE_SOURCE,
        _trajectory_source(dimension, integrator, kind, schedule, record=False),
        _trajectory_source(dimension, integrator, kind, schedule, record=True),
        _ENSEMBLE_SOURCE,
        *(_lane_sources(dimension, integrator) if use_lanes else ()),
    )
    parallel = ("scalar_ensemble_kernel", *(("lane_ensemble_kernel",) if use_lanes else ()))
    constants = _KERNEL_CONSTANTS
    if use_lanes:
        layout = _lane_layout(dimension, integrator)
        constants = dict(constants, CHUNK_STEPS=repr(layout.steps), NOISE_ROWS=repr(layout.rows))
    return build_kernel_module(expressions, functions, constants=constants, parallel=parallel,
                               inline=_random.KERNEL_INLINE, fastmath=ENGINE_FASTMATH,
                               expression_fastmath=EXPRESSION_FASTMATH)


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

    def module(self):
        problem = self.problem
        condition = getattr(problem.absorbing, "condition", None)
        return _kernel_module(problem.gradient, problem.variables, problem.schedule, condition, self.integrator,
                              problem.absorbing.kind)

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
    problem = escape_problem(problem)
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
    module = prepared.module()
    dimension = problem.dimension
    underdamped = prepared.integrator.underdamped
    width = 2 * dimension if underdamped else dimension
    times = np.empty(trajectories, dtype=np.float64)
    outcomes = np.empty(trajectories, dtype=np.int8)
    steps_taken = np.empty(trajectories, dtype=np.int64)
    states = np.empty((trajectories, width), dtype=np.float64)
    arguments = prepared.arguments()
    with _ThreadCount(threads) as thread_count:
        kernel = getattr(module, "lane_ensemble_kernel", None) if lanes else None
        # the lanes take the size of their groups (work items) from the thread count; no number depends on it
        group = (_lane_group_size(trajectories, thread_count.threads),) if kernel else ()
        kernel = kernel or module.scalar_ensemble_kernel
        if not kernel.signatures:  # compile (or load) outside the timed region
            _call(kernel, first_trajectory, *arguments[:-2], 0, prepared.seed, times[:1], outcomes[:1],
                  steps_taken[:1], states[:1], *group)
        began = time.perf_counter()
        _call(kernel, first_trajectory, *arguments, times, outcomes, steps_taken, states, *group)
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


def dt_rungs(dt: float, rungs: int) -> list[float]:
    """The time steps of a dt ladder: dt, dt/2, ..., dt/2^(rungs-1)."""
    return [dt / 2**rung for rung in range(rungs)]


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
    for rung_dt in dt_rungs(dt, rungs):
        sample = run(rung_dt)
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
