"""Checks of the minimum-energy path machinery, the chain of hops and EWC in d dimensions.

1. ``path_saddles_vs_literature``: the string method plus Newton refinement
   against independent values.
   (a) Mueller-Brown potential (Mueller and Brown, Theor. Chim. Acta 53, 75,
   1979): its three minima and two saddles, found on the path from the deep
   minimum A to B through the intermediate minimum C, against the published
   coordinates (three decimals) and energies (two decimals); the budget is the
   rounding of the published digits.
   (b) The "banana" U = (x^2 + y^2 - 1)^2 + y^2 - (3/10) y^3, whose path bends
   round the ring over the top while the straight segment runs through a
   maximum at the origin.  By hand: on x = 0, U_y = y (4y^2 - (9/10) y - 2),
   so the saddle is y* = (9/10 + sqrt(81/100 + 32))/8; U(0, y*) is the barrier
   (the minima (+-1, 0) have U = 0), H(z) = diag(4(y*^2 - 1),
   4(3y*^2 - 1) + 2 - (9/5) y*), H(x*) = diag(8, 2), and the Eyring-Kramers
   rate follows.  Budget: rounding (1e-12 relative).
   (c) The 1-D restriction: on V(x) + y^2/2 (a triple well V, two hops) each
   hop rate, forward and back, equals Kramers' rate of V.  Budget: rounding.
2. ``chain_vs_fokker_planck``: the chain of hops.
   (a) The derived two-hop formula, and the birth-death sum that
   ``theory.chain_mean_first_passage_time`` evaluates, against a
   double-precision solve of the chain's linear backward equation: at the
   hop rates found, and for random chains of 3 and 4 hops (rates over four
   decades).  Budget: rounding (1e-12), 1e-10 for the random chains.
   (b) The chain's escape time on V(x) + y^2/2, V = 5[x^2(x^2-1)^2 +
   (1-x^2)^2/10] (minima -1, 0, 1; two hops; the y direction separates, so
   the exact passage time is the 1-D one of V) against the mean first-passage
   time from -1 to 1 of the 1-D Fokker-Planck backward equation, Richardson-
   extrapolated over three grids.  Declared asymptotic error: each term of
   the chain time is a product of hop times and ratios of hop rates, each
   hop rate with relative error C_1 T to first order (C_1 the Kramers
   correction coefficient of that hop, derived by theory), so the first-order
   relative error is at most T times the sum of |C_1| over the three hop
   directions used; plus the Richardson error of the reference.
3. ``ewc_critical_tasks_on_path``: EWC in two dimensions.  (a) Separable
   (x^2-1)^2 + y^2/2 anchored at the old minimum with Fisher diag(1, 2): the x
   direction is the canonical case, N* = 1/(lambda F_x) = 10 by hand.
   (b) The banana with a full Fisher matrix [[1, 1/2], [1/2, 1]]: here the
   saddle followed from N = 0 dies against the maximum before N*, and the
   path moves to the saddle below the ring; N* by continuation (re-seeded by
   the path) against a bisection in N on whether the minimum-energy path of
   U_N still has a barrier (the path machinery alone, no continuation).
   Budget: half the final bisection bracket.
"""

from __future__ import annotations

import math
import random

import numpy as np
import sympy

from numerics import fokker_planck_mfpt, richardson, transition_path
from theory import (
    EscapeProblem, KramersError, Potential, chain_escape_time, chain_mean_first_passage_time, ewc_barrier, kramers_escape,
    symbols,
)

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register

__all__ = ["MULLER_BROWN", "MULLER_BROWN_POINTS", "BANANA", "TRIPLE_WELL", "banana_by_hand"]

