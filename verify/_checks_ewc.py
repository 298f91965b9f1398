"""Checks of the EWC barrier derivations and of the Eyring-Kramers rate.

1. ``ewc_reduction_vs_direct_sum``: the reduced quadratic (stiffness, centre,
   constant) against the N penalties summed term by term, in exact rational
   arithmetic at random points, for random positive semi-definite Fisher
   matrices in three dimensions; and the general 1-D derivation (sums over i)
   against the same direct sum.  Budget: zero (exact arithmetic) up to
   rounding of the float conversion.
2. ``ewc_canonical_vs_hand``: the canonical case E(s) = (s^2-1)^2 anchored at
   s = -1.  The derived closed-form barrier against U_N at the hand-derived
   saddle (1 - sqrt(1-c))/2 of the canonical case (docs/ewc.md) (evaluated with mpmath, no
   SymPy), on a ladder of c = N lambda F up to 0.99; the derived N* against the
   point where a float scan of U_N' stops finding a maximum (bisection).
3. ``ewc_series_vs_exact``: the series dU(0) + slope N + curvature N^2 against
   the exact barrier.  (a) Coefficients: slope and curvature against finite
   central differences of the exact barrier (on the canonical landscape and
   on an asymmetric, numerically solved one), with the step-size error
   measured on a two-rung h ladder as the budget (the coarse-fine difference
   is three times the O(h^2) error of the fine rung).  (b) Linear growth for small c: the exact
   barrier against the linear law with the declared error 2 |curvature| N^2.
   The departure from the line as N -> N* is measured and reported in the
   details (relative departure at c = 0.5, 0.9, 0.99), not budgeted.
4. ``ewc_rate_vs_ensemble``: Langevin ensembles on U_N (1-D in the canonical
   case) at N = 0, 2, 4 with lambda F = 0.1, T = 0.25, absorbing at the
   new-task minimum.  Prediction tau = Phi(d/sigma_b) tau_K (1 + C_1 T): Kramers'
   law from the derivation, its first correction C_1 (theory's
   correction_coefficient) and the Gaussian mass of the saddle that lies
   before the absorbing point (d its distance to the saddle, sigma_b =
   sqrt(T / |U_N''(b)|)).  Budget: z x stderr + the dt bias measured on a
   two-rung ladder + the declared asymptotic error 2 |C_2| T^2.  The
   plasticity ratio k_N / k_0 (the exponential collapse in N) is compared as
   tau_0 / tau_N with the budgets of both times propagated.
5. ``eyring_kramers_vs_1d_and_hand``: the d-dimensional rate against the 1-D
   Kramers rate on separable landscapes (they must coincide), and against a
   rate computed by hand for U = (x^2-1)^2 + y^2/2 + c x y: minimum at
   x^2 = 1 + c^2/4, y = -c x, barrier 1 + c^2/2 + c^4/16, det H(x*) = 8 + 2c^2,
   |det H(z)| = 4 + c^2, |lambda_1| = (3 + sqrt(25 + 4c^2))/2.
6. ``ewc_network_barriers`` (needs PyTorch and scikit-learn): the EWC barrier in a
   trained MLP (verify._network, docs/networks.md).  Per N, the barrier read off
   the Arrhenius line of Langevin first-passage times against the predicted one,
   min U_N on {L_{N+1} = l*} - min U_N (constrained minimisation); and the slope
   of the measured barriers in N against the slope of the predicted ones.
   Budget: z x stderr of the fit + the bias of reading a barrier on this dU/T
   ladder, measured on the harmonic analogue by exact quadrature
   (verify._network.ladder_bias, +7% at dU/T = 1.5, 2.5, 3.5) + a declared 10%
   for what the harmonic 1-D analogue leaves out (the discrete-time monitoring of
   the boundary, about 0.06/sqrt(dU/T) relative at the step used, and the
   anharmonic and d-dimensional terms of the prefactor).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import mpmath
import sympy

from theory import (
    EscapeProblem,
    Potential, canonical_ewc, ewc_barrier, ewc_canonical_barrier, ewc_critical_tasks, ewc_penalty_reduction,
    ewc_plasticity_ratio, ewc_rate, eyring_kramers_escape, kramers_escape, reduce_penalties, symbols,
)
from theory._ewc import N, fisher, lam
from theory._parse import as_expression

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register
from ._checks_kramers import ensemble_mean

__all__ = ["canonical_barrier_by_hand", "hand_rate_coupled"]

Z = 4.0
ROUNDING = 1e-12
#: Relative rounding of a barrier converted to a float; divided by h^2 it bounds the rounding of a difference.
FLOAT_ROUNDING = 1e-15
ASYMPTOTIC_SAFETY = 2


# ------------------------------------------------------------------ 1. reduction
def _random_psd(generator: random.Random, dimension: int) -> list[list[Fraction]]:
    """A^T A with small random rational A: symmetric positive semi-definite."""
    a = [[Fraction(generator.randint(-4, 4), generator.randint(1, 3)) for _ in range(dimension)]
         for _ in range(dimension)]
    return [[sum(a[k][i] * a[k][j] for k in range(dimension)) for j in range(dimension)] for i in range(dimension)]


def _direct_sum(tasks, strength, theta) -> Fraction:
    total = Fraction(0)
    for anchor, matrix in tasks:
        offset = [t - a for t, a in zip(theta, anchor)]
        total += strength / 2 * sum(offset[i] * matrix[i][j] * offset[j]
                                    for i in range(len(theta)) for j in range(len(theta)))
    return total


@register(
    "ewc_reduction_vs_direct_sum",
    derivations=("ewc_penalty_reduction",),
    description="N EWC penalties reduced to one quadratic vs the penalties summed term by term (exact arithmetic)",
)
def _reduction(mode):
    generator = random.Random(20260)
    dimension, count = 3, (4 if mode == QUICK else 8)
    variables = sympy.symbols("x y z", real=True)
    tasks = [([Fraction(generator.randint(-6, 6), 2) for _ in range(dimension)], _random_psd(generator, dimension))
             for _ in range(count)]
    strength = Fraction(3, 10)
    from theory import EWCTask

    reduced = reduce_penalties(
        [EWCTask(tuple(sympy.Rational(a.numerator, a.denominator) for a in anchor),
                 sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in matrix]))
         for anchor, matrix in tasks],
        sympy.Rational(3, 10), variables,
    )
    expression = reduced.expression(variables)
    comparisons = []
    for trial in range(5):
        theta = [Fraction(generator.randint(-20, 20), generator.randint(1, 5)) for _ in range(dimension)]
        direct = _direct_sum(tasks, strength, theta)
        value = expression.subs({v: sympy.Rational(t.numerator, t.denominator) for v, t in zip(variables, theta)})
        comparisons.append(Comparison(
            f"d=3, N={count}, point {trial}: reduced vs direct sum", float(direct), float(value),
            ErrorBudget(quadrature=ROUNDING * (1 + abs(float(direct)))),
            details={"exact_difference": str(sympy.Rational(value) - sympy.Rational(direct.numerator, direct.denominator))},
        ))
    # the general 1-D derivation with its sums carried out for three tasks
    general = ewc_penalty_reduction()
    one_d = [(Fraction(-1), Fraction(2)), (Fraction(1, 2), Fraction(1, 3)), (Fraction(3), Fraction(0))]
    F_base = next(s for s in general.symbols if str(s) == "F")
    anchor_base = next(s for s in general.symbols if str(s) == "theta^*")
    count_symbol = next(s for s in general.symbols if str(s) == "N")
    theta_symbol = next(s for s in general.symbols if str(s) == "theta")
    expression = general.expression.subs(count_symbol, len(one_d)).doit()
    replacements = {}
    for i, (anchor, information) in enumerate(one_d, start=1):
        replacements[sympy.Indexed(F_base, i)] = sympy.Rational(information.numerator, information.denominator)
        replacements[sympy.Indexed(anchor_base, i)] = sympy.Rational(anchor.numerator, anchor.denominator)
    for theta in (Fraction(-2), Fraction(1, 7), Fraction(5, 2)):
        value = expression.subs(replacements).subs({lam: sympy.Rational(3, 10),
                                                    theta_symbol: sympy.Rational(theta.numerator, theta.denominator)})
        direct = _direct_sum([([a], [[f]]) for a, f in one_d], strength, [theta])
        comparisons.append(Comparison(
            f"general 1-D derivation, N=3, theta={theta}", float(direct), float(value),
            ErrorBudget(quadrature=ROUNDING * (1 + abs(float(direct)))),
        ))
    return comparisons


# ------------------------------------------------------------------ 2. canonical case
def canonical_barrier_by_hand(c) -> mpmath.mpf:
    """U_N(s_b) - U_N(-1) with s_b = (1 - sqrt(1-c))/2 (docs/ewc.md), in mpmath."""
    c = mpmath.mpf(c)
    saddle = (1 - mpmath.sqrt(1 - c)) / 2
    return (saddle**2 - 1) ** 2 + c / 2 * (saddle + 1) ** 2


def _has_barrier(c: float, grid: int = 20000) -> bool:
    """A float scan of U_N' = 4s^3 - 4s + c (s+1) on [-1, 1]: is there a maximum (+ to - change)?"""
    previous = None
    for i in range(1, grid + 1):
        s = -1 + 2 * i / grid
        slope = 4 * s**3 - 4 * s + c * (s + 1)
        if previous is not None and previous > 0 >= slope:
            return True
        previous = slope
    return False


