"""Validation of numerical inputs and the statistics every ensemble sample shares.

One place for the one-line errors that name a parameter and say what is allowed,
used by every kernel driver in ``numerics``.

A run whose arrays would not fit in memory is refused before it starts, with
the memory it would need (:func:`check_memory`): a driver states what it
allocates (:func:`ensemble_bytes` for a first-passage ensemble) and the check
compares it with the memory the machine has available (``MemAvailable`` of
``/proc/meminfo``, bounded by a cgroup limit; the physical memory elsewhere).
Without the check, ``trajectories = 10**14`` dies in NumPy with a traceback
after the kernel has been compiled.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np
import sympy

from theory._errors import InvalidParameter
from theory._parse import as_expression
from theory._problem import escape_problem  # re-exported: the oracles' one argument check

__all__ = [
    "EnsembleStatistics", "escape_problem", "positive_real", "finite_real", "integer", "time_cap", "available_memory", "check_memory",
    "ensemble_bytes",
]


class EnsembleStatistics:
    """Counts shared by ensemble samples with ``times``, ``escaped``, ``steps`` and ``wall_seconds`` fields."""

    @property
    def trajectories(self) -> int:
        return int(self.times.shape[0])

    @property
    def censored(self) -> int:
        """How many trajectories had not escaped at the time cap."""
        return int(self.times.shape[0] - np.count_nonzero(self.escaped))

    @property
    def steps_per_second(self) -> float:
        """Particle-steps per wall-clock second (all threads together)."""
        return self.steps / self.wall_seconds if self.wall_seconds > 0 else math.inf


def finite_real(name: str, value) -> float:
    """A finite real number: a Python or NumPy real, or a constant SymPy expression or its text
    (``"-6/5"``, ``"pi/4"``; parsed by :func:`theory._parse.as_expression`, never evaluated)."""
    if isinstance(value, bool):
        raise InvalidParameter(f"{name} must be a real number, got {value!r}.")
    if isinstance(value, numbers.Real):
        number = float(value)
    else:
        try:
            number = float(sympy.N(as_expression(value, what=name)))
        except (TypeError, ValueError, sympy.SympifyError):
            raise InvalidParameter(f"{name} must be a real number, got {value!r}.") from None
    if not math.isfinite(number):
        raise InvalidParameter(f"{name} must be finite, got {value!r}.")
    return number


def positive_real(name: str, value) -> float:
    """A positive finite real (see :func:`finite_real` for what is accepted)."""
    number = finite_real(name, value)
    if not number > 0.0:
        raise InvalidParameter(f"{name} must be positive and finite, got {value!r}.")
    return number


def integer(name: str, value, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameter(f"{name} must be an integer, got {value!r}.")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise InvalidParameter(f"{name} must be at least {minimum}{upper}, got {value}.")
    return value


def time_cap(max_time, dt: float, default_steps: int) -> tuple[float, int]:
    """``(max_time, max_steps)``: the censoring time (default ``default_steps * dt``) and its step count."""
    if max_time is None:
        max_time = default_steps * dt
    max_time = positive_real("max_time", max_time)
    if not max_time > dt:
        raise InvalidParameter(f"max_time must exceed dt = {dt}, got {max_time}.")
    max_steps = int(math.floor(max_time / dt))
    if max_steps >= 2**62:
        raise InvalidParameter(f"max_time / dt = {max_time / dt:.3g} steps is too many; lower max_time.")
    return max_time, max_steps


# --- memory -----------------------------------------------------------------------------------------

#: Bytes a first-passage kernel stores per trajectory besides its state: exit time (float64),
#: outcome (int8) and step count (int64).
_BYTES_PER_TRAJECTORY = 8 + 1 + 8


def ensemble_bytes(trajectories: int, state_width: int = 1) -> int:
    """Peak bytes of an ensemble of ``trajectories`` with ``state_width`` floats of final state each.

    The kernel fills an exit time, an outcome and a step count per trajectory
    (17 bytes) and its final state (8 bytes a coordinate, velocities included);
    the arrays of the chunks and of the merged sample are alive together while a
    chunked run merges, so the estimate counts them twice.
    """
    return 2 * int(trajectories) * (_BYTES_PER_TRAJECTORY + 8 * int(state_width))


def available_memory() -> int:
    """Bytes this process can still allocate: ``MemAvailable``, at most a cgroup's limit; or physical memory."""
    available = None
    try:
        with open("/proc/meminfo") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if available is None:
        try:
            available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):
            return 2**63 - 1  # unknown: let the allocation decide
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit_file) as stream:
                limit = stream.read().strip()
        except OSError:
            continue
        if limit.isdigit():
            available = min(available, int(limit))
    return available


def _bytes_text(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.3g} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1024
    raise AssertionError("unreachable")


def check_memory(name: str, value: int, needed_bytes: int, *, available: int | None = None) -> None:
    """Refuse, before anything is allocated, a run that needs more than the available memory.

    ``name = value`` is the parameter that sets the size (e.g. ``trajectories``),
    ``needed_bytes`` what the run would allocate.  ``available`` defaults to
    :func:`available_memory`.
    """
    if available is None:
        available = available_memory()
    if needed_bytes > available:
        raise InvalidParameter(
            f"{name} = {value} needs about {_bytes_text(needed_bytes)} of memory for its arrays, more than the "
            f"{_bytes_text(available)} available; lower {name}."
        )