#: The Mueller-Brown potential with its standard parameters A, a, b, c, x0, y0.
MULLER_BROWN = (
    "-200*exp(-(x-1)**2 - 10*y**2) - 100*exp(-x**2 - 10*(y-1/2)**2) "
    "- 170*exp(-13/2*(x+1/2)**2 + 11*(x+1/2)*(y-3/2) - 13/2*(y-3/2)**2) "
    "+ 15*exp(7/10*(x+1)**2 + 3/5*(x+1)*(y-1) + 7/10*(y-1)**2)"
)
#: Published stationary points (Mueller and Brown 1979): ((x, y), U), in path order A, S1, C, S2, B.
MULLER_BROWN_POINTS = {
    "minima": (((-0.558, 1.442), -146.70), ((-0.050, 0.467), -80.77), ((0.623, 0.028), -108.17)),
    "saddles": (((-0.822, 0.624), -40.66), ((0.212, 0.293), -72.25)),
}
#: A curved double well: the path bends round a ring, the straight segment crosses a maximum.
BANANA = "(x**2 + y**2 - 1)**2 + y**2 - 3/10*y**3"
#: A triple well in x (minima -1, 0, 1) separable from y.
TRIPLE_WELL_1D = "5*(x**2*(x**2-1)**2 + (1-x**2)**2/10)"
TRIPLE_WELL = TRIPLE_WELL_1D + " + y**2/2"
ROUNDING = 1e-12
#: Relative error allowed to a double-precision linear solve of a chain whose rates span four decades.
CONDITIONING = 1e-10
GRID_CELLS = (2000, 4000, 8000)


def banana_by_hand(temperature: float) -> dict[str, float]:
    """Saddle, barrier, negative eigenvalue and Eyring-Kramers rate of :data:`BANANA` (module docstring)."""
    y = (0.9 + math.sqrt(0.81 + 32)) / 8
    barrier = (y**2 - 1) ** 2 + y**2 - 0.3 * y**3
    unstable, stable = 4 * (y**2 - 1), 4 * (3 * y**2 - 1) + 2 - 1.8 * y
    rate = abs(unstable) / (2 * math.pi) * math.sqrt(16 / abs(unstable * stable)) * math.exp(-barrier / temperature)
    return {"saddle_y": y, "barrier": barrier, "negative_eigenvalue": unstable, "rate": rate}


def _rounding(value: float) -> ErrorBudget:
    return ErrorBudget(quadrature=ROUNDING * max(abs(value), 1.0))