@register(
    "ewc_canonical_vs_hand",
    derivations=("ewc_canonical_barrier", "ewc_critical_tasks"),
    description="canonical EWC case: derived barrier vs the hand saddle; derived N* vs a float scan",
)
def _canonical(mode):
    barrier = ewc_canonical_barrier()
    critical = ewc_critical_tasks()
    strength, information = sympy.Rational(1, 10), sympy.Integer(2)
    ladder = (0.1, 0.5, 0.9, 0.99) if mode == QUICK else (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999)
    comparisons = []
    with mpmath.workdps(30):
        for c in ladder:
            tasks = sympy.nsimplify(c) / (strength * information)
            predicted = float(barrier.evaluate({N: tasks, lam: strength, fisher: information}))
            measured = float(canonical_barrier_by_hand(sympy.N(sympy.nsimplify(c), 30)))
            comparisons.append(Comparison(f"barrier at c={c:g}", predicted, measured,
                                          ErrorBudget(quadrature=ROUNDING * measured)))
    low, high = 0.0, 2.0
    for _ in range(45):
        middle = (low + high) / 2
        low, high = (middle, high) if _has_barrier(middle) else (low, middle)
    scan_resolution = 2 / 20000  # the scan misses a maximum narrower than its grid: c is resolved to ~ (grid step)^2
    predicted = float(critical.evaluate({lam: strength, fisher: information}))
    measured = (low + high) / 2 / float(strength * information)
    comparisons.append(Comparison(
        "N* (lambda=0.1, F=2) vs float scan", predicted, measured,
        ErrorBudget(bias=4 * scan_resolution**2 / float(strength * information) + (high - low)),
        details={"critical_c_scan": (low + high) / 2},
    ))
    return comparisons


