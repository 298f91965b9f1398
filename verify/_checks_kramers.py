"""Checks of one-dimensional Kramers theory.

1. ``ensemble_vs_exact_mfpt``: Langevin ensembles against the exact mean
   first-passage time (quadrature) on the quartic double well, at several T.
   Budget: z x standard error + the dt bias measured on a two-rung dt ladder
   (with the Brownian-bridge correction the bias is first order in dt, so the
   bias of the fine rung is about the difference between the rungs) + the
   quadrature's own error estimate (numerics.exit_time_statistics, double
   precision, ~1e-15 relative).
2. ``kramers_vs_exact``: the Laplace-derived asymptotics against the exact MFPT
   on a T ladder deep in the Arrhenius regime, on a symmetric and an
   asymmetric landscape.  With r = tau_exact * k_Kramers, the leading order
   predicts r = 1 with declared error 2|C_1| T, and the first-order correction
   predicts r = 1 + C_1 T with declared error 2|C_2| T^2; C_1 and C_2 are the
   derived coefficients of the same series (twice the first neglected term is
   the declared asymptotic error).  That declaration is only meaningful where
   the series is already asymptotic: on the asymmetric landscape at
   T/dU = 0.1 the measured residual of the first correction is 3.1 C_2 T^2
   (the T^3 term is not yet small), at T/dU = 0.05 it is 1.7 C_2 T^2 and at
   0.025 it is 1.1 C_2 T^2.  The ladder therefore starts at T/dU = 0.05.
3. ``exit_statistics_vs_ensemble``: two absorbing ends A < x0 < B on the
   quartic well; the exact splitting probability, mean, variance and
   conditional mean exit times (numerics.exit_time_statistics) against a
   Langevin ensemble of the same problem (an Interval absorbing set) with the
   engine's two-ended Brownian-bridge test: between grid points either end may
   be crossed, with probability p_lower + p_upper, which restores an O(dt)
   bias (Gobet 2000).  A trajectory killed by the bridge stops inside the
   interval, so the end it left by is the nearer one.  Budget per quantity:
   z x stderr of the fine rung + the bias of the fine rung extrapolated at the
   integrator's stated order p from two rungs dt, dt/2,
   (|q_dt - q_dt/2| + z_bias x sqrt(s_dt^2 + s_dt/2^2)) / (2^p - 1), with
   z_bias = 2 for the noise of that difference, + the quadrature's error
   estimate.
"""

from __future__ import annotations

import math

import sympy

from numerics import EulerMaruyama, exact_escape_time, exit_time_statistics, langevin_first_passage
from theory import EscapeProblem, Interval, Potential, kramers_escape, symbols

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register
from ._statistics import Estimate, mean_first_passage, proportion, sample_variance

__all__ = ["QUARTIC", "ensemble_mean"]

#: The canonical quartic landscape: minima at -1 and +1, saddle at 0, barrier 1.
QUARTIC = "(x**2-1)**2"
#: Coverage factor of statistical comparisons (two-sided false-alarm rate 6e-5 for a Gaussian).
Z = 4.0
#: Safety factor on the first neglected term of an asymptotic series.
ASYMPTOTIC_SAFETY = 2


def ensemble_mean(problem: EscapeProblem, dt, trajectories, seed, max_time, threads=None):
    """Mean first-passage time of a Langevin ensemble of ``problem`` (Euler-Maruyama, bridge), with its stderr."""
    sample = langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=seed, max_time=max_time,
                                    threads=threads)
    return mean_first_passage(sample.times, sample.escaped), sample


@register(
    "ensemble_vs_exact_mfpt",
    derivations=("exact_mfpt",),
    description="Langevin ensemble mean exit time vs exact MFPT quadrature, (x^2-1)^2 from -1 to +1",
)
def _ensemble_vs_exact(mode):
    potential = Potential.from_string(QUARTIC)
    if mode == QUICK:
        temperatures, trajectories, dt = (0.5, 0.35), 20_000, 4e-3
    else:
        temperatures, trajectories, dt = (0.5, 0.35, 0.25), 400_000, 2e-3
    comparisons = []
    for index, temperature in enumerate(temperatures):
        problem = EscapeProblem(potential, start=-1.0, absorbing=1.0, temperature=temperature)
        reference = exact_escape_time(problem)
        exact = reference.mfpt
        max_time = 60 * exact  # P(no escape) ~ e^{-60}: censoring is negligible and would be reported
        coarse, _ = ensemble_mean(problem, dt, trajectories, 1000 + index, max_time)
        fine, sample = ensemble_mean(problem, dt / 2, trajectories, 2000 + index, max_time)
        comparisons.append(
            Comparison(
                case=f"T={temperature:g}, N={trajectories}, dt={dt / 2:g}",
                problem=problem,
                predicted=exact,
                measured=fine.value,
                budget=ErrorBudget(
                    z=Z, stderr=fine.stderr, bias=coarse.value - fine.value,
                    quadrature=reference.mfpt_error * exact,
                ),
                details={
                    "coarse_dt": dt, "coarse_mean": coarse.value, "coarse_stderr": coarse.stderr,
                    "censored": sample.censored, "steps_per_second": sample.steps_per_second,
                },
            )
        )
    return comparisons


