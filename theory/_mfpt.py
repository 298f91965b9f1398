"""The exact mean first-passage time in one dimension.

For overdamped Langevin dynamics dx = -U'(x)/gamma dt + sqrt(2T/gamma) dW, the
mean time to reach an absorbing point b > x0, starting from x0, with a
reflecting boundary at L < x0 (L = -infinity allowed when U confines), solves
the backward equation (T/gamma) tau'' - (U'/gamma) tau' = -1 with
tau(b) = 0 and tau'(L) = 0, whose solution is the double integral
(Gardiner 2009, eq. 5.2.160)

    tau(x0) = (gamma/T) int_{x0}^{b} dy e^{U(y)/T} int_{L}^{y} dz e^{-U(z)/T}.

For b < x0 the mirror image holds with the reflecting end R > x0.  mpmath's
tanh-sinh quadrature evaluates it to any requested number of digits: the
integration ranges are split at the stationary points of U, where the
integrands peak, and the working precision carries ten guard digits.  This is
the ground truth every ensemble and every asymptotic formula is checked against.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import mpmath
import sympy

from ._derivation import Derivation, ValidityRegime
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._typeset import Prose, written_product, written_ratio
from ._errors import InvalidParameter
from ._parse import as_expression
from ._potential import Potential
from ._stationary import critical_points
from ._symbols import L, T, b, gamma, tau, x0

__all__ = ["exact_mfpt", "MeanFirstPassageTime", "mean_first_passage_time"]

_U = sympy.Function("U")
_y, _z = sympy.symbols("y z", real=True)

#: Guard digits carried beyond the requested ones.
GUARD_DIGITS = 10
#: At a reflecting end at infinity, U must exceed its minimum by this many T
#: at the outermost quadrature breakpoint plus one landscape length: beyond it
#: the neglected mass is below e^{-60}.
CONFINEMENT = 60


def exact_mfpt() -> Derivation:
    """The general double-integral formula, with U left as an undefined function."""
    inner = sympy.Integral(sympy.exp(-_U(_z) / T), (_z, L, _y))
    expression = (gamma / T) * sympy.Integral(sympy.exp(_U(_y) / T) * inner, (_y, x0, b))
    return Derivation(
        name="exact_mfpt",
        title="Exact mean first-passage time (overdamped, one dimension)",
        quantity=tau,
        expression=expression,
        symbols={
            gamma: "friction coefficient",
            T: _KRAMERS_MEANINGS[T],
            x0: "starting point",
            b: Prose("absorbing point (", sympy.Gt(b, x0), "; mirror the formula for", sympy.Lt(b, x0), ")"),
            L: Prose("reflecting end (may be", -sympy.oo, "when the potential confines)"),
        },
        conditions=(sympy.Lt(x0, b, evaluate=False), sympy.Lt(L, x0, evaluate=False)),
        validity=ValidityRegime("exact for any temperature and barrier"),
        references=("Gardiner2009", "Hanggi1990"),
        notes="Solution of the backward Kolmogorov equation with an absorbing and a reflecting end.",
        readable=written_product(written_ratio(gamma, T), sympy.Integral(
            written_product(sympy.exp(_U(_y) / T), inner), (_y, x0, b))),
    )


@dataclasses.dataclass(frozen=True)
class MeanFirstPassageTime:
    """The exact MFPT to ``digits`` significant digits, with the quadrature's error estimate."""

    value: mpmath.mpf
    digits: int
    error_estimate: mpmath.mpf

    def __str__(self) -> str:
        return mpmath.nstr(self.value, self.digits, strip_zeros=False)

    def __float__(self) -> float:
        return float(self.value)


def _positive(value: Any, what: str) -> mpmath.mpf:
    number = mpmath.mpf(sympy.N(as_expression(value, what=what), 30)) if not isinstance(value, mpmath.mpf) else value
    if not number > 0 or not mpmath.isfinite(number):
        raise InvalidParameter(f"{what} must be a positive finite number, got {value}", parameter=what)
    return number


def mean_first_passage_time(
    potential: Potential,
    start: Any,
    target: Any,
    temperature: Any,
    *,
    friction: Any = 1,
    digits: int = 15,
    reflect: Any = None,
) -> MeanFirstPassageTime:
    """Evaluate the exact MFPT from ``start`` to ``target`` to ``digits`` significant digits.

    ``reflect`` is the reflecting end on the far side of ``start`` (default:
    infinity, which requires U to confine on that side).
    """
    if not isinstance(digits, int) or not 1 <= digits <= 100:
        raise InvalidParameter(f"digits must be an integer from 1 to 100, got {digits!r}", parameter="digits")
    with mpmath.workdps(digits + GUARD_DIGITS):
        temperature = _positive(temperature, "temperature")
        friction = _positive(friction, "friction")
        x_start = mpmath.mpf(sympy.N(as_expression(start, what="start"), digits + GUARD_DIGITS))
        x_target = mpmath.mpf(sympy.N(as_expression(target, what="target"), digits + GUARD_DIGITS))
        if x_start == x_target:
            raise InvalidParameter("target must differ from `start`: the start is already absorbed", parameter="target")
        mirror = x_target < x_start
        if reflect is not None:
            x_reflect = mpmath.mpf(sympy.N(as_expression(reflect, what="reflect"), digits + GUARD_DIGITS))
            if (x_reflect >= x_start) != mirror or x_reflect == x_start:
                raise InvalidParameter("reflect must lie on the far side of `start` from `target`", parameter="reflect")
        else:
            x_reflect = mpmath.inf if mirror else -mpmath.inf
        value, error = _double_integral(
            potential, x_start, x_target, x_reflect, temperature, friction, mirror
        )
        return MeanFirstPassageTime(+value, digits, error)


def _double_integral(potential, x_start, x_target, x_reflect, temperature, friction, mirror):
    """tau = (gamma/T) int_{x0}^{b} e^{U(y)/T} int_{L}^{y} e^{-U(z)/T} dz dy (mirrored when b < x0)."""
    s = -1 if mirror else 1  # work in the coordinate u = s x, where the target lies to the right
    U = potential.mpmath_function(0)
    u0, ub = s * x_start, s * x_target
    u_reflect = s * x_reflect
    finite_end = mpmath.isfinite(u_reflect)
    lo = u_reflect if finite_end else u0 - 1 - abs(ub - u0)
    breakpoints = sorted(s * p for p in critical_points(potential, min(s * lo, s * ub), max(s * lo, s * ub)))
    reference = min(U(s * p) for p in breakpoints) if breakpoints else min(U(x_start), U(x_target))
    reference = min(reference, U(x_start))
    if not finite_end:
        far = lo - 1 - abs(ub - u0)
        if (U(s * far) - reference) / temperature < CONFINEMENT:
            raise InvalidParameter(
                "reflect: U does not confine on the far side of `start` (U rises less than "
                f"{CONFINEMENT} T there); give a finite reflecting end", parameter="reflect"
            )
    barrier_top = max([U(s * p) for p in breakpoints] + [U(x_start), U(x_target)])

    def inner(u):
        nodes = [u_reflect] + [p for p in breakpoints if u_reflect < p < u] + [u]
        return mpmath.quad(lambda w: mpmath.exp(-(U(s * w) - reference) / temperature), nodes)

    def outer(u):
        return mpmath.exp((U(s * u) - barrier_top) / temperature) * inner(u)

    nodes = [u0] + [p for p in breakpoints if u0 < p < ub] + [ub]
    value, error = mpmath.quad(outer, nodes, error=True)
    scale = friction / temperature * mpmath.exp((barrier_top - reference) / temperature)
    return value * scale, error * scale
