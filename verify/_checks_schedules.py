"""Checks of escape under temperature schedules (adiabatic approximation).

Every reference here is computed by a route that shares nothing with the
derivation it checks except the rate model k(T) = nu exp(-dU/T):

1. ``plateau_vs_quadrature``: the SymPy closed forms of a plateau (hazard, mean
   transition time) against mpmath tanh-sinh quadrature of k(T(t)) built from the
   schedule's own ``temperature`` expression; the adaptive Gauss-Legendre engine
   (hazard, transition probability, mean transition time, budget) against the same
   references and against nested tanh-sinh quadrature of the survival on a
   Gaussian spike plus a plateau.  Budget: the quadrature error (relative 1e-10).
2. ``spike_laplace_vs_quadrature``: Laplace's method for Gaussian and exponential
   spikes against int (k(T(t)) - k(T_0)) dt by quadrature on a ladder of the large
   parameter lambda = dU A / T_p^2 at fixed A/T_p.  The leading term is declared
   accurate to 2 |c_1|/lambda and the corrected one to 2 |c_2|/lambda^2, with c_1, c_2
   the derived coefficients of the same series (twice the first neglected term).
3. ``pulse_design_vs_brute_force``: the convexity threshold dU/2 against the sign
   change of a numerical second derivative found by bisection; the best height from
   the tangent condition against a golden-section maximisation of the gain of a
   plateau computed by quadrature; the rectangular-pulse gain formula against
   quadrature; and, at equal budget below the threshold, a Gaussian spike against a
   long low plateau: the ratio of their gains predicted by Laplace (spike) and the
   closed form (plateau) against the ratio by quadrature.  The ratio is far above 1:
   concentrating beats spreading.

Adiabatic survival against Langevin ensembles with T(t) needs the time-dependent
kernel and is not checked here.
"""

from __future__ import annotations

import functools

import mpmath
import sympy

from theory import AdiabaticEscape, GaussianSpike, Plateau, best_pulse_height, derivation, symbols
from theory._schedules import schedule_symbols
from theory._parse import as_expression

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register

__all__ = ["quadrature_hazard", "spike_excess_hazard"]

#: Relative error budget of an mpmath quadrature carried at 30 digits (10 digits are asked for).
QUADRATURE_RELATIVE = 1e-10
#: Safety factor on the first neglected term of an asymptotic series.
ASYMPTOTIC_SAFETY = 2
DIGITS = 30

_s = schedule_symbols


def _rate(prefactor, barrier):
    return lambda temperature: prefactor * mpmath.exp(-barrier / temperature)


@functools.lru_cache(maxsize=16)
def _numeric(schedule):
    """T(t) as an mpmath function and the breakpoints as numbers, built once per schedule."""
    temperature = sympy.lambdify(symbols.t, schedule.temperature, modules="mpmath")
    return temperature, tuple(mpmath.mpf(sympy.N(p, DIGITS)) for p in schedule.breakpoints())


def quadrature_hazard(schedule, prefactor, barrier, start, end):
    """int_start^end k(T(t)) dt by tanh-sinh, split at the schedule's breakpoints (independent reference)."""
    temperature, breakpoints = _numeric(schedule)
    rate = _rate(prefactor, barrier)
    points = sorted({mpmath.mpf(start), mpmath.mpf(end), *(p for p in breakpoints if start < p < end)})
    return mpmath.quad(lambda time: rate(temperature(time)), points)


def spike_excess_hazard(shape, baseline, amplitude, width, prefactor, barrier):
    """int (k(T_0 + A f(u/width)) - k(T_0)) du over the spike's support, by tanh-sinh."""
    rate = _rate(prefactor, barrier)
    if shape == "gaussian":
        profile = lambda u: mpmath.exp(-u**2 / (2 * width**2))  # noqa: E731
        points = [-mpmath.inf, *(k * width for k in (-8, -2, -1, 0, 1, 2, 8)), mpmath.inf]
    else:
        profile = lambda u: mpmath.exp(-u / width)  # noqa: E731
        points = [0, *(k * width for k in (1, 4, 16)), mpmath.inf]
    return mpmath.quad(lambda u: rate(baseline + amplitude * profile(u)) - rate(baseline), points)


