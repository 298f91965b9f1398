"""Validation of numerical inputs and the statistics every ensemble sample shares.

One place for the one-line errors that name a parameter and say what is allowed,
used by every kernel driver in ``numerics``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from theory._errors import InvalidParameter

__all__ = ["EnsembleStatistics", "positive_real", "finite_real", "integer", "time_cap"]


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


def positive_real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameter(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not (math.isfinite(value) and value > 0.0):
        raise InvalidParameter(f"{name} must be positive and finite, got {value!r}.")
    return value


def finite_real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameter(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidParameter(f"{name} must be finite, got {value!r}.")
    return value


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
