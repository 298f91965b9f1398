"""Absorbing sets of first-passage problems, given symbolically.

A first passage ends when the state x in R^d enters an absorbing set A.
This module describes the sets (membership, geometry, the numbers a kernel
reads); :mod:`numerics._langevin` compiles them.  Four kinds are supported:

* :class:`HalfSpace` ``{x : n . x >= c}`` with unit normal n.  Its signed
  distance ``c - n . x`` is positive on the safe side.  Because the noise of
  the overdamped dynamics is isotropic, the projection ``n . x`` of the
  Brownian path between two grid points is itself a one-dimensional Brownian
  bridge with variance sigma^2 per unit time, so the Brownian-bridge crossing
  probability of Gobet (2000) applies unchanged with the two signed distances:
  ``p = exp(-2 d_n d_{n+1} / (sigma^2 dt))``.  In one dimension ``x >= b`` and
  ``x <= b`` are half-spaces with n = +1 and n = -1.
* :class:`Ball` ``{x : |x - c| <= r}``, e.g. around the target minimum.
* :class:`Interval` (one dimension only): the exterior ``{x <= a} U {x >= b}``
  of an interval (a, b) containing the start, i.e. two absorbing ends.  Between
  grid points the path is a Brownian bridge that may leave through either end;
  the crossing probability is ``p_a + p_b`` minus terms of order
  ``exp(-2 (b - a)^2 / (sigma^2 dt))`` (the method of images, Borodin &
  Salminen 2002, 1.15.8), which the kernel neglects: with dt small enough for
  the scheme to resolve the interval they are below 1e-17.
* :class:`Condition`: any Boolean of comparisons of expressions of the
  variables, read by :func:`theory._parse.parse_condition` (never evaluated)
  and printed as a scalar kernel function.  A condition that is a single
  linear inequality is recognised and turned into a :class:`HalfSpace`, so
  that it gets the bridge correction.

The bridge correction needs a flat boundary; for balls and general conditions
it is not applied and the exit time carries the O(sqrt(dt)) bias of checking
the boundary only at grid points (Gobet 2000).  A set that already contains
the start point is refused: the first passage would be the start itself.
"""

from __future__ import annotations

import abc
import dataclasses
import math
from collections.abc import Mapping, Sequence

import sympy

from ._errors import InvalidParameter
from ._parse import parse_condition

__all__ = [
    "AbsorbingSet",
    "HalfSpace",
    "Ball",
    "Interval",
    "Condition",
    "half_line",
    "absorbing_set_from_condition",
]


def _finite_vector(name: str, values: Sequence[float]) -> tuple[float, ...]:
    try:
        vector = tuple(float(v) for v in values)
    except (TypeError, ValueError) as error:
        raise InvalidParameter(f"{name} must be a sequence of real numbers, got {values!r}.") from error
    if not vector or not all(math.isfinite(v) for v in vector):
        raise InvalidParameter(f"{name} must be a non-empty sequence of finite numbers, got {values!r}.")
    return vector


class AbsorbingSet(abc.ABC):
    """A set A of R^d; a trajectory is absorbed at the first grid point in A."""

    #: Name of the kernel code path (``half_space``, ``ball``, ``interval``, ``condition``).
    kind: str

    @property
    @abc.abstractmethod
    def dimension(self) -> int: ...

    @abc.abstractmethod
    def contains(self, point: Sequence[float]) -> bool:
        """Whether ``point`` lies in the set (evaluated in Python, for validation)."""

    @abc.abstractmethod
    def nearest_point(self, start: Sequence[float]) -> tuple[float, ...]:
        """A point of the set's boundary near ``start`` (the end of the stability segment)."""

    def stability_segments(self, start: Sequence[float]) -> tuple[tuple[float, ...], ...]:
        """Ends of the segments from ``start`` on which a kernel checks its step's stability."""
        return (self.nearest_point(start),)

    def geometry(self) -> tuple[float, ...]:
        """Numbers the kernel reads (normal and offset, centre and squared radius, lower and upper end)."""
        return ()

    @property
    def bridge_applies(self) -> bool:
        """Whether the Brownian-bridge correction is exact for this boundary (flat only)."""
        return False

    @abc.abstractmethod
    def describe(self) -> dict:
        """A JSON-able description that determines the set (for run fingerprints and reports)."""

    def check_dimension(self, dimension: int) -> None:
        if self.dimension != dimension:
            raise InvalidParameter(
                f"absorbing set: {self} lives in {self.dimension} dimensions, the potential in {dimension}."
            )