# ---------------------------------------------------------------- plateaus
#: (prefactor, barrier, T_0, h, start, duration, horizon)
PLATEAU_CASES = (
    ("0.9", "1", "0.1", "0.15", "5", "20", "40"),
    ("2", "0.5", "0.05", "0.05", "0", "100", "150"),
)


@register(
    "plateau_vs_quadrature",
    derivations=("plateau_hazard", "plateau_mean_transition_time", "adiabatic_hazard", "transition_probability",
                 "mean_transition_time", "thermal_budget"),
    description="plateau closed forms and the quadrature engine vs independent tanh-sinh quadrature",
)
def _plateau_vs_quadrature(mode):
    comparisons = []
    with mpmath.workdps(DIGITS):
        for case in PLATEAU_CASES:
            prefactor, barrier, baseline, height, start, duration, horizon = (mpmath.mpf(v) for v in case)
            values = {"nu": case[0], "DeltaU": case[1], "T_0": case[2], "h": case[3], "t_s": case[4],
                      "t_d": case[5], "t_e": case[6]}
            label = f"nu={case[0]}, dU={case[1]}, T0={case[2]}, h={case[3]} on [{case[4]}, +{case[5]}]"
            schedule = Plateau(case[2], case[3], case[4], case[5])
            reference = quadrature_hazard(schedule, prefactor, barrier, 0, horizon)
            closed = derivation("plateau_hazard").evaluate(values, digits=20)
            engine = AdiabaticEscape(schedule, prefactor, barrier, horizon, digits=15)
            quadrature = QUADRATURE_RELATIVE * float(reference)
            comparisons += [
                Comparison(f"{label}: H closed form", float(closed), float(reference),
                           ErrorBudget(quadrature=quadrature)),
                Comparison(f"{label}: H engine", float(engine.hazard()), float(reference),
                           ErrorBudget(quadrature=quadrature)),
                Comparison(f"{label}: P engine", float(engine.transition_probability()),
                           float(-mpmath.expm1(-reference)), ErrorBudget(quadrature=quadrature)),
                Comparison(f"{label}: budget", float(engine.budget()), float(height * duration),
                           ErrorBudget(quadrature=QUADRATURE_RELATIVE * float(height * duration))),
            ]
            mean_closed = derivation("plateau_mean_transition_time").evaluate(
                {k: v for k, v in values.items() if k != "t_e"}, digits=20)
            mean_engine, _ = engine.mean_transition_time()
            comparisons.append(Comparison(
                f"{label}: mean time engine", float(mean_closed), float(mean_engine),
                ErrorBudget(quadrature=QUADRATURE_RELATIVE * float(mean_closed))))
        # a smooth schedule with an edge: nested tanh-sinh for the survival integral
        prefactor, barrier, horizon = mpmath.mpf("0.9"), mpmath.mpf(1), mpmath.mpf(30)
        schedule = GaussianSpike("0.1", "0.2", "12", "1.5") + Plateau("0.1", "0.05", "20", "6")
        engine = AdiabaticEscape(schedule, prefactor, barrier, horizon, digits=12)
        with mpmath.workdps(16):
            edges = [mpmath.mpf(v) for v in (0, 6, 10.5, 12, 13.5, 18, 20, 26, 30)]
            at_edges = [mpmath.mpf(0)]
            for left, right in zip(edges, edges[1:]):
                at_edges.append(at_edges[-1] + quadrature_hazard(schedule, prefactor, barrier, left, right))

            def survival(time):
                index = max(i for i, edge in enumerate(edges) if edge <= time)
                if edges[index] == time:
                    return mpmath.exp(-at_edges[index])
                rest = quadrature_hazard(schedule, prefactor, barrier, edges[index], time)
                return mpmath.exp(-at_edges[index] - rest)

            window = mpmath.quad(survival, edges)
            tail = mpmath.exp(-at_edges[-1]) / _rate(prefactor, barrier)(mpmath.mpf("0.1"))
            reference = window + tail
        mean_engine, _ = engine.mean_transition_time()
        comparisons.append(Comparison(
            "spike + plateau: mean time engine vs nested quadrature", float(reference), float(mean_engine),
            ErrorBudget(quadrature=1e-8 * float(reference))))
    return comparisons


