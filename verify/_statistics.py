"""Estimators for first-passage samples.

* The mean first-passage time and its standard error, from the uncensored
  sample (the sample mean of i.i.d. times; standard error s / sqrt(n)).
* The escape rate by maximum likelihood for an exponential law with
  right-censoring: with d escapes and total time on test S (escaped times plus
  the cap for each censored trajectory), k = d / S, with standard error
  k / sqrt(d) from the observed information (Lawless 2003, section 2.2).

Censored trajectories are counted and handled here, never dropped silently: a
mean over a censored sample is refused unless the caller accepts the bias.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from theory import InvalidParameter

__all__ = ["Estimate", "mean_first_passage", "exponential_rate"]


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A measured value with its standard error and the sample size behind it."""

    value: float
    stderr: float
    count: int

    def __str__(self) -> str:
        return f"{self.value:.6g} ± {self.stderr:.2g}"


def mean_first_passage(times: np.ndarray, escaped: np.ndarray, *, allow_censored: bool = False) -> Estimate:
    """Mean and standard error of the exit times of the escaped trajectories.

    With censored trajectories the mean of the escaped ones is biased low;
    that is an error unless ``allow_censored`` (then the bias is the caller's).
    """
    times = np.asarray(times, dtype=float)
    escaped = np.asarray(escaped, dtype=bool)
    done = times[escaped]
    censored = times.size - done.size
    if censored and not allow_censored:
        raise InvalidParameter(
            f"max_time: {censored} of {times.size} trajectories were censored, so their mean is biased; "
            "raise --max-time or use the censored exponential rate"
        )
    if done.size < 2:
        raise InvalidParameter(f"trajectories: need at least 2 escapes for a standard error, got {done.size}")
    return Estimate(float(done.mean()), float(done.std(ddof=1) / math.sqrt(done.size)), int(done.size))


def exponential_rate(times: np.ndarray, escaped: np.ndarray) -> Estimate:
    """Censored maximum-likelihood rate k = escapes / total time on test, stderr k / sqrt(escapes)."""
    times = np.asarray(times, dtype=float)
    escapes = int(np.count_nonzero(escaped))
    if escapes == 0:
        raise InvalidParameter("trajectories: no trajectory escaped, the rate is not identifiable; raise --max-time")
    rate = escapes / float(times.sum())
    return Estimate(rate, rate / math.sqrt(escapes), escapes)
