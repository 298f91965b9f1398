"""Overdamped Kramers escape in one dimension, derived by Laplace's method.

The exact mean first-passage time from the minimum ``a`` to a point well past
the saddle ``b`` is (Gardiner 2009, section 5.2.7)

    tau = (gamma / T) int dy e^{U(y)/T} int^y dz e^{-U(z)/T}.

For T small compared with the barrier, the outer integrand is concentrated at
the saddle and the inner one at the minimum, so each factorises into a Laplace
integral around one stationary point.  Writing U near a stationary point p as
U(p) + s U''(p) s^2/2 + U'''(p) s^3/6 + ..., rescaling s = sqrt(T) v and
expanding the exponential of the anharmonic terms in powers of sqrt(T), each
integral becomes a Gaussian integral times a power series in T whose
coefficients are Gaussian moments.  The series are derived here with SymPy for
a general U, to any order:

* order 0 gives Kramers' law, tau_K = 2 pi gamma / sqrt(U''(a) |U''(b)|) e^{dU/T}
  (Kramers 1940; Hanggi, Talkner, Borkovec 1990), whose inverse is the rate k;
* order 1 gives the first correction tau = tau_K [1 + T (c_a + c_b)] with c_a and
  c_b in terms of U''', U'''' at a and b;
* order 2 gives the coefficient of T^2, used as the declared error of order 1.

Absorbing exactly at the saddle instead of well past it halves the outer
Gaussian integral, so the mean time is tau_K / 2 = 1/(2k) to leading order.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sympy

from ._derivation import Derivation, Intermediate, ValidityRegime
from ._typeset import Prose, written_product, written_ratio, written_root, written_sum
from ._errors import InvalidParameter
from ._parse import as_expression
from ._potential import Potential
from ._stationary import EscapePoints, escape_points
from ._symbols import U as _U, a as _a, b as _b, k_B as _k_B
from ._symbols import (
    T, U3_a, U3_b, U4_a, U4_b, U5_a, U5_b, U6_a, U6_b, DeltaU, c_a, c_b, gamma, k, kappa_a, kappa_b, tau, tau_K,
)

__all__ = [
    "laplace_series",
    "escape_time_series",
    "kramers_rate",
    "kramers_escape_time",
    "kramers_correction",
    "KramersEscape",
    "kramers_escape",
]

_DERIVATIVES_A = (U3_a, U4_a, U5_a, U6_a)
_DERIVATIVES_B = (U3_b, U4_b, U5_b, U6_b)
_KRAMERS_REFERENCES = ("Kramers1940", "Hanggi1990", "Berglund2013")

_MEANINGS = {
    T: Prose("temperature (units with", sympy.Eq(_k_B, 1, evaluate=False), ")"),
    gamma: "friction coefficient",
    DeltaU: Prose("barrier height", written_sum(_U(_b), -_U(_a))),
    kappa_a: Prose("curvature of the potential at the start-basin minimum", _a),
    kappa_b: Prose("modulus of the curvature at the saddle", _b),
    tau_K: "Kramers mean escape time",
    **{symbol: Prose(f"{order} derivative of the potential at", _a)
       for symbol, order in zip((U3_a, U4_a, U5_a, U6_a), ("third", "fourth", "fifth", "sixth"))},
    **{symbol: Prose(f"{order} derivative of the potential at", _b)
       for symbol, order in zip((U3_b, U4_b, U5_b, U6_b), ("third", "fourth", "fifth", "sixth"))},
}

#: The Kramers prefactor sqrt(U''(a) |U''(b)|) / (2 pi gamma), written as one fraction under one root.
KRAMERS_PREFACTOR = written_ratio(written_root(written_product(kappa_a, kappa_b)),
                                  written_product(2, sympy.pi, gamma))


@functools.lru_cache(maxsize=None)
def laplace_series(order: int, at_saddle: bool) -> tuple[sympy.Expr, ...]:
    """Coefficients (1, C_1, ..., C_order) of a Laplace integral around a stationary point.

    At a minimum a (``at_saddle=False``):
        int e^{-(U(a+s) - U(a))/T} ds = sqrt(2 pi T / U''(a)) [1 + C_1 T + C_2 T^2 + ...];
    at a saddle b (``at_saddle=True``):
        int e^{+(U(b+s) - U(b))/T} ds = sqrt(2 pi T / |U''(b)|) [1 + C_1 T + ...].
    The coefficients are expressions in kappa and U3..U6 of that point.
    """
    if not 0 <= order <= 2:
        raise InvalidParameter(f"order must be 0, 1 or 2 (derivatives up to U^(6) are tracked), got {order}")
    kappa, derivatives = (kappa_b, _DERIVATIVES_B) if at_saddle else (kappa_a, _DERIVATIVES_A)
    sign = 1 if at_saddle else -1  # sign of the anharmonic terms in the exponent
    v, epsilon = sympy.symbols("v epsilon", real=True)
    # exponent = -kappa v^2/2 + sign * sum_n U^(n) epsilon^(n-2) v^n / n!  (s = epsilon v, epsilon = sqrt(T))
    anharmonic = sign * sum(
        derivative * epsilon ** (n - 2) * v**n / sympy.factorial(n)
        for n, derivative in zip(range(3, 7), derivatives)
    )
    expansion = sympy.series(sympy.exp(anharmonic), epsilon, 0, 2 * order + 1).removeO()
    expansion = sympy.expand(expansion)
    coefficients = []
    for power in range(0, 2 * order + 1, 2):  # odd powers of epsilon carry odd moments, which vanish
        term = expansion.coeff(epsilon, power)
        polynomial = sympy.Poly(term, v)
        moment_sum = sum(
            coefficient * _gaussian_moment(monomial[0], kappa)
            for monomial, coefficient in zip(polynomial.monoms(), polynomial.coeffs())
        )
        coefficients.append(sympy.factor(sympy.expand(moment_sum)))
    return tuple(coefficients)


def _gaussian_moment(n: int, kappa: sympy.Expr) -> sympy.Expr:
    """int v^n e^{-kappa v^2/2} dv / int e^{-kappa v^2/2} dv = (n-1)!! / kappa^(n/2) for even n, else 0."""
    if n % 2:
        return sympy.Integer(0)
    return sympy.factorial2(n - 1) / kappa ** sympy.Rational(n, 2)


@functools.lru_cache(maxsize=None)
def escape_time_series(order: int) -> tuple[sympy.Expr, ...]:
    """(1, C_1, ..., C_order) with tau = tau_K (1 + C_1 T + C_2 T^2 + ...), and tau_K itself first.

    Returns ``(tau_K_expression, 1, C_1, ...)``: the product of the minimum's
    and the saddle's Laplace series, and the leading factor
    (gamma/T) * sqrt(2 pi T/kappa_a) * sqrt(2 pi T/kappa_b) * e^{DeltaU/T}.
    """
    minimum = laplace_series(order, at_saddle=False)
    saddle = laplace_series(order, at_saddle=True)
    leading = (gamma / T) * sympy.sqrt(2 * sympy.pi * T / kappa_a) * sympy.sqrt(2 * sympy.pi * T / kappa_b)
    leading = sympy.powsimp(sympy.simplify(leading)) * sympy.exp(DeltaU / T)
    product = [
        sympy.factor(sum(minimum[i] * saddle[n - i] for i in range(n + 1)))
        for n in range(order + 1)
    ]
    return (leading, *product)


def kramers_escape_time() -> Derivation:
    """tau_K = 2 pi gamma / sqrt(U''(a) |U''(b)|) e^{dU/T}: the leading Laplace term."""
    leading = escape_time_series(0)[0]
    return Derivation(
        name="kramers_escape_time",
        title="Kramers mean escape time (overdamped, one dimension)",
        quantity=tau_K,
        expression=leading,
        symbols={s: _MEANINGS[s] for s in (gamma, T, DeltaU, kappa_a, kappa_b)},
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(kappa_b, 0, evaluate=False), sympy.Gt(DeltaU, 0, evaluate=False)),
        validity=ValidityRegime(
            "barrier large compared with the temperature; absorbing point well past the saddle "
            "(absorbing at the saddle itself halves the time)",
            small_parameter=T / DeltaU,
            error_order=T / DeltaU,
        ),
        references=_KRAMERS_REFERENCES,
        notes="Leading term of Laplace's method applied to the exact double integral for the mean first-passage time.",
        readable=written_product(written_ratio(written_product(2, sympy.pi, gamma),
                                               written_root(written_product(kappa_a, kappa_b))),
                                 sympy.exp(DeltaU / T)),
    )


def kramers_rate() -> Derivation:
    """k = 1/tau_K = sqrt(U''(a) |U''(b)|) / (2 pi gamma) e^{-dU/T}."""
    escape = kramers_escape_time()
    return dataclasses.replace(
        escape,
        name="kramers_rate",
        title="Kramers escape rate (overdamped, one dimension)",
        quantity=k,
        expression=sympy.powsimp(1 / escape.expression),
        notes="Inverse of the Kramers mean escape time; the escape law is exponential with this rate.",
        readable=written_product(KRAMERS_PREFACTOR, sympy.exp(-DeltaU / T)),
    )


def kramers_correction() -> Derivation:
    """tau = tau_K [1 + T (c_a + c_b)], with c_a, c_b derived by Laplace's method."""
    _, _, first = escape_time_series(1)
    return Derivation(
        name="kramers_correction",
        title="First-order correction to the Kramers escape time",
        quantity=tau,
        expression=tau_K * (1 + T * first),
        symbols={s: _MEANINGS[s] for s in (tau_K, T, kappa_a, kappa_b, U3_a, U4_a, U3_b, U4_b)},
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(kappa_b, 0, evaluate=False)),
        validity=ValidityRegime(
            Prose("barrier large compared with the temperature; the next term is the", T**2,
                  "coefficient of the same Laplace expansion"),
            small_parameter=T,
            error_order=T**2,
        ),
        references=_KRAMERS_REFERENCES,
        notes="Order-T term of the product of the Laplace series at the minimum and at the saddle.",
        readable=written_product(tau_K, written_sum(1, written_product(T, written_sum(c_a, c_b)))),
        intermediates=(
            Intermediate(c_a, written_ratio(written_sum(5 * U3_a**2, -3 * U4_a * kappa_a), 24 * kappa_a**3),
                         Prose("first Laplace coefficient at the minimum", _a)),
            Intermediate(c_b, written_ratio(written_sum(5 * U3_b**2, 3 * U4_b * kappa_b), 24 * kappa_b**3),
                         Prose("first Laplace coefficient at the saddle", _b)),
        ),
    )