@dataclasses.dataclass(frozen=True)
class HalfSpace(AbsorbingSet):
    """``{x : normal . x >= offset}``; the normal is normalised at construction."""

    normal: tuple[float, ...]
    offset: float
    kind = "half_space"

    def __post_init__(self):
        normal = _finite_vector("half-space normal", self.normal)
        length = math.sqrt(sum(n * n for n in normal))
        if length == 0.0:
            raise InvalidParameter("half-space normal must not be the zero vector.")
        offset = float(self.offset)
        if not math.isfinite(offset):
            raise InvalidParameter(f"half-space offset must be finite, got {self.offset!r}.")
        if length != 1.0:
            normal = tuple(n / length for n in normal)
            offset = offset / length
        object.__setattr__(self, "normal", normal)
        object.__setattr__(self, "offset", offset)

    @property
    def dimension(self) -> int:
        return len(self.normal)

    def signed_distance(self, point: Sequence[float]) -> float:
        """``offset - normal . point``: positive on the safe side."""
        return self.offset - sum(n * p for n, p in zip(self.normal, point))

    def contains(self, point):
        return self.signed_distance(point) <= 0.0

    def nearest_point(self, start):
        distance = self.signed_distance(start)
        return tuple(p + distance * n for p, n in zip(start, self.normal))

    def geometry(self):
        return (*self.normal, self.offset)

    def describe(self):
        return {"kind": self.kind, "normal": list(self.normal), "offset": self.offset}

    @property
    def bridge_applies(self) -> bool:
        return True

    def __str__(self):
        if self.dimension == 1:
            return f"x >= {self.offset:g}" if self.normal[0] > 0 else f"x <= {-self.offset:g}"
        terms = " + ".join(f"{n:g} x_{k}" for k, n in enumerate(self.normal) if n != 0.0)
        return f"{terms} >= {self.offset + 0.0:g}"


@dataclasses.dataclass(frozen=True)
class Ball(AbsorbingSet):
    """``{x : |x - center| <= radius}``."""

    center: tuple[float, ...]
    radius: float
    kind = "ball"

    def __post_init__(self):
        object.__setattr__(self, "center", _finite_vector("ball center", self.center))
        radius = float(self.radius)
        if not (math.isfinite(radius) and radius > 0.0):
            raise InvalidParameter(f"ball radius must be positive and finite, got {self.radius!r}.")
        object.__setattr__(self, "radius", radius)

    @property
    def dimension(self) -> int:
        return len(self.center)

    def contains(self, point):
        return sum((p - c) ** 2 for p, c in zip(point, self.center)) <= self.radius**2

    def nearest_point(self, start):
        return self.center

    def geometry(self):
        return (*self.center, self.radius**2)

    def describe(self):
        return {"kind": self.kind, "center": list(self.center), "radius": self.radius}

    def __str__(self):
        return f"|x - ({', '.join(f'{c:g}' for c in self.center)})| <= {self.radius:g}"


@dataclasses.dataclass(frozen=True)
class Condition(AbsorbingSet):
    """``{x : condition(x)}`` for a SymPy Boolean ``condition`` of ``variables``."""

    condition: sympy.Basic
    variables: tuple[sympy.Symbol, ...]
    kind = "condition"

    def __post_init__(self):
        object.__setattr__(self, "variables", tuple(self.variables))
        if not isinstance(self.condition, sympy.logic.boolalg.Boolean) or self.condition in (sympy.true, sympy.false):
            raise InvalidParameter(f"absorbing condition must be a SymPy Boolean of the variables, got {self.condition!r}.")
        extra = self.condition.free_symbols - set(self.variables)
        if extra:
            raise InvalidParameter(
                f"absorbing condition uses {sorted(map(str, extra))}, which are not variables "
                f"{[str(v) for v in self.variables]}: substitute numbers for parameters first."
            )

    @property
    def dimension(self) -> int:
        return len(self.variables)

    def contains(self, point):
        value = self.condition.subs(dict(zip(self.variables, point)))
        return bool(value == sympy.true)

    def nearest_point(self, start):
        return tuple(start)

    def describe(self):
        return {"kind": self.kind, "condition": sympy.srepr(self.condition),
                "variables": [sympy.srepr(v) for v in self.variables]}

    def __str__(self):
        return str(self.condition)