# ------------------------------------------------------------------ 3. series
def _finite_differences(barrier_of, h):
    """Central differences (error O(h^2)); U + N q is defined for N < 0 too, so N = -h is allowed."""
    below, centre, above = barrier_of(-h), barrier_of(0), barrier_of(h)
    slope = (above - below) / (2 * h)
    curvature = (above - 2 * centre + below) / (2 * h**2)  # the coefficient of N^2, dU''(0)/2
    return slope, curvature


@register(
    "ewc_series_vs_exact",
    derivations=("ewc_barrier_series",),
    description="barrier series in N: slope and curvature vs finite differences of the exact barrier; linear growth "
                "for small N lambda F",
)
def _series(mode):
    comparisons = []
    landscapes = [
        ("canonical (x^2-1)^2, anchor -1", Potential.from_string("(x**2-1)**2"), -1, 1, -1),
        ("asymmetric x^4/4 - x^2/2 + x/10, anchor -1", Potential.from_string("x**4/4 - x**2/2 + x/10"), -1, "1.2", -1),
    ]
    for name, potential, start, target, anchor in landscapes:
        ewc = ewc_barrier(potential, start, target, tasks=1, strength="1/10", fisher_matrix=1, anchor=anchor)
        values = {lam: sympy.Rational(1, 10), fisher: 1}
        _, slope, curvature = (float(sympy.N(e.subs(values), 20)) for e in ewc.series)

        def barrier_of(n):
            return float(sympy.N(ewc.escape_at(sympy.nsimplify(n)).barrier.subs({**values, N: sympy.nsimplify(n)}), 25))

        h = 1e-3 if mode == QUICK else 5e-4
        coarse = _finite_differences(barrier_of, 2 * h)
        fine = _finite_differences(barrier_of, h)
        for label, predicted, fine_value, coarse_value in (
            ("slope", slope, fine[0], coarse[0]), ("curvature", curvature, fine[1], coarse[1]),
        ):
            comparisons.append(Comparison(
                f"{name}: {label} vs finite differences (h={h:g})", predicted, fine_value,
                ErrorBudget(bias=coarse_value - fine_value, quadrature=FLOAT_ROUNDING / h**2),
                details={"coarse_h": 2 * h, "coarse": coarse_value},
            ))
    ewc = canonical_ewc()
    values = {lam: sympy.Rational(1, 10), fisher: 1}
    base, slope, curvature = (float(sympy.N(e.subs(values), 20)) for e in ewc.series)
    departures = {}
    for c in (0.01, 0.05, 0.5, 0.9, 0.99):
        tasks = c / 0.1
        exact = float(canonical_barrier_by_hand(c))
        linear = base + slope * tasks
        departures[f"c={c:g}"] = (exact - linear) / (exact - base)
        if c <= 0.05:
            comparisons.append(Comparison(
                f"canonical: linear growth at c={c:g}", linear, exact,
                ErrorBudget(asymptotic=ASYMPTOTIC_SAFETY * abs(curvature) * tasks**2),
                details={"relative_departure_from_line": departures[f"c={c:g}"]},
            ))
    comparisons[-1].details["relative_departure_from_line"] = departures
    return comparisons


