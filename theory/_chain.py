"""Escape through a chain of hops: the mean first-passage time of a birth-death chain.

When the minimum-energy path from a minimum A to a minimum B passes through
intermediate minima C_1, ..., C_{n-1}, the escape is a sequence of hops
between neighbouring minima m_0 = A, m_1, ..., m_n = B.  At low temperature
each well equilibrates long before it is left, so the well index performs a
Markov jump process with the Eyring-Kramers rates k_i^+ (m_i -> m_{i+1}, over
the saddle z_i) and k_i^- (m_i -> m_{i-1}, over z_{i-1}).  The mean
first-passage time tau_i from m_i to B (absorbing, tau_n = 0) solves the
backward equation of the chain (Gardiner, Handbook of Stochastic Methods,
ch. 7; Hanggi, Talkner, Borkovec 1990, section VII)

    (k_i^+ + k_i^-) tau_i - k_i^+ tau_{i+1} - k_i^- tau_{i-1} = 1,   i = 0..n-1,  k_0^- = 0:

the time spent in m_i before its next hop, 1/(k_i^+ + k_i^-), plus the mean
time from where that hop leads.  For two hops A -> C -> B,

    tau_A = 1/k_AC + tau_C,   tau_C = 1/(k_CA + k_CB) + k_CA/(k_CA + k_CB) tau_A,

so tau_A = (k_CA + k_CB)/(k_AC k_CB) + 1/k_CB, which :func:`chain_escape_time`
derives with SymPy from the two equations.  For any n the system is
tridiagonal and its solution is the birth-death sum

    tau_0 = sum_{j=0}^{n-1} sum_{i=0}^{j} (1/k_i^+) prod_{m=i+1}^{j} k_m^-/k_m^+ ,

each term a visit to m_j entered from m_i and pushed back; one hop gives
tau_0 = 1/k_0^+, Kramers' time.  The chain's rate is 1/tau_0.  The
description holds when every barrier is large compared with T (each hop rare
on the time scale of relaxation within the wells); its error is that of the
hop rates, O(sqrt(T) |log T|^{3/2}) relative.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import mpmath
import sympy

from ._derivation import Derivation, ValidityRegime
from ._errors import InvalidParameter
from ._symbols import T
from ._typeset import Prose, written_product, written_ratio, written_sum

__all__ = ["chain_escape_time", "chain_mean_first_passage_time", "CHAIN_FORMULA"]

k_AC, k_CA, k_CB = sympy.symbols("k_AC k_CA k_CB", positive=True)
tau_A = sympy.Symbol("tau_A", positive=True)
#: The three minima of the chain, for the meanings of the hop rates.
_A, _B, _C = sympy.symbols("A B C")

#: The two-hop formula in words, as the command line and the docs print it.
CHAIN_FORMULA = (
    "tau_A = (k_CA + k_CB)/(k_AC k_CB) + 1/k_CB for A -> C -> B; in general the mean first-passage time "
    "of the birth-death chain of hops, tau_0 = sum_j sum_{i<=j} (1/k_i^+) prod_{i<m<=j} k_m^-/k_m^+"
)


@functools.lru_cache(maxsize=None)
def chain_escape_time() -> Derivation:
    """tau_A = (k_CA + k_CB)/(k_AC k_CB) + 1/k_CB, solved by SymPy from the chain's backward equations."""
    time_a, time_c = sympy.symbols("tau_A tau_C", positive=True)
    equations = [
        sympy.Eq(time_a, 1 / k_AC + time_c),
        sympy.Eq(time_c, 1 / (k_CA + k_CB) + k_CA / (k_CA + k_CB) * time_a),
    ]
    solution = sympy.solve(equations, [time_a, time_c], dict=True)[0]
    return Derivation(
        name="chain_escape_time",
        title="Mean first-passage time through an intermediate minimum (chain of two hops)",
        quantity=tau_A,
        expression=sympy.apart(sympy.factor(solution[time_a]), k_AC),
        symbols={
            k_AC: Prose("rate of the hop from", _A, "to", _C, "(Eyring-Kramers)"),
            k_CA: Prose("rate of the hop from", _C, "back to", _A),
            k_CB: Prose("rate of the hop from", _C, "to", _B),
        },
        conditions=(sympy.Gt(k_AC, 0, evaluate=False), sympy.Gt(k_CB, 0, evaluate=False)),
        validity=ValidityRegime(
            "every barrier large compared with the temperature (wells equilibrate between hops); "
            "the error is that of the hop rates",
            small_parameter=T,
            error_order=sympy.sqrt(T) * sympy.Abs(sympy.log(T)) ** sympy.Rational(3, 2),
        ),
        references=("Hanggi1990", "Gardiner2009"),
        notes="Backward equation of the Markov chain of wells: time to the next hop plus the mean time from "
              "where it leads; B absorbing.",
        readable=written_sum(written_ratio(written_sum(k_CA, k_CB), written_product(k_AC, k_CB)), 1 / k_CB),
    )


def chain_mean_first_passage_time(forward: Sequence[Any], backward: Sequence[Any]) -> mpmath.mpf:
    """tau_0 of the chain m_0 -> ... -> m_n with hop rates forward[i] (m_i -> m_{i+1}), backward[i] (m_{i+1} -> m_i).

    The birth-death sum of the module docstring, in mpmath: a sum of positive
    terms, so no cancellation however far apart the rates are (a linear solve
    of the backward equation loses its pivots when one barrier is 100 T and
    another 10 T).  ``backward`` has one entry per hop; the last, from B back,
    is not used (B absorbs).
    """
    n = len(forward)
    if n == 0 or len(backward) != n:
        raise InvalidParameter(f"rates: need n >= 1 forward and n backward hop rates, got {n} and {len(backward)}")
    up = [mpmath.mpf(k) for k in forward]
    down = [mpmath.mpf(k) for k in backward]
    if any(not k > 0 for k in up) or any(k < 0 for k in down):
        raise InvalidParameter("rates: forward hop rates must be positive and backward ones non-negative")
    total = mpmath.mpf(0)
    for j in range(n):
        term = 1 / up[j]  # i = j
        total += term
        for i in range(j - 1, -1, -1):  # (1/k_i^+) prod_{i<m<=j} k_m^-/k_m^+ = term(i + 1) k_{i+1}^- / k_i^+
            term *= down[i] / up[i]
            total += term
    return total