# ------------------------------------------------------------------ spikes
#: A/T_p fixed, lambda = dU A / T_p^2 doubling.
LAPLACE_RATIO = sympy.Rational(4, 5)


@register(
    "spike_laplace_vs_quadrature",
    derivations=("gaussian_spike_laplace", "gaussian_spike_laplace_corrected", "exponential_spike_laplace",
                 "exponential_spike_laplace_corrected"),
    description="Laplace hazard of Gaussian and exponential spikes vs quadrature on a lambda ladder",
)
def _spike_laplace_vs_quadrature(mode):
    lambdas = (8, 16, 32) if mode == QUICK else (8, 16, 32, 64, 128, 256)
    comparisons = []
    barrier, prefactor, width = sympy.Integer(1), sympy.Rational(9, 10), sympy.Rational(3, 2)
    with mpmath.workdps(DIGITS):
        for shape in ("gaussian", "exponential"):
            leading = derivation(f"{shape}_spike_laplace")
            corrected = derivation(f"{shape}_spike_laplace_corrected")
            width_name = "sigma" if shape == "gaussian" else "tau_d"
            for lam in lambdas:
                peak = LAPLACE_RATIO * barrier / lam  # lambda = dU (r T_p) / T_p^2 = dU r / T_p
                amplitude = LAPLACE_RATIO * peak
                values = {"nu": prefactor, "DeltaU": barrier, "T_p": peak, "A": amplitude, width_name: width}
                measured = spike_excess_hazard(
                    shape, *(mpmath.mpf(sympy.N(v, DIGITS)) for v in (peak - amplitude, amplitude, width, prefactor,
                                                                       barrier)))
                order_0 = leading.evaluate(values, digits=20)
                order_1 = corrected.evaluate(values, digits=20)
                epsilon_0 = float(leading.validity.error_order.subs(
                    {_s[k]: v for k, v in values.items() if k in _s} | {symbols.DeltaU: barrier}))
                epsilon_1 = float(corrected.validity.error_order.subs(
                    {_s[k]: v for k, v in values.items() if k in _s} | {symbols.DeltaU: barrier}))
                ratio_0, ratio_1 = float(measured / order_0), float(measured / order_1)
                quadrature = QUADRATURE_RELATIVE
                comparisons += [
                    Comparison(f"{shape}, lambda={lam}: leading", 1.0, ratio_0,
                               ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * epsilon_0, quadrature=quadrature),
                               details={"declared_relative_error": epsilon_0}),
                    Comparison(f"{shape}, lambda={lam}: corrected", 1.0, ratio_1,
                               ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * epsilon_1, quadrature=quadrature),
                               details={"declared_relative_error": epsilon_1}),
                ]
    return comparisons


# ------------------------------------------------------------ pulse design
def _golden_maximum(function, low, high, iterations=120):
    ratio = (mpmath.sqrt(5) - 1) / 2
    a, b = mpmath.mpf(low), mpmath.mpf(high)
    for _ in range(iterations):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if function(c) > function(d):
            b = d
        else:
            a = c
    return (a + b) / 2


#: (barrier, T_0, budget): baselines well below dU/2.
DESIGN_CASES = (("1", "0.1", "2"), ("2", "0.3", "1"))
#: (barrier, T_0, T_p, budget): spikes whose peak stays below dU/2, with lambda = dU A / T_p^2 >= 6.
SPIKE_CASES = (("1", "0.02", "0.1", "2"), ("2", "0.05", "0.25", "1"))