# ------------------------------------------------------------------ 4. rate by ensembles
def _prediction(ewc, tasks, temperature):
    """tau = Phi(d / sigma_b) tau_K (1 + C1 T) at N = tasks, with C1, C2 and the new-task minimum."""
    escape = ewc.escape_at(tasks)
    values = {**ewc.values, N: tasks, symbols.T: temperature, symbols.gamma: 1}
    at = lambda e: float(sympy.N(as_expression(e).subs(values), 20))  # noqa: E731
    rate = at(escape.rate.expression)
    first, second = at(escape.correction_coefficient(1)), at(escape.correction_coefficient(2))
    saddle, curvature = at(escape.saddle), -at(escape.curvature_saddle)
    c = float(tasks) * 0.1
    target = (1 + math.sqrt(1 - c)) / 2  # the new-task minimum (hand formula)
    mass = 0.5 * math.erfc(-(target - saddle) / math.sqrt(2 * temperature / curvature))
    tau = mass / rate * (1 + first * temperature)
    return tau, rate, first, second, target, mass


@register(
    "ewc_rate_vs_ensemble",
    derivations=("ewc_rate", "ewc_plasticity_ratio"),
    description="canonical EWC: Langevin mean exit times at N = 0, 2, 4 vs Kramers on U_N; plasticity ratio "
                "tau_0/tau_N vs k_N/k_0",
)
def _rate_ensemble(mode):
    rate_derivation = ewc_rate()
    ratio_derivation = ewc_plasticity_ratio()
    temperature = 0.25
    strength, information = sympy.Rational(1, 10), sympy.Integer(1)
    trajectories, dt = (4000, 5e-3) if mode == QUICK else (100_000, 2e-3)
    ewc = canonical_ewc()
    results = {}
    comparisons = []
    for index, tasks in enumerate((0, 2, 4)):
        tau, rate, first, second, target, mass = _prediction(ewc, sympy.Integer(tasks), temperature)
        derived_rate = float(rate_derivation.evaluate(
            {N: tasks, lam: strength, fisher: information, symbols.T: temperature, symbols.gamma: 1}))
        potential = Potential.from_string(f"(x**2-1)**2 + {tasks}*(1/10)/2*(x+1)**2")
        max_time = 60 * tau
        problem = EscapeProblem(potential, start=-1.0, absorbing=target, temperature=temperature)
        coarse, _ = ensemble_mean(problem, 2 * dt, trajectories, 3100 + index, max_time)
        fine, sample = ensemble_mean(problem, dt, trajectories, 3200 + index, max_time)
        predicted = mass / derived_rate * (1 + first * temperature)
        budget = ErrorBudget(z=Z, stderr=fine.stderr, bias=coarse.value - fine.value,
                             asymptotic=ASYMPTOTIC_SAFETY * abs(second) * temperature**2 * predicted)
        results[tasks] = (fine, budget, predicted, first, mass, derived_rate)
        comparisons.append(Comparison(
            f"N={tasks} (c={tasks / 10:g}), T={temperature:g}: mean exit time", predicted, fine.value, budget,
            problem=problem,
            details={"tasks": tasks, "kramers_rate": derived_rate, "C1": first, "C2": second, "saddle_mass": mass,
                     "coarse_dt": 2 * dt, "coarse_mean": coarse.value, "censored": sample.censored,
                     "target": target, "rate_from_escape_object": rate},
        ))
    fine0, budget0, predicted0, first0, mass0, _ = results[0]
    for tasks in (2, 4):
        fine, budget, predicted, first, mass, _ = results[tasks]
        ratio = float(ratio_derivation.evaluate({N: tasks, lam: strength, fisher: information, symbols.T: temperature}))
        predicted_ratio = ratio * (mass0 * (1 + first0 * temperature)) / (mass * (1 + first * temperature))
        measured_ratio = fine0.value / fine.value
        relative = lambda b, v: b.tolerance / v  # noqa: E731
        comparisons.append(Comparison(
            f"plasticity ratio k_{tasks}/k_0 = tau_0/tau_{tasks}", predicted_ratio, measured_ratio,
            ErrorBudget(asymptotic=predicted_ratio * (relative(budget0, predicted0) + relative(budget, predicted))),
            details={
                "leading_order_ratio": ratio,
                "measured_log_slope_per_task": math.log(measured_ratio) / tasks,
                "derived_linear_log_slope_per_task": -float(sympy.N(ewc.slope.subs({lam: strength, fisher: information})))
                / temperature,
            },
        ))
    return comparisons