@register(
    "path_saddles_vs_literature",
    derivations=("eyring_kramers_rate",),
    description="string-method path + Newton: Mueller-Brown minima and saddles vs published values, a bent "
                "double well vs hand-derived saddle and rate, the 1-D restriction vs Kramers",
)
def _path_saddles(mode):
    comparisons = []
    mueller_brown = transition_path(Potential.from_string(MULLER_BROWN, "x,y"), (-0.5, 1.5), (0.6, 0.0),
                                    exact=False).numbers()
    for kind in ("minima", "saddles"):
        found = mueller_brown[kind]
        published = MULLER_BROWN_POINTS[kind]
        if len(found) != len(published):
            comparisons.append(Comparison(f"Mueller-Brown number of {kind}", len(published), len(found),
                                          ErrorBudget()))
            continue
        for index, (point, (location, energy)) in enumerate(zip(found, published)):
            for axis, name in enumerate("xy"):
                comparisons.append(Comparison(f"Mueller-Brown {kind[:-1] if kind == 'saddles' else 'minimum'} "
                                              f"{index} {name}", location[axis], point["point"][axis],
                                              ErrorBudget(quadrature=5e-4)))
            comparisons.append(Comparison(f"Mueller-Brown {kind} {index} energy", energy, point["energy"],
                                          ErrorBudget(quadrature=5e-3)))
    temperature = 0.1
    banana = transition_path(Potential.from_string(BANANA, "x,y"), (-1, 0), (1, 0)).numbers(temperature)
    hand = banana_by_hand(temperature)
    saddle = banana["saddles"][0]
    for case, predicted, measured in (
        ("banana saddle y*", hand["saddle_y"], saddle["point"][1]),
        ("banana saddle x", 0.0, saddle["point"][0]),
        ("banana barrier", hand["barrier"], banana["hops"][0]["barrier"]),
        ("banana lambda_1", hand["negative_eigenvalue"], saddle["negative_eigenvalue"]),
        ("banana rate T=0.1", hand["rate"], banana["hops"][0]["rate"]),
    ):
        comparisons.append(Comparison(case, predicted, measured, _rounding(predicted),
                                      details={"hops": len(banana["hops"])}))
    restriction = transition_path(Potential.from_string(TRIPLE_WELL, "x,y"), (-1, 0), (1, 0))
    one_d = Potential.from_string(TRIPLE_WELL_1D)
    values = {symbols.T: temperature, symbols.gamma: 1}
    kramers = [kramers_escape(one_d, start, target) for start, target in ((-1, 0), (0, 1), (0, -1), (1, 0))]
    kramers_rates = [float(sympy.N(k.rate.expression.subs({**values, **one_d.values}), 20)) for k in kramers]
    path_rates = [restriction.hops[0].forward, restriction.hops[1].forward, restriction.hops[0].backward,
                  restriction.hops[1].backward]
    for name, kramers_rate, hop in zip(("-1 -> 0", "0 -> 1", "0 -> -1", "1 -> 0"), kramers_rates, path_rates):
        rate = hop.numbers(temperature)["rate"]
        comparisons.append(Comparison(f"V(x) + y^2/2 hop {name} vs 1-D Kramers", kramers_rate, rate,
                                      _rounding(kramers_rate)))
    return comparisons


def _backward_equation(forward, backward) -> float:
    """tau_0 from the chain's backward equation (k_i^+ + k_i^-) tau_i - k_i^+ tau_{i+1} - k_i^- tau_{i-1} = 1."""
    n = len(forward)
    matrix = np.zeros((n, n))
    for i in range(n):
        back = backward[i - 1] if i > 0 else 0.0
        matrix[i, i] = forward[i] + back
        if i + 1 < n:
            matrix[i, i + 1] = -forward[i]
        if i > 0:
            matrix[i, i - 1] = -back
    return float(np.linalg.solve(matrix, np.ones(n))[0])


@register(
    "chain_vs_fokker_planck",
    derivations=("chain_escape_time",),
    description="chain of hops: two-hop formula and birth-death sum vs the backward equation; chain escape time "
                "through an intermediate minimum vs the exact (Fokker-Planck) passage time",
)
def _chain(mode):
    comparisons = []
    path = transition_path(Potential.from_string(TRIPLE_WELL, "x,y"), (-1, 0), (1, 0))
    temperatures = (0.05,) if mode == QUICK else (0.025, 0.05, 0.1)
    formula = chain_escape_time()
    one_d = Potential.from_string(TRIPLE_WELL_1D)
    for temperature in temperatures:
        forward = [hop.forward.numbers(temperature)["rate"] for hop in path.hops]
        backward = [hop.backward.numbers(temperature)["rate"] for hop in path.hops]
        linear = _backward_equation(forward, backward)
        k_ac, k_cb = forward
        k_ca = backward[0]
        closed = float(formula.evaluate(k_AC=k_ac, k_CA=k_ca, k_CB=k_cb))
        comparisons.append(Comparison(f"two-hop formula vs backward equation T={temperature:g}", linear, closed,
                                      _rounding(linear)))
        one_d_problem = EscapeProblem(one_d, start=-1.0, absorbing=1.0, temperature=temperature)
        references = [fokker_planck_mfpt(one_d_problem, cells=cells) for cells in GRID_CELLS]
        _, reference, reference_error = richardson(*references)
        corrections = [abs(float(sympy.N(kramers_escape(one_d, a, b).correction_coefficient(1).subs(one_d.values))))
                       for a, b in ((-1, 0), (0, -1), (0, 1))]
        comparisons.append(Comparison(
            f"chain escape time vs Fokker-Planck T={temperature:g}", reference, path.escape_time(temperature),
            ErrorBudget(asymptotic=temperature * sum(corrections) * reference, quadrature=reference_error),
            details={"hops": len(path.hops), "one_hop_time_1_over_k_AC": 1 / k_ac,
                     "relative_difference": path.escape_time(temperature) / reference - 1},
        ))
    generator = random.Random(20261203)
    for hops in ((3, 4) if mode == QUICK else (3, 4, 6, 8)):
        forward = [10 ** generator.uniform(-3, 1) for _ in range(hops)]
        backward = [10 ** generator.uniform(-3, 1) for _ in range(hops)]
        linear = _backward_equation(forward, backward)
        comparisons.append(Comparison(f"birth-death sum vs backward equation, {hops} hops", linear,
                                      float(chain_mean_first_passage_time(forward, backward)),
                                      ErrorBudget(quadrature=CONDITIONING * linear)))
    return comparisons