#: Landscapes of the asymptotic check: (expression, start, target).
ASYMPTOTIC_LANDSCAPES = (
    (QUARTIC, -1, 1),
    ("x**4/4 - x**2/2 + x/10", -1, "1.2"),
)


@register(
    "kramers_vs_exact",
    derivations=("kramers_rate", "kramers_escape_time", "kramers_correction"),
    description="tau_exact * k_Kramers vs 1 (leading order) and 1 + C1 T (first correction) on a T ladder",
)
def _kramers_vs_exact(mode):
    ratios = (0.05, 0.025) if mode == QUICK else (0.05, 0.025, 0.0125, 0.00625)
    comparisons = []
    for text, start, target in ASYMPTOTIC_LANDSCAPES:
        potential = Potential.from_string(text)
        theory = kramers_escape(potential, start, target)
        barrier = float(theory.barrier)
        first = float(theory.correction_coefficient(1))
        second = float(theory.correction_coefficient(2))
        for ratio in ratios:
            temperature = ratio * barrier
            exact = exit_time_statistics(potential, start, target, temperature)
            rate = float(sympy.N(theory.rate.expression.subs({symbols.T: temperature, symbols.gamma: 1}), 20))
            measured = exact.mfpt * rate
            quadrature = exact.mfpt_error * measured
            case = f"U={text}, T/dU={ratio:g}"
            comparisons.append(Comparison(
                f"{case}: leading order", 1.0, measured,
                ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * abs(first) * temperature, quadrature=quadrature),
                details={"C1": first, "temperature": temperature},
            ))
            comparisons.append(Comparison(
                f"{case}: first correction", 1.0 + first * temperature, measured,
                ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * abs(second) * temperature**2, quadrature=quadrature),
                details={"C1": first, "C2": second, "temperature": temperature},
            ))
    return comparisons


#: The two-ended problem of ``exit_statistics_vs_ensemble``: start, left and right absorbing ends, temperature.
TWO_ENDED = (-0.8, -1.5, 0.5, 0.5)
#: Coverage factor of the bias estimate's own noise (it is a difference of two measured values).
Z_BIAS = 2.0


def _two_ended_estimates(potential, dt, trajectories, seed):
    """Splitting, mean, variance and conditional means of a Langevin ensemble absorbed outside (A, B)."""
    start, left, right, temperature = TWO_ENDED
    problem = EscapeProblem(potential, start, Interval(left, right), temperature)
    sample = langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=seed, max_time=200.0)
    times, escaped = sample.times, sample.escaped
    right_exit = sample.positions[:, 0] >= (left + right) / 2  # the nearer end (bridge kills stop inside)
    return {
        "splitting_right": proportion(right_exit[escaped]),
        "mfpt": mean_first_passage(times, escaped),
        "variance": sample_variance(times[escaped]),
        "conditional_mfpt_right": mean_first_passage(times[right_exit], escaped[right_exit]),
        "conditional_mfpt_left": mean_first_passage(times[~right_exit], escaped[~right_exit]),
    }, sample


@register(
    "exit_statistics_vs_ensemble",
    derivations=("splitting_probability", "exit_time_moments", "conditional_exit_time"),
    description="exact splitting, mean, variance, conditional means (two absorbing ends) vs a Langevin ensemble",
)
def _exit_statistics_vs_ensemble(mode):
    potential = Potential.from_string(QUARTIC)
    start, left, right, temperature = TWO_ENDED
    exact = exact_escape_time(EscapeProblem(potential, start, Interval(left, right), temperature), moments=2)
    predicted = {
        "splitting_right": (exact.splitting_right, exact.splitting_error),
        "mfpt": (exact.mfpt, exact.mfpt_error * exact.mfpt),
        "variance": (exact.variance, exact.variance_error * exact.variance),
        "conditional_mfpt_right": (exact.conditional_mfpt_right, exact.conditional_error * exact.conditional_mfpt_right),
        "conditional_mfpt_left": (exact.conditional_mfpt_left, exact.conditional_error * exact.conditional_mfpt_left),
    }
    trajectories, dt = (20_000, 2e-3) if mode == QUICK else (400_000, 5e-4)
    coarse, _ = _two_ended_estimates(potential, dt, trajectories, 4100)
    fine, sample = _two_ended_estimates(potential, dt / 2, trajectories, 4200)
    order = EulerMaruyama().exit_time_bias_order(sample.bridge)
    extrapolation = 2**order - 1  # bias(dt) - bias(dt/2) = (2^p - 1) bias(dt/2)
    comparisons = []
    for name, (value, quadrature) in predicted.items():
        measured: Estimate = fine[name]
        noise = math.hypot(coarse[name].stderr, measured.stderr)
        comparisons.append(Comparison(
            f"{name}: x0={start:g}, A={left:g}, B={right:g}, T={temperature:g}, N={trajectories}, dt={dt / 2:g}",
            value, measured.value,
            ErrorBudget(z=Z, stderr=measured.stderr,
                        bias=(abs(coarse[name].value - measured.value) + Z_BIAS * noise) / extrapolation,
                        quadrature=quadrature),
            details={"coarse_dt": dt, "coarse": coarse[name].value, "coarse_stderr": coarse[name].stderr,
                     "count": measured.count, "censored": sample.censored},
        ))
    return comparisons