@dataclasses.dataclass(frozen=True)
class Interval(AbsorbingSet):
    """``{x <= lower} U {x >= upper}`` in one dimension: the two absorbing ends of ``(lower, upper)``."""

    lower: float
    upper: float
    kind = "interval"

    def __post_init__(self):
        lower, upper = float(self.lower), float(self.upper)
        if not (math.isfinite(lower) and math.isfinite(upper) and lower < upper):
            raise InvalidParameter(
                f"interval ends must be finite with lower < upper, got lower = {self.lower!r}, upper = {self.upper!r}."
            )
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)

    @property
    def dimension(self) -> int:
        return 1

    def contains(self, point):
        return point[0] <= self.lower or point[0] >= self.upper

    def nearest_point(self, start):
        return (self.lower,) if start[0] - self.lower < self.upper - start[0] else (self.upper,)

    def stability_segments(self, start):
        return ((self.lower,), (self.upper,))

    def geometry(self):
        return (self.lower, self.upper)

    @property
    def bridge_applies(self) -> bool:
        return True

    def describe(self):
        return {"kind": self.kind, "lower": self.lower, "upper": self.upper}

    def __str__(self):
        return f"x <= {self.lower:g} or x >= {self.upper:g}"


def half_line(start: float, target: float) -> HalfSpace:
    """The one-dimensional absorbing set beyond ``target`` seen from ``start``."""
    if target > start:
        return HalfSpace((1.0,), float(target))
    return HalfSpace((-1.0,), -float(target))


def absorbing_set_from_condition(
    condition: str | sympy.Basic,
    variables: Sequence[sympy.Symbol],
    values: Mapping[sympy.Symbol, sympy.Expr] | None = None,
    *,
    what: str = "absorbing",
) -> AbsorbingSet:
    """The absorbing set of a condition string (or Boolean) over ``variables``.

    ``values`` substitutes parameters.  A single linear inequality becomes a
    :class:`HalfSpace`, and in one dimension ``x <= a or x >= b`` an
    :class:`Interval` (both keep the bridge correction); anything else is a
    :class:`Condition` compiled as it stands.
    """
    variables = tuple(variables)
    if isinstance(condition, str):
        names = {v.name: v for v in variables}
        names.update({s.name: s for s in (values or {})})
        condition = parse_condition(condition, names, what=what)
    if values:
        condition = condition.subs(values)
    if condition in (sympy.true, sympy.false):
        raise InvalidParameter(f"{what}: the condition is always {condition} once the parameters are substituted.")
    flat = _flat_half_space(condition, variables)
    if flat is not None:
        return flat
    if len(variables) == 1 and isinstance(condition, sympy.Or) and len(condition.args) == 2:
        # x <= a or x >= b (a < b): the two absorbing ends of an interval, which keep the bridge
        ends = [_flat_half_space(argument, variables) for argument in condition.args]
        if all(end is not None for end in ends) and ends[0].normal[0] != ends[1].normal[0]:
            upper_end = ends[0] if ends[0].normal[0] > 0 else ends[1]
            lower_end = ends[1] if upper_end is ends[0] else ends[0]
            lower, upper = -lower_end.offset, upper_end.offset
            if lower < upper:
                return Interval(lower, upper)
    return Condition(condition, variables)


def _flat_half_space(condition, variables) -> HalfSpace | None:
    """The half-space of a single linear inequality in ``variables``, else None."""
    if isinstance(condition, sympy.core.relational.Relational) and not isinstance(
        condition, (sympy.Eq, sympy.Ne)
    ):
        difference = sympy.expand(condition.lhs - condition.rhs)
        if difference.free_symbols <= set(variables):
            polynomial = sympy.Poly(difference, *variables) if difference.is_polynomial(*variables) else None
            if polynomial is not None and polynomial.total_degree() == 1:
                coefficients = [float(polynomial.coeff_monomial(v)) for v in variables]
                constant = float(polynomial.coeff_monomial(1))
                sign = 1.0 if isinstance(condition, (sympy.GreaterThan, sympy.StrictGreaterThan)) else -1.0
                # sign * (a . x + constant) >= 0  <=>  (sign a) . x >= -sign constant
                return HalfSpace(tuple(sign * a for a in coefficients), -sign * constant)
    return None