def _has_barrier(ewc, tasks: float, images: int) -> bool:
    """Whether the minimum-energy path of U_N from the old minimum to the new task still crosses a saddle."""
    landscape = ewc.potential(tasks)
    try:
        transition_path(Potential(landscape.numeric, landscape.variables, {}), ewc.start, ewc.target, exact=False,
                        images=images)
    except KramersError:
        return False
    return True


def _path_saddle(start, target):
    def finder(landscape):
        return transition_path(landscape, start, target, exact=False).numbers()["saddles"][0]["point"]

    return finder


@register(
    "ewc_critical_tasks_on_path",
    derivations=("ewc_critical_tasks",),
    description="EWC in 2-D: N* by continuation of the path's saddle vs the hand value on a separable landscape "
                "and vs a bisection on the existence of the path's barrier on the bent double well",
)
def _ewc_on_path(mode):
    comparisons = []
    separable = Potential.from_string("(x**2-1)**2 + y**2/2", "x,y")
    ewc = ewc_barrier(separable, (-1, 0), (1, 0), tasks=1, strength="1/10", fisher_matrix=[1, 2], anchor=(-1, 0),
                      saddle=_path_saddle((-1, 0), (1, 0)))
    comparisons.append(Comparison("separable N* vs 1/(lambda F_x)", 10.0, ewc.critical_tasks_value,
                                  _rounding(10.0)))
    banana = Potential.from_string(BANANA, "x,y")
    ewc = ewc_barrier(banana, (-1, 0), (1, 0), tasks=1, strength="1/10", fisher_matrix=[1, "1/2", "1/2", 1],
                      anchor=(-1, 0), saddle=_path_saddle((-1, 0), (1, 0)))
    predicted = ewc.critical_tasks_value
    low, high = 0.5 * predicted, 1.6 * predicted  # checked before bisecting; N* itself no dyadic point of it
    measured = math.nan  # fails the comparison unless the bracket holds
    # near the fold the saddle and the new minimum come closer than an image spacing and the string no longer
    # sees the barrier: measured, 41 images lose it 3e-3 to 5e-3 below N*, 161 images less than 4e-4 below
    # (docs/ewc.md); the bisection stops at a bracket wider than that resolution
    halvings, images = (5, 41) if mode == QUICK else (10, 161)
    if _has_barrier(ewc, low, images) and not _has_barrier(ewc, high, images):
        for _ in range(halvings):
            middle = (low + high) / 2
            low, high = (middle, high) if _has_barrier(ewc, middle, images) else (low, middle)
        measured = (low + high) / 2
    comparisons.append(Comparison("bent double well N* vs path bisection", predicted, measured,
                                  ErrorBudget(quadrature=(high - low) / 2),
                                  details={"bracket": [low, high]}))
    return comparisons
