"""Stationary points of a one-dimensional landscape.

Escape from the starting basin is governed by two points: the minimum ``a`` of
the basin the learner starts in, and the saddle ``b`` (in one dimension, the
highest maximum) between that minimum and the target.  They are located
numerically first, which is robust for any landscape: the minimum by walking
downhill from the starting point until U' changes sign, the saddle by scanning
U' on the segment from ``a`` to the target, each root refined with mpmath to
many digits.  When U' is a polynomial of degree at most four in x (coefficients
may contain symbolic parameters), SymPy solves U' = 0 exactly and the numeric
root is replaced by the matching closed form.

A point is classified by the sign of U''.  A vanishing curvature makes Kramers'
prefactor meaningless and is an error that says so
(:class:`~theory._errors.DegenerateStationaryPoint`), as is a segment with no
maximum (:class:`~theory._errors.NoBarrierError`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import mpmath
import sympy

from ._errors import DegenerateStationaryPoint, InvalidParameter, NoBarrierError
from ._potential import Potential, parse_number

__all__ = [
    "StationaryPoint", "EscapePoints", "escape_points", "basin_minimum", "stationary_points", "critical_points",
]

#: Working precision (decimal digits) of root refinement.
ROOT_DIGITS = 30
#: Grid points used to scan U' for sign changes on the segment minimum -> target.
SCAN_POINTS = 4000
#: A curvature smaller than this (relative to the landscape's curvature scale) is degenerate.
DEGENERATE_CURVATURE = 1e-9


@dataclasses.dataclass(frozen=True)
class StationaryPoint:
    """A point where U' = 0, with U and U'' there.

    ``location``, ``value`` and ``curvature`` are SymPy expressions: closed forms
    (possibly in symbolic parameters) when ``exact``, else 30-digit Floats.
    """

    kind: str  # "minimum" or "maximum"
    location: sympy.Expr
    value: sympy.Expr
    curvature: sympy.Expr
    exact: bool

    def at(self, potential: Potential, expression: sympy.Expr) -> sympy.Expr:
        """Evaluate ``expression`` (in the potential's variable) at this point."""
        return expression.subs(potential.variable, self.location)

    @property
    def x(self) -> float:
        """The location as a float (parameters at their values)."""
        return float(self.location)


@dataclasses.dataclass(frozen=True)
class EscapePoints:
    """The start-basin minimum ``a`` and the saddle ``b`` between it and the target."""

    minimum: StationaryPoint
    saddle: StationaryPoint

    @property
    def barrier(self) -> sympy.Expr:
        return self.saddle.value - self.minimum.value


def _numeric_values(potential: Potential, expression: sympy.Expr) -> sympy.Expr:
    return expression.subs(potential.values)


def _refine(f, lo: mpmath.mpf, hi: mpmath.mpf) -> mpmath.mpf:
    """A root of f in [lo, hi] (a sign change), refined by bisection-safe iteration."""
    with mpmath.workdps(ROOT_DIGITS + 10):
        flo, fhi = f(lo), f(hi)
        if flo == 0:
            return lo
        if fhi == 0:
            return hi
        try:
            root = mpmath.findroot(f, (lo, hi), solver="anderson", tol=mpmath.mpf(10) ** (-ROOT_DIGITS))
            if lo <= root <= hi:
                return root
        except (ValueError, ZeroDivisionError):
            pass
        for _ in range(4 * ROOT_DIGITS):  # plain bisection: always converges
            mid = (lo + hi) / 2
            fmid = f(mid)
            if fmid == 0:
                return mid
            if (fmid > 0) == (flo > 0):
                lo, flo = mid, fmid
            else:
                hi = mid
        return (lo + hi) / 2


def _closed_form(potential: Potential, root: mpmath.mpf) -> sympy.Expr | None:
    """The exact root of U' = 0 matching ``root``, if SymPy can solve U' = 0 in radicals."""
    x = potential.variable
    derivative = potential.derivative(1)
    try:
        polynomial = sympy.Poly(derivative, x)
    except sympy.PolynomialError:
        return None
    if polynomial.degree() > 4 or polynomial.degree() < 1:
        return None
    candidates = sympy.roots(polynomial, x)
    for candidate in candidates:
        if candidate.has(sympy.I):  # casus irreducibilis: a real root written with complex radicals
            continue
        value = sympy.N(candidate.subs(potential.values), ROOT_DIGITS)
        if not value.is_number:
            continue
        real, imaginary = value.as_real_imag()
        if imaginary != 0:  # real only through complex intermediate radicals: keep the numeric root
            continue
        if abs(real - _float(root)) < 1e-15 * (1 + abs(real)):
            return candidate
    return None


def _float(value: mpmath.mpf) -> sympy.Float:
    with mpmath.workdps(ROOT_DIGITS + 10):
        return sympy.Float(mpmath.nstr(value, ROOT_DIGITS + 5), ROOT_DIGITS)


def _classify(potential: Potential, root: mpmath.mpf, scale: float) -> StationaryPoint:
    with mpmath.workdps(ROOT_DIGITS + 10):
        return _classify_at_precision(potential, root, scale)


def _classify_at_precision(potential: Potential, root: mpmath.mpf, scale: float) -> StationaryPoint:
    x = potential.variable
    exact = _closed_form(potential, root)
    location = exact if exact is not None else _float(root)
    if exact is not None:
        curvature = sympy.factor(potential.derivative(2).subs(x, exact))
        value = sympy.factor(potential.expression.subs(x, exact))
        curvature_number = sympy.N(curvature.subs(potential.values), ROOT_DIGITS)
        if curvature_number == 0:
            raise DegenerateStationaryPoint(
                f"potential: U''({exact}) = 0 exactly: a degenerate extremum, where Kramers' formula does not apply"
            )
    else:
        curvature = _float(potential.mpmath_function(2)(root))
        value = _float(potential.mpmath_function(0)(root))
        curvature_number = curvature
    if abs(curvature_number) <= DEGENERATE_CURVATURE * scale:
        raise DegenerateStationaryPoint(
            f"potential: U''(x) = {float(curvature_number):.3g} at the stationary point x = {float(root):.10g}: "
            "a degenerate extremum, where Kramers' formula does not apply"
        )
    kind = "minimum" if curvature_number > 0 else "maximum"
    return StationaryPoint(kind, location, value, curvature, exact is not None)


def _curvature_scale(potential: Potential, *points: mpmath.mpf) -> float:
    second = potential.mpmath_function(2)
    return max([1.0] + [abs(float(second(p))) for p in points])


def _as_mpf(value: Any, what: str) -> mpmath.mpf:
    if isinstance(value, mpmath.mpf):
        return value
    with mpmath.workdps(ROOT_DIGITS + 10):
        return mpmath.mpf(sympy.N(parse_number(value, what=what), ROOT_DIGITS + 10))


def critical_points(potential: Potential, lo: Any, hi: Any, *, points: int = SCAN_POINTS) -> list[mpmath.mpf]:
    """Where U' changes sign in [lo, hi] (isolated zeros included), refined, in increasing order.

    Unclassified: used where only the location matters (quadrature breakpoints).
    A U' that vanishes identically has no such points.
    """
    lo, hi = _as_mpf(lo, "lo"), _as_mpf(hi, "hi")
    if not lo < hi:
        raise InvalidParameter(f"interval: need lo < hi, got [{lo}, {hi}]")
    first = potential.mpmath_function(1)
    grid = [lo + (hi - lo) * i / points for i in range(points + 1)]
    values = [first(p) for p in grid]
    roots = []
    for i in range(points + 1):
        if values[i] == 0:
            left = values[i - 1] if i > 0 else None
            right = values[i + 1] if i < points else None
            if (left is None or left != 0) and (right is None or right != 0):
                roots.append(grid[i])
        elif i < points and values[i] * values[i + 1] < 0:
            roots.append(_refine(first, grid[i], grid[i + 1]))
    return roots


def stationary_points(potential: Potential, lo: Any, hi: Any, *, points: int = SCAN_POINTS) -> list[StationaryPoint]:
    """All stationary points where U' changes sign in [lo, hi], classified, in increasing order."""
    roots = critical_points(potential, lo, hi, points=points)
    scale = _curvature_scale(potential, _as_mpf(lo, "lo"), _as_mpf(hi, "hi"))
    return [_classify(potential, root, scale) for root in roots]


def basin_minimum(potential: Potential, start: Any, *, reach: float = 1e3) -> StationaryPoint:
    """The minimum of the basin containing ``start``, found by walking downhill.

    The walk takes steps that grow geometrically from 1e-4 (relative to
    ``1 + |start|``) until U' changes sign or the distance ``reach`` is passed
    (then U is taken to be unbounded below, an error).
    """
    x = _as_mpf(start, "start")
    first = potential.mpmath_function(1)
    slope = first(x)
    scale = _curvature_scale(potential, x)
    if slope == 0:
        point = _classify(potential, x, scale)
        if point.kind != "minimum":
            raise InvalidParameter(f"start: the start point {float(x):g} is a maximum of U, not in a basin",
                                   parameter="start")
        return point
    direction = -1 if slope > 0 else 1
    step = mpmath.mpf("1e-4") * (1 + abs(x))
    travelled = mpmath.mpf(0)
    limit = reach * (1 + abs(x))
    while travelled < limit:
        y = x + direction * step
        if first(y) * slope <= 0:
            return _classify(potential, _refine(first, min(x, y), max(x, y)), scale)
        travelled += step
        x = y
        step *= mpmath.mpf("1.02")
    raise NoBarrierError(
        f"start: walking downhill from {float(start):g} found no minimum within {float(limit):g}: "
        "the potential looks unbounded below", parameter="start"
    )


def escape_points(potential: Potential, start: Any, target: Any) -> EscapePoints:
    """The start-basin minimum and the saddle (highest maximum) between it and ``target``."""
    minimum = basin_minimum(potential, start)
    target_value = _as_mpf(target, "target")
    a = mpmath.mpf(sympy.N(minimum.location.subs(potential.values), ROOT_DIGITS))
    if target_value == a:
        raise NoBarrierError(f"target: the target {float(target_value):g} is the start basin's minimum itself",
                             parameter="target")
    lo, hi = (a, target_value) if a < target_value else (target_value, a)
    interior = [
        p for p in stationary_points(potential, lo, hi)
        if p.kind == "maximum" and lo < float(p.location.subs(potential.values)) < hi
    ]
    if not interior:
        raise NoBarrierError(
            f"target: no barrier between the start basin's minimum a = {float(a):.6g} and the target "
            f"{float(target_value):.6g}: U has no maximum on that segment", parameter="target"
        )
    saddle = max(interior, key=lambda p: float(p.value.subs(potential.values)))
    return EscapePoints(minimum, saddle)