# ------------------------------------------------------------------ 5. Eyring-Kramers
def hand_rate_coupled(c: float, temperature: float) -> float:
    """Eyring-Kramers rate of (x^2-1)^2 + y^2/2 + c x y, computed by hand (module docstring)."""
    barrier = 1 + c**2 / 2 + c**4 / 16
    eigenvalue = (3 + math.sqrt(25 + 4 * c**2)) / 2
    return eigenvalue / (2 * math.pi) * math.sqrt((8 + 2 * c**2) / (4 + c**2)) * math.exp(-barrier / temperature)


@register(
    "eyring_kramers_vs_1d_and_hand",
    derivations=("eyring_kramers_rate",),
    description="d-dimensional Eyring-Kramers rate vs 1-D Kramers on separable landscapes and vs a hand-computed "
                "coupled case",
)
def _eyring_kramers(mode):
    temperature = 0.1
    comparisons = []
    one_d = kramers_escape(Potential.from_string("(x**2-1)**2"), -1, 1)
    reference = float(sympy.N(one_d.rate.expression.subs({symbols.T: temperature, symbols.gamma: 1}), 20))
    separable = [("(x**2-1)**2 + y**2/2", "x,y", (-1, 0), (1, 0), (0, 0)),
                 ("(x**2-1)**2 + y**2/2 + 2*z**2", "x,y,z", (-1, 0, 0), (1, 0, 0), (0, 0, 0))]
    for text, variables, start, target, saddle in separable:
        theory = eyring_kramers_escape(Potential.from_string(text, variables), start, target, saddle=saddle)
        value = float(sympy.N(theory.rate.expression.subs({symbols.T: temperature, symbols.gamma: 1}), 20))
        comparisons.append(Comparison(f"separable {text} vs 1-D (x^2-1)^2", reference, value,
                                      ErrorBudget(quadrature=ROUNDING * reference),
                                      details={"exact": theory.exact}))
    couplings = (0.2, 0.5) if mode == QUICK else (0.1, 0.2, 0.5, 0.8)
    for c in couplings:
        theory = eyring_kramers_escape(
            Potential.from_string(f"(x**2-1)**2 + y**2/2 + {c}*x*y", "x,y"), (-1, 0), (1, 0), saddle=(0, 0))
        value = float(sympy.N(theory.rate.expression.subs({symbols.T: temperature, symbols.gamma: 1}), 20))
        hand = hand_rate_coupled(c, temperature)
        comparisons.append(Comparison(f"coupled c={c:g} vs hand", hand, value, ErrorBudget(quadrature=ROUNDING * hand),
                                      details={"exact": theory.exact}))
    return comparisons