@register(
    "pulse_design_vs_brute_force",
    derivations=("convexity_threshold", "pulse_gain", "pulse_tangent_condition"),
    description="dU/2, the tangent-condition height and spike-vs-plateau at equal budget vs brute force",
)
def _pulse_design_vs_brute_force(mode):
    comparisons = []
    with mpmath.workdps(DIGITS):
        for barrier_text, baseline_text, budget_text in DESIGN_CASES:
            barrier, baseline, budget = (mpmath.mpf(v) for v in (barrier_text, baseline_text, budget_text))
            rate = _rate(1, barrier)
            # (a) where the numerical second derivative of k changes sign, by bisection
            curvature = lambda T: mpmath.diff(rate, T, 2)  # noqa: E731
            low, high = barrier / 10, 10 * barrier
            for _ in range(80):
                middle = (low + high) / 2
                low, high = (middle, high) if curvature(middle) > 0 else (low, middle)
            threshold = derivation("convexity_threshold").evaluate(DeltaU=barrier_text, digits=20)
            comparisons.append(Comparison(
                f"dU={barrier_text}: convexity threshold", float(threshold), float((low + high) / 2),
                ErrorBudget(quadrature=1e-15 * float(barrier))))

            # (b) the best height: golden section on the quadrature gain of a plateau
            def measured_gain(height, start=1):
                schedule = Plateau(baseline_text, sympy.Float(height, DIGITS), start,
                                   sympy.Float(budget / height, DIGITS))
                end = start + budget / height + 1
                return quadrature_hazard(schedule, 1, barrier, 0, end) - rate(baseline) * end

            predicted = best_pulse_height(barrier, baseline, digits=20)
            iterations = 60 if mode == QUICK else 100
            argmax = _golden_maximum(measured_gain, predicted / 4, 4 * predicted, iterations=iterations)
            comparisons.append(Comparison(
                f"dU={barrier_text}, T0={baseline_text}: best height", float(predicted), float(argmax),
                ErrorBudget(quadrature=1e-6 * float(predicted)),
                details={"peak_over_barrier": float((baseline + predicted) / barrier)}))
            gain = derivation("pulse_gain").evaluate(
                B=budget_text, h=sympy.Float(predicted, 25), nu=1, DeltaU=barrier_text, T_0=baseline_text, digits=20)
            comparisons.append(Comparison(
                f"dU={barrier_text}, T0={baseline_text}: gain at the best height", float(gain),
                float(measured_gain(predicted)), ErrorBudget(quadrature=QUADRATURE_RELATIVE * float(gain))))

        # (c) equal budget, below the threshold: a Gaussian spike vs a plateau 100 times lower
        for barrier_text, baseline_text, peak_text, budget_text in SPIKE_CASES:
            barrier, baseline, peak, budget = (mpmath.mpf(v) for v in (barrier_text, baseline_text, peak_text,
                                                                       budget_text))
            amplitude = peak - baseline
            width = budget / (amplitude * mpmath.sqrt(2 * mpmath.pi))
            spread = amplitude / 100
            values = {"nu": 1, "DeltaU": barrier_text, "T_p": peak_text, "A": sympy.Float(amplitude, 25),
                      "sigma": sympy.Float(width, 25)}
            laplace = derivation("gaussian_spike_laplace_corrected")
            declared = float(laplace.validity.error_order.subs(
                {_s[k]: as_expression(v) for k, v in values.items() if k in _s} | {symbols.DeltaU: as_expression(barrier_text)}))
            spike = laplace.evaluate(values, digits=20)
            plateau = derivation("pulse_gain").evaluate(
                B=budget_text, h=sympy.Float(spread, 25), nu=1, DeltaU=barrier_text, T_0=baseline_text, digits=20)
            measured_spike = spike_excess_hazard("gaussian", baseline, amplitude, width, 1, barrier)
            schedule = Plateau(baseline_text, sympy.Float(spread, DIGITS), 1, sympy.Float(budget / spread, DIGITS))
            end = 2 + budget / spread
            measured_plateau = (quadrature_hazard(schedule, 1, barrier, 0, end)
                                - _rate(1, barrier)(baseline) * end)
            predicted_ratio, measured_ratio = float(spike / plateau), float(measured_spike / measured_plateau)
            comparisons.append(Comparison(
                f"dU={barrier_text}, T0={baseline_text}, B={budget_text}: spike (T_p={peak_text}) / plateau",
                predicted_ratio, measured_ratio,
                ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * declared * predicted_ratio,
                            quadrature=2 * QUADRATURE_RELATIVE * measured_ratio),
                details={"concentrating_wins": measured_ratio > 1, "lambda": float(barrier * amplitude / peak**2)}))

    return comparisons
