"""Estimators for first-passage samples.

* The mean first-passage time and its standard error, from the uncensored
  sample (the sample mean of i.i.d. times; standard error s / sqrt(n)).
* The escape rate by maximum likelihood for an exponential law with
  right-censoring: with d escapes and total time on test S (escaped times plus
  the cap for each censored trajectory), k = d / S, with standard error
  k / sqrt(d) from the observed information (Lawless 2003, section 2.2).

* The exponential escape law, tested by Kolmogorov-Smirnov: under the law,
  the scaled times k t are standard exponential; more generally a sample is
  tested against any survival function S(t) (e.g. the Fokker-Planck oracle's)
  through its CDF 1 - S.  The statistic D_n = sup |F_n - F| is turned into a
  comparison with predicted value 0 and tolerance c(alpha)/sqrt(n),
  c(alpha) = sqrt(-ln(alpha/2)/2) (the first term of Kolmogorov's series,
  an upper bound on the asymptotic quantile), alpha the two-sided tail of a
  Gaussian at the same z as the other checks (Massey 1951; Stephens 1974 for
  the estimated-parameter case, which this module refuses to pretend is plain KS).
* Weighted least squares with known variances: the polynomial of degree p
  through points (x_i, y_i +- s_i) minimising sum ((y_i - P(x_i))/s_i)^2, with
  covariance (X^T W X)^{-1}, W = diag(1/s_i^2) (not rescaled by the residual
  chi^2, which is returned so that a poor fit shows); used for Arrhenius lines
  ln tau = a + dU/T and for a barrier's growth in the number of tasks.
* Survival and cumulative hazard under any schedule: the Kaplan-Meier
  product-limit estimator with Greenwood's variance,
  Var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i)),
  and H(t) = -ln S(t) with the delta-method standard error se(S)/S
  (Kaplan and Meier 1958; Greenwood 1926; Lawless 2003, sec. 3.2).

Censored trajectories are counted and handled here, never dropped silently: a
mean over a censored sample is refused unless the caller accepts the bias.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from theory import InvalidParameter

__all__ = [
    "Estimate", "mean_first_passage", "exponential_rate", "KolmogorovSmirnov", "kolmogorov_smirnov",
    "kolmogorov_coefficient", "SurvivalEstimate", "kaplan_meier", "proportion", "sample_variance", "PolynomialFit",
    "weighted_polynomial_fit",
]


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


def proportion(hits: np.ndarray) -> Estimate:
    """The fraction p of True in ``hits``, standard error sqrt(p (1 - p) / n) (binomial)."""
    hits = np.asarray(hits, dtype=bool)
    p = float(hits.mean())
    return Estimate(p, math.sqrt(p * (1 - p) / hits.size), int(hits.size))


def sample_variance(values: np.ndarray) -> Estimate:
    """Unbiased sample variance s^2, standard error sqrt((m_4 - s^4) / n) (m_4: fourth central moment)."""
    values = np.asarray(values, dtype=float)
    if values.size < 4:
        raise InvalidParameter(f"trajectories: need at least 4 values for the variance's error, got {values.size}")
    variance = float(values.var(ddof=1))
    fourth = float(np.mean((values - values.mean()) ** 4))
    return Estimate(variance, math.sqrt(max(fourth - variance**2, 0.0) / values.size), int(values.size))


def exponential_rate(times: np.ndarray, escaped: np.ndarray) -> Estimate:
    """Censored maximum-likelihood rate k = escapes / total time on test, stderr k / sqrt(escapes)."""
    times = np.asarray(times, dtype=float)
    escapes = int(np.count_nonzero(escaped))
    if escapes == 0:
        raise InvalidParameter("trajectories: no trajectory escaped, the rate is not identifiable; raise --max-time")
    rate = escapes / float(times.sum())
    return Estimate(rate, rate / math.sqrt(escapes), escapes)


@dataclasses.dataclass(frozen=True)
class PolynomialFit:
    """Coefficients (constant first), their covariance, and the residual chi^2 with its degrees of freedom."""

    coefficients: np.ndarray
    covariance: np.ndarray
    chi_squared: float
    degrees_of_freedom: int

    def coefficient(self, power: int) -> Estimate:
        """The coefficient of x**power with its standard error."""
        return Estimate(float(self.coefficients[power]), float(math.sqrt(self.covariance[power, power])),
                        len(self.coefficients) + self.degrees_of_freedom)


def weighted_polynomial_fit(x, y, stderr, degree: int) -> PolynomialFit:
    """Weighted least-squares polynomial of ``degree`` through (x, y +- stderr), variances known."""
    x, y, stderr = (np.asarray(v, dtype=float) for v in (x, y, stderr))
    if not x.shape == y.shape == stderr.shape or x.ndim != 1:
        raise InvalidParameter("x, y and stderr must be one-dimensional arrays of one length")
    if x.size < degree + 1:
        raise InvalidParameter(f"points: a polynomial of degree {degree} needs {degree + 1}, got {x.size}")
    if not np.all(stderr > 0) or not np.all(np.isfinite(y)):
        raise InvalidParameter("stderr must be positive and y finite")
    design = np.vander(x, degree + 1, increasing=True)
    weights = 1.0 / stderr ** 2
    covariance = np.linalg.inv(design.T @ (weights[:, None] * design))
    coefficients = covariance @ (design.T @ (weights * y))
    chi_squared = float(np.sum(weights * (y - design @ coefficients) ** 2))
    return PolynomialFit(coefficients, covariance, chi_squared, int(x.size - degree - 1))


def kolmogorov_coefficient(z: float) -> float:
    """c(alpha) with alpha = P(|N(0,1)| > z): P(sqrt(n) D_n > c) <= alpha asymptotically."""
    alpha = math.erfc(z / math.sqrt(2))
    return math.sqrt(-math.log(alpha / 2) / 2)


@dataclasses.dataclass(frozen=True)
class KolmogorovSmirnov:
    """D_n = sup |F_n - F|, its p-value and the sample size."""

    statistic: float
    pvalue: float
    count: int

    def critical(self, z: float) -> float:
        """The largest D_n accepted at the false-alarm rate of a two-sided z test."""
        return kolmogorov_coefficient(z) / math.sqrt(self.count)


def kolmogorov_smirnov(times: np.ndarray, escaped: np.ndarray, distribution) -> KolmogorovSmirnov:
    """Test uncensored exit times against ``distribution`` (a CDF callable, or a rate k for Exp(k)).

    Censored samples are refused: the plain KS statistic does not apply to them.
    A rate must come from an independent source (theory or another solver),
    not from the same sample, or the test is conservative (Lilliefors).
    """
    import scipy.stats

    times = np.asarray(times, dtype=float)
    escaped = np.asarray(escaped, dtype=bool)
    if not escaped.all():
        raise InvalidParameter(
            f"max_time: {int((~escaped).sum())} trajectories were censored; the KS test needs complete samples"
        )
    if times.size < 5:
        raise InvalidParameter(f"trajectories: need at least 5 exit times for a KS test, got {times.size}")
    if callable(distribution):
        cdf = distribution
    else:
        rate = float(distribution)
        if not rate > 0:
            raise InvalidParameter(f"rate must be positive, got {distribution!r}")
        cdf = lambda t: -np.expm1(-rate * np.asarray(t))  # noqa: E731
    result = scipy.stats.kstest(times, cdf)
    return KolmogorovSmirnov(float(result.statistic), float(result.pvalue), int(times.size))


@dataclasses.dataclass(frozen=True)
class SurvivalEstimate:
    """Kaplan-Meier survival at the distinct exit times, with Greenwood standard errors."""

    times: np.ndarray
    survival: np.ndarray
    stderr: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray

    def band(self, z: float) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise confidence band S +- z se, clipped to [0, 1]."""
        return np.clip(self.survival - z * self.stderr, 0, 1), np.clip(self.survival + z * self.stderr, 0, 1)

    @property
    def hazard(self) -> np.ndarray:
        """Cumulative hazard -ln S (infinite where S = 0)."""
        with np.errstate(divide="ignore"):
            return -np.log(self.survival)

    @property
    def hazard_stderr(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.stderr / self.survival

    def at(self, time) -> np.ndarray:
        """S at arbitrary times (right-continuous step function; 1 before the first exit)."""
        index = np.searchsorted(self.times, np.asarray(time, dtype=float), side="right") - 1
        return np.where(index >= 0, self.survival[np.maximum(index, 0)], 1.0)


def kaplan_meier(times: np.ndarray, escaped: np.ndarray) -> SurvivalEstimate:
    """Product-limit estimate of S(t) from right-censored exit times (censored at their recorded time)."""
    times = np.asarray(times, dtype=float)
    escaped = np.asarray(escaped, dtype=bool)
    if times.shape != escaped.shape or times.size == 0:
        raise InvalidParameter("times and escaped must be non-empty arrays of one shape")
    order = np.argsort(times, kind="stable")
    times, escaped = times[order], escaped[order]
    distinct, first = np.unique(times, return_index=True)
    at_risk = times.size - first
    events = np.add.reduceat(escaped.astype(np.int64), first)
    keep = events > 0
    distinct, at_risk, events = distinct[keep], at_risk[keep], events[keep]
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
    stderr = survival * np.sqrt(np.cumsum(terms))
    return SurvivalEstimate(distinct, survival, stderr, at_risk, events)