@register(
    "ewc_network_barriers",
    derivations=("ewc_rate",),
    description="trained MLP, permuted digits: Arrhenius barrier of Langevin learning of task N+1 vs the "
                "constrained minimum of U_N, per N and its slope in N; needs PyTorch",
    requires=("torch", "sklearn"),
)
def _network_barriers(mode):
    """The seed's claim on a real network: the measured EWC barrier against the toolkit's prediction."""
    from ._network import EWCNetworkExperiment, ladder_bias, run_experiment

    if mode == QUICK:
        experiment = EWCNetworkExperiment(tasks=(1, 2), strength=0.2, runs=16, seed=0, ladder=(1.5, 3.0),
                                          max_steps=8000)
    else:
        experiment = EWCNetworkExperiment(tasks=(1, 2, 3), strength=0.2, runs=48, seed=0, max_steps=24000)
    payload = run_experiment(experiment)
    bias = ladder_bias(experiment.ladder)
    comparisons = []
    for n, measured, predicted in zip(payload["tasks"], payload["barrier"], payload["predicted_barrier"]):
        if measured is None:
            raise RuntimeError(f"N = {n}: fewer than two temperatures had two escapes; no Arrhenius barrier")
        comparisons.append(Comparison(
            f"N={n}: Arrhenius barrier vs min U_N on {{L = l*}} - min U_N", predicted, measured["value"],
            ErrorBudget(z=Z, stderr=measured["stderr"], bias=bias * predicted, asymptotic=0.1 * predicted),
            {"runs": experiment.runs, "temperatures": payload["temperature_ladders"][payload["tasks"].index(n)]}))
    slope = payload["predicted_slope"]
    comparisons.append(Comparison(
        "slope of the barrier in N: measured vs predicted", slope, payload["slope"],
        ErrorBudget(z=Z, stderr=payload["slope_stderr"], bias=bias * slope, asymptotic=0.1 * abs(slope)),
        {"tasks": payload["tasks"]}))
    return comparisons