# ---------------------------------------------------------------- a landscape
@dataclasses.dataclass(frozen=True)
class KramersEscape:
    """Kramers theory specialised to one landscape, start and target.

    The derivations are the general ones with U''(a), |U''(b)|, dU and the
    higher derivatives replaced by their values on this landscape (closed forms
    in any symbolic parameters when the stationary points are exact).
    """

    potential: Potential
    points: EscapePoints

    @property
    def minimum(self) -> sympy.Expr:
        return self.points.minimum.location

    @property
    def saddle(self) -> sympy.Expr:
        return self.points.saddle.location

    @property
    def barrier(self) -> sympy.Expr:
        return sympy.factor(self.points.barrier)

    @property
    def curvature_minimum(self) -> sympy.Expr:
        return self.points.minimum.curvature

    @property
    def curvature_saddle(self) -> sympy.Expr:
        """U''(b), negative."""
        return self.points.saddle.curvature

    @functools.cached_property
    def local_values(self) -> dict[sympy.Symbol, sympy.Expr]:
        """kappa_a, kappa_b, DeltaU, U3..U6 at a and b, on this landscape."""
        x = self.potential.variable
        values = {
            kappa_a: self.curvature_minimum,
            kappa_b: -self.curvature_saddle,
            DeltaU: self.barrier,
        }
        for n, (at_a, at_b) in enumerate(zip(_DERIVATIVES_A, _DERIVATIVES_B), start=3):
            derivative = self.potential.derivative(n)
            values[at_a] = sympy.factor(derivative.subs(x, self.minimum))
            values[at_b] = sympy.factor(derivative.subs(x, self.saddle))
        return values

    def _specialise(self, derivation: Derivation) -> Derivation:
        return derivation.on_landscape(self.local_values, self.potential.parameters)

    @functools.cached_property
    def rate(self) -> Derivation:
        return self._specialise(kramers_rate())

    @functools.cached_property
    def escape_time(self) -> Derivation:
        return self._specialise(kramers_escape_time())

    @functools.cached_property
    def prefactor(self) -> sympy.Expr:
        """sqrt(U''(a) |U''(b)|) / (2 pi gamma): the rate without its Arrhenius factor."""
        return sympy.factor(self.rate.expression * sympy.exp(self.barrier / T))

    def correction_coefficient(self, order: int = 1) -> sympy.Expr:
        """C_order of tau = tau_K (1 + C_1 T + C_2 T^2 + ...) on this landscape (C_1 = c_a + c_b)."""
        coefficient = escape_time_series(order)[order + 1]
        return sympy.factor(coefficient.subs(self.local_values))

    def numbers(self, temperature: Any, friction: Any = 1) -> dict[str, float]:
        """The numeric values the CLI reports, parameters at their values."""
        values = {T: temperature, gamma: friction, **self.potential.values}
        at = lambda expression: float(sympy.N(as_expression(expression).subs(values), 17))  # noqa: E731
        return {
            "minimum": at(self.minimum),
            "saddle": at(self.saddle),
            "barrier": at(self.barrier),
            "curvature_minimum": at(self.curvature_minimum),
            "curvature_saddle": at(self.curvature_saddle),
            "prefactor": at(self.prefactor),
            "rate": at(self.rate.expression),
            "escape_time": at(self.escape_time.expression),
        }


def kramers_escape(potential: Potential, start: Any, target: Any) -> KramersEscape:
    """Kramers theory for escape from the basin of ``start`` over the barrier towards ``target``."""
    return KramersEscape(potential, escape_points(potential, start, target))
