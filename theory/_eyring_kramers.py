"""Eyring-Kramers (Langer) escape in several dimensions.

A state x in R^d moves by overdamped Langevin dynamics in U(x).  Escape from
the basin of a minimum x* goes through an index-1 saddle z: a stationary point
whose Hessian H(z) has exactly one negative eigenvalue lambda_1(z).  The rate
(Eyring 1935; Langer 1969; Bovier, Eckhoff, Gayrard, Klein 2004) is

    k = |lambda_1(z)| / (2 pi gamma) * sqrt(det H(x*) / |det H(z)|) * exp(-dU / T),

dU = U(z) - U(x*), with relative error O(sqrt(T) |log T|^{3/2}) for T -> 0
(Bovier et al. 2004; Helffer, Klein, Nier 2004).

Derivation (flux over population).  The population of the well is the Laplace
integral Z_a = int e^{-U/T} dx ~ prod_i int e^{-mu_i(x*) y^2/(2T)} dy
e^{-U(x*)/T} over the eigen-directions of H(x*); the flux through the saddle is
(T/gamma) times the integral over the d-1 stable directions of z divided by the
integral of e^{+|lambda_1| y^2/(2T)} across the unstable one (the 1-D Kramers
construction along the unstable direction).  Each one-direction integral is a
Gaussian integral sqrt(2 pi T / mu), computed below by SymPy; products of the
eigenvalues are determinants, and prod_{i>=2} mu_i(z) = |det H(z)| / |lambda_1|.
In one dimension lambda_1 = U''(b), det H(x*) = U''(a) and the formula is
Kramers' sqrt(U''(a)|U''(b)|)/(2 pi gamma) e^{-dU/T}.

Stationary points.  In one dimension the points come from
:func:`theory._stationary.escape_points` (walk downhill, scan the segment).  In
d >= 2 they are found by Newton's method on the gradient in mpmath arithmetic
(damped: a step is halved until |grad U| decreases), seeded at ``start`` for
the minimum and at a given seed for the saddle, and classified by the
eigenvalues of the Hessian.  The seed comes from the minimum-energy path
(``numerics.transition_path``: string method, then this Newton refinement) or
from the user; the highest point of the straight segment between the minima is
no seed where the path bends (there it can be a maximum of U).
A point of the wrong index, or one with a (numerically) singular Hessian, is an
error that names the index or the vanishing eigenvalue.  Where SymPy can solve
the gradient equations (separable landscapes with each partial derivative a
polynomial of degree <= 4 in its own variable; small polynomial systems such as
quadratic-plus-quartic couplings without symbolic parameters) the numeric point is replaced by the matching
closed form, and determinant, eigenvalue and rate come out symbolic.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import mpmath
import sympy

from ._derivation import Derivation, ValidityRegime
from ._errors import DegenerateStationaryPoint, InvalidParameter, NoBarrierError
from ._parse import as_expression
from ._potential import Potential, parse_number
from ._stationary import ROOT_DIGITS, escape_points
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._symbols import LATEX_NAMES, DeltaU, T, gamma, k
from ._symbols import U as _U
from ._typeset import Prose, written_product, written_ratio, written_root, written_sum

__all__ = [
    "lambda_1", "det_minimum", "det_saddle",
    "eyring_kramers_rate", "CriticalPoint", "EyringKramersEscape", "eyring_kramers_escape", "escape_over", "critical_point",
]

lambda_1 = sympy.Symbol("lambda_1", positive=True)  # |lambda_1(z)|
det_minimum = sympy.Symbol("det_a", positive=True)  # det H(x*)
det_saddle = sympy.Symbol("det_z", positive=True)  # |det H(z)|
_dimension = sympy.Symbol("d", integer=True, positive=True)

_minimum, _saddle = sympy.symbols("x^* z", real=True)
LATEX_NAMES.update({lambda_1: r"|\lambda_1|", det_minimum: r"\det H(x^*)", det_saddle: r"|\det H(z)|"})
_MEANINGS = {
    T: _KRAMERS_MEANINGS[T],
    gamma: "friction coefficient",
    DeltaU: Prose("barrier height", written_sum(_U(_saddle), -_U(_minimum))),
    lambda_1: Prose("modulus of the single negative eigenvalue of the Hessian at the saddle", _saddle),
    det_minimum: Prose("determinant of the Hessian at the minimum", _minimum),
    det_saddle: Prose("modulus of the determinant of the Hessian at the saddle", _saddle),
}
_REFERENCES = ("Langer1969", "Bovier2004", "Berglund2013", "Hanggi1990")

#: Newton iterations before giving up, and the precision they run at.
NEWTON_ITERATIONS = 200
#: A Hessian eigenvalue smaller than this, relative to the largest, makes a point degenerate.
DEGENERATE_EIGENVALUE = 1e-9


@functools.lru_cache(maxsize=None)
def eyring_kramers_rate() -> Derivation:
    """k = |lambda_1| / (2 pi gamma) sqrt(det H(x*) / |det H(z)|) e^{-dU/T}, from Gaussian integrals."""
    y = sympy.Symbol("y", real=True)
    mu = sympy.Symbol("mu", positive=True)
    # one stable direction: int e^{-mu y^2 / (2T)} dy
    gaussian = sympy.integrate(sympy.exp(-mu * y**2 / (2 * T)), (y, -sympy.oo, sympy.oo))
    per_direction = sympy.Dummy("G", positive=True)  # sqrt(2 pi T): each direction contributes this / sqrt(mu)
    population = per_direction**_dimension / sympy.sqrt(det_minimum)  # Z_a e^{U(x*)/T}
    stable_saddle = per_direction ** (_dimension - 1) / sympy.sqrt(det_saddle / lambda_1)  # d-1 stable directions
    unstable = gaussian.subs(mu, lambda_1)  # the Kramers integral across the unstable direction
    rate = (T / gamma) * stable_saddle / (population * unstable) * sympy.exp(-DeltaU / T)
    rate = rate.subs(per_direction, gaussian.subs(mu, 1))
    rate = sympy.factor(rate)
    return Derivation(
        name="eyring_kramers_rate",
        title=Prose("Eyring-Kramers (Langer) escape rate in", _dimension, "dimensions"),
        quantity=k,
        expression=rate,
        symbols={s: _MEANINGS[s] for s in (T, gamma, DeltaU, lambda_1, det_minimum, det_saddle)},
        conditions=(sympy.Gt(det_minimum, 0, evaluate=False), sympy.Gt(det_saddle, 0, evaluate=False),
                    sympy.Gt(DeltaU, 0, evaluate=False)),
        validity=ValidityRegime(
            "barrier large compared with the temperature, non-degenerate minimum and index-1 saddle "
            "(the error order is that of Bovier et al. 2004)",
            small_parameter=T / DeltaU,
            error_order=sympy.sqrt(T) * sympy.Abs(sympy.log(T)) ** sympy.Rational(3, 2),
        ),
        references=_REFERENCES,
        notes="Flux over population: Gaussian integrals over the eigen-directions of the Hessians at the "
              "minimum and at the saddle, the unstable direction treated as in one-dimensional Kramers theory.",
        readable=written_product(written_ratio(lambda_1, written_product(2, sympy.pi, gamma)),
                                 written_root(written_ratio(det_minimum, det_saddle)), sympy.exp(-DeltaU / T)),
    )


# ------------------------------------------------------------ stationary points
@dataclasses.dataclass(frozen=True)
class CriticalPoint:
    """A stationary point of U with its Hessian.

    ``location`` and ``hessian`` are SymPy objects: closed forms (possibly in
    the potential's parameters) when ``exact``, else 30-digit Floats.
    ``eigenvalues`` are floats (parameters at their values), ascending;
    ``index`` is the number of negative ones.
    """

    location: tuple[sympy.Expr, ...]
    value: sympy.Expr
    hessian: sympy.Matrix
    eigenvalues: tuple[float, ...]
    exact: bool
    parameter_values: Mapping[sympy.Symbol, sympy.Expr] = dataclasses.field(default_factory=dict)

    @property
    def index(self) -> int:
        return sum(1 for e in self.eigenvalues if e < 0)

    @functools.cached_property
    def determinant(self) -> sympy.Expr:
        return sympy.factor(self.hessian.det()) if self.exact else self.hessian.det()

    @functools.cached_property
    def negative_eigenvalue(self) -> sympy.Expr:
        """The most negative Hessian eigenvalue, exact where the Hessian is diagonal or 2 x 2."""
        h = self.hessian
        d = h.shape[0]
        if h.is_diagonal():
            values = dict(self.parameter_values)
            return min((h[i, i] for i in range(d)), key=lambda e: float(sympy.N(e.subs(values), 20)))
        if d == 2 and self.exact:
            trace, det = h.trace(), h.det()
            return sympy.factor(trace / 2) - sympy.sqrt(sympy.factor(trace**2 / 4 - det))
        return sympy.Float(self.eigenvalues[0], ROOT_DIGITS)


def _mp(value: Any) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(value, ROOT_DIGITS + 10))


def _lambdified(potential: Potential):
    """U, grad U and the Hessian as mpmath functions (built once per landscape)."""
    return _lambdified_expression(potential.numeric, potential.variables)


@functools.lru_cache(maxsize=64)
def _lambdified_expression(expression: sympy.Expr, variables: tuple[sympy.Symbol, ...]):
    gradient = [sympy.diff(expression, v) for v in variables]
    hessian = [[sympy.diff(g, v) for v in variables] for g in gradient]
    return (sympy.lambdify(variables, expression, modules="mpmath"),
            sympy.lambdify(variables, gradient, modules="mpmath", cse=True),
            sympy.lambdify(variables, hessian, modules="mpmath", cse=True))


def _newton(potential: Potential, seed: tuple[mpmath.mpf, ...], what: str) -> mpmath.matrix:
    """A zero of grad U near ``seed``, by damped Newton iteration."""
    _, gradient, hessian = _lambdified(potential)
    x = mpmath.matrix(list(seed))
    g = mpmath.matrix(gradient(*x))
    norm = mpmath.norm(g)
    tolerance = mpmath.mpf(10) ** (-ROOT_DIGITS)
    for _ in range(NEWTON_ITERATIONS):
        if norm <= tolerance * (1 + mpmath.norm(x)):
            return x
        h = mpmath.matrix(hessian(*x))
        try:
            step = mpmath.lu_solve(h, g)
        except ZeroDivisionError:
            raise DegenerateStationaryPoint(
                f"{what}: the Hessian is singular at {_point_text(x)} during Newton's iteration; "
                "choose a seed nearer a non-degenerate stationary point", parameter=what
            ) from None
        factor = mpmath.mpf(1)
        for _ in range(60):
            candidate = x - factor * step
            g_candidate = mpmath.matrix(gradient(*candidate))
            if mpmath.norm(g_candidate) < norm:
                break
            factor /= 2
        else:
            return x if norm <= mpmath.sqrt(tolerance) else _no_convergence(x, what)
        x, g, norm = candidate, g_candidate, mpmath.norm(g_candidate)
    if norm <= mpmath.sqrt(tolerance):
        return x
    return _no_convergence(x, what)


def _no_convergence(x, what):
    raise InvalidParameter(
        f"{what}: Newton's method on grad U did not converge from the seed (last point {_point_text(x)}); "
        "give a seed nearer the stationary point", parameter=what
    )


def _point_text(x) -> str:
    return "(" + ", ".join(f"{float(c):.6g}" for c in x) + ")"


def _exact_solutions(potential: Potential) -> list[dict] | None:
    """All closed-form solutions of grad U = 0 that SymPy finds quickly, or None."""
    variables = potential.variables
    gradient = potential.gradient
    try:
        polynomials = [sympy.Poly(g, *variables) for g in gradient]
    except sympy.PolynomialError:
        return None
    separable = all(g.free_symbols & set(variables) <= {v} for g, v in zip(gradient, variables))
    if separable:
        per_variable = []
        for g, v in zip(gradient, variables):
            polynomial = sympy.Poly(g, v)
            if not 1 <= polynomial.degree() <= 4:
                return None
            per_variable.append([(v, root) for root in sympy.roots(polynomial, v)])
        solutions = [{}]
        for options in per_variable:
            solutions = [{**s, v: root} for s in solutions for v, root in options]
        return solutions
    if (len(variables) > 3 or max(p.total_degree() for p in polynomials) > 3 or potential.parameters
            or any(g.has(sympy.Float) for g in gradient)):
        return None  # coupled systems with symbolic parameters or float coefficients: SymPy's solver can take minutes
    try:
        return sympy.solve(list(gradient), list(variables), dict=True)
    except (NotImplementedError, sympy.PolynomialError):
        return None


def _match_exact(potential: Potential, x: mpmath.matrix, solutions) -> tuple[sympy.Expr, ...] | None:
    for solution in solutions or ():
        if set(solution) != set(potential.variables):
            continue
        candidate = tuple(solution[v] for v in potential.variables)
        if any(c.has(sympy.I) for c in candidate):
            continue
        values = [sympy.N(c.subs(potential.values), ROOT_DIGITS) for c in candidate]
        if not all(v.is_number and v.is_real for v in values):
            continue
        if all(abs(_mp(v) - xi) < mpmath.mpf(10) ** (-15) * (1 + abs(xi)) for v, xi in zip(values, x)):
            return candidate
    return None


def _classify(potential: Potential, x: mpmath.matrix, solutions, what: str) -> CriticalPoint:
    variables = potential.variables
    exact_location = _match_exact(potential, x, solutions)
    hessian_expression = sympy.hessian(potential.expression, variables)
    if exact_location is not None:
        substitution = dict(zip(variables, exact_location))
        hessian = hessian_expression.subs(substitution).applyfunc(sympy.factor)
        value = sympy.factor(potential.expression.subs(substitution))
        location = exact_location
    else:
        substitution = {v: sympy.Float(mpmath.nstr(c, ROOT_DIGITS + 5), ROOT_DIGITS) for v, c in zip(variables, x)}
        numeric_hessian = hessian_expression.subs(potential.values)
        hessian = numeric_hessian.subs(substitution).evalf(ROOT_DIGITS)
        value = sympy.N(potential.numeric.subs(substitution), ROOT_DIGITS)
        location = tuple(substitution[v] for v in variables)
    numeric = mpmath.matrix([[_mp(entry.subs(potential.values)) for entry in row] for row in hessian.tolist()])
    eigenvalues = sorted(float(e) for e in mpmath.eigsy(numeric)[0])
    scale = max(1.0, max(abs(e) for e in eigenvalues))
    smallest = min(eigenvalues, key=abs)
    if abs(smallest) <= DEGENERATE_EIGENVALUE * scale:
        raise DegenerateStationaryPoint(
            f"{what}: the Hessian at the stationary point {_point_text(x)} is singular (eigenvalue "
            f"{smallest:.3g}): a degenerate point, where the Eyring-Kramers formula does not apply", parameter=what
        )
    return CriticalPoint(location, value, hessian, tuple(eigenvalues), exact_location is not None, potential.values)


def _seed(value: Any, dimension: int, what: str) -> tuple[mpmath.mpf, ...]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != dimension:
        raise InvalidParameter(f"{what}: expected {dimension} coordinates, got {len(values)}", parameter=what)
    with mpmath.workdps(ROOT_DIGITS + 10):
        return tuple(v if isinstance(v, mpmath.mpf) else _mp(parse_number(v, what=what)) for v in values)


def critical_point(
    potential: Potential, seed: Any, *, what: str = "seed", index: int | None = None, exact: bool = True
) -> CriticalPoint:
    """The stationary point Newton's method reaches from ``seed``, classified; ``index`` is required if given.

    ``what`` names the seed in errors (the parameter of the caller it came from).

    ``exact=False`` skips the search for a closed form (faster, for continuation).
    """
    with mpmath.workdps(ROOT_DIGITS + 10):
        x = _newton(potential, _seed(seed, potential.dimension, what), what)
        point = _classify(potential, x, _exact_solutions(potential) if exact else None, what)
    if index is not None and point.index != index:
        kind = {0: "a minimum"}.get(point.index, f"a saddle of index {point.index}")
        raise InvalidParameter(
            f"{what}: the stationary point at {_point_text(x)} reached from the seed is {kind} "
            f"(Hessian eigenvalues {', '.join(f'{e:.4g}' for e in point.eigenvalues)}); "
            f"{'a minimum' if index == 0 else f'an index-{index} saddle'} is needed", parameter=what
        )
    return point


# ------------------------------------------------------------ a landscape
@dataclasses.dataclass(frozen=True)
class EyringKramersEscape:
    """Eyring-Kramers theory specialised to one landscape: minimum x*, saddle z, rate."""

    potential: Potential
    minimum: CriticalPoint
    saddle: CriticalPoint

    @property
    def barrier(self) -> sympy.Expr:
        difference = self.saddle.value - self.minimum.value
        return sympy.factor(difference) if self.exact else difference

    @property
    def exact(self) -> bool:
        return self.minimum.exact and self.saddle.exact

    @functools.cached_property
    def local_values(self) -> dict[sympy.Symbol, sympy.Expr]:
        return {
            lambda_1: -self.saddle.negative_eigenvalue,
            det_minimum: self.minimum.determinant,
            det_saddle: -self.saddle.determinant,
            DeltaU: self.barrier,
        }

    @functools.cached_property
    def rate(self) -> Derivation:
        return eyring_kramers_rate().on_landscape(self.local_values, self.potential.parameters)

    @functools.cached_property
    def prefactor(self) -> sympy.Expr:
        """|lambda_1| / (2 pi gamma) sqrt(det H(x*) / |det H(z)|): the rate without its Arrhenius factor."""
        expression = self.rate.expression * sympy.exp(self.barrier / T)
        return sympy.factor(sympy.powsimp(expression)) if self.exact else expression

    def numbers(self, temperature: Any, friction: Any = 1) -> dict[str, Any]:
        values = {T: temperature, gamma: friction, **self.potential.values}
        at = lambda e: float(sympy.N(as_expression(e).subs(values), 17))  # noqa: E731
        matrix = lambda m: [[at(entry) for entry in row] for row in m.tolist()]  # noqa: E731
        return {
            "minimum": [at(c) for c in self.minimum.location],
            "saddle": [at(c) for c in self.saddle.location],
            "barrier": at(self.barrier),
            "hessian_minimum": matrix(self.minimum.hessian),
            "hessian_saddle": matrix(self.saddle.hessian),
            "negative_eigenvalue": at(self.saddle.negative_eigenvalue),
            "prefactor": at(self.prefactor),
            "rate": at(self.rate.expression),
            "escape_time": 1 / at(self.rate.expression),
        }


def _one_dimensional(potential: Potential, start: Any, target: Any) -> EyringKramersEscape:
    points = escape_points(potential, start, target)

    def lift(point):
        hessian = sympy.Matrix([[point.curvature]])
        curvature = float(sympy.N(point.curvature.subs(potential.values), 20))
        return CriticalPoint((point.location,), point.value, hessian, (curvature,), point.exact, potential.values)

    return EyringKramersEscape(potential, lift(points.minimum), lift(points.saddle))


def eyring_kramers_escape(
    potential: Potential, start: Any, target: Any, *, saddle: Any = None, exact: bool = True
) -> EyringKramersEscape:
    """Eyring-Kramers theory for escape from the basin of ``start`` towards ``target``.

    In one dimension the points are those of :func:`theory.escape_points`.  In
    d >= 2 the minimum is Newton's point from ``start`` (index 0 required) and
    the saddle Newton's point from ``saddle`` (index 1 required): a seed that
    lies in Newton's basin of the saddle, such as the highest image of the
    minimum-energy path (``numerics.transition_path`` finds it) or a point the
    user knows.  A straight segment from the minimum to the target is no such
    seed where the path bends (its highest point may be a maximum of U).
    """
    if potential.dimension == 1:
        start = start[0] if isinstance(start, (tuple, list)) else start
        target = target[0] if isinstance(target, (tuple, list)) else target
        return _one_dimensional(potential, start, target)
    if saddle is None:
        raise InvalidParameter(
            "saddle: in d >= 2 the saddle search needs a seed in Newton's basin of the saddle; "
            "numerics.transition_path finds one on the minimum-energy path"
        )
    minimum = critical_point(potential, start, what="start", index=0, exact=exact)
    return escape_over(potential, minimum, critical_point(potential, saddle, what="saddle", index=1, exact=exact))


def escape_over(potential: Potential, minimum: CriticalPoint, saddle: CriticalPoint) -> EyringKramersEscape:
    """The escape from ``minimum`` over ``saddle``; a saddle not above the minimum is no barrier."""
    if float(sympy.N((saddle.value - minimum.value).subs(potential.values))) <= 0:
        raise NoBarrierError(
            f"saddle: the saddle at {_point_text(_floats(potential, saddle))} is not above the minimum at "
            f"{_point_text(_floats(potential, minimum))}; no barrier"
        )
    return EyringKramersEscape(potential, minimum, saddle)


def _floats(potential: Potential, point: CriticalPoint) -> list[float]:
    return [float(sympy.N(c.subs(potential.values), 17)) for c in point.location]
