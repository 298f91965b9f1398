"""Elastic weight consolidation makes barriers: escape after many consolidated tasks.

Model (Kirkpatrick et al. 2017; the Kramers view of continual learning, Kim
2026).  A learner with parameters theta in R^d sits in the basin of the old
tasks of a landscape U_task and must cross a barrier to learn a new task.
After N tasks, EWC adds N quadratic penalties,

    U_N(theta) = U_task(theta) + sum_{i=1..N} (lambda/2) (theta - theta*_i)^T F_i (theta - theta*_i),

with anchors theta*_i and Fisher matrices F_i (symmetric positive semi-definite).

1. Reduction.  The penalty P is a quadratic polynomial in theta, so it equals
   its second-order Taylor expansion about any point: its Hessian is the
   stiffness Lambda_N = lambda sum F_i; its gradient vanishes at the centre
   theta_c solving Lambda_N theta_c = lambda sum F_i theta*_i; and the constant is
   P(theta_c).  :func:`reduce_penalties` derives the three with SymPy for the
   tasks given (``sympy.hessian``, a linear solve, a substitution) and checks
   by expansion that the reduced quadratic equals the sum term by term;
   :func:`ewc_penalty_reduction` is the same derivation for a general 1-D sum.

2. N as a continuous parameter.  With N copies of one task (or N copies of
   the average task of a list, whose reduced stiffness is divided by the list's
   length), U_N = U_task + N q(theta), q the penalty of one task.  Stationary
   points x(N) solve grad U_task + N grad q = 0.  By the envelope theorem the
   value V(N) of U_N at a stationary point has V' = q(x(N)), and implicit
   differentiation gives V'' = -grad q^T H^{-1} grad q, H the Hessian of U_N
   there.  For the barrier dU(N) = V_saddle(N) - V_min(N) this yields the series

       dU(N) = dU(0) + N [q(z) - q(a)] + (N^2/2) [g_a^T H_a^{-1} g_a - g_z^T H_z^{-1} g_z] + O(N^3)

   at the N = 0 points (:func:`ewc_barrier_series`, derived by SymPy in 1-D,
   where it reads dU0 + N (q_b - q_a) + N^2/2 (g_a^2/U''(a) + g_b^2/|U''(b)|)):
   the linear growth the seed paper states, and its first curvature term.

3. Exact barrier.  In one dimension the stationary points of U_N come from
   :func:`theory.kramers_escape` and are closed forms in N (and lambda, F)
   whenever U_N' is a polynomial of degree <= 4; otherwise 30-digit numbers at
   the requested N.  In d dimensions :func:`theory.eyring_kramers_escape`
   provides the minimum, the index-1 saddle and their Hessians; the saddle
   is followed from the saddle of U_0 (seeded by the minimum-energy path of
   the task landscape, ``numerics.transition_path``) by continuation in N,
   Newton's method re-solving grad U_N = 0 at each step.

4. Critical task count.  Bistability is lost where the saddle and the new-task
   minimum merge: grad U_N = 0 and det H_N = 0 (a saddle-node).  In 1-D,
   eliminating N = -U'/q' leaves U'' q' - U' q'' = 0, a polynomial equation
   when U is a polynomial: SymPy solves it and the root that the numerical
   continuation reaches is kept, giving N* in closed form.  Otherwise N* is
   bracketed (1-D: bisection on the existence of a barrier; d >= 2: the
   continuation of the saddle and the new-task minimum in N, whose step
   shrinks to nothing where the two merge) and refined by Newton's method on
   the saddle-node system grad U_N = 0, det H_N = 0 in (theta, N).  For N >= N* there is no barrier
   and no rate: the functions raise :class:`~theory.NoBarrierError`.

5. Rate and plasticity.  k_N is Kramers' rate (1-D) or the Eyring-Kramers
   rate (d >= 2) of U_N, so the plasticity ratio is

       k_N / k_0 = (nu_N / nu_0) exp(-[dU(N) - dU(0)] / T),

   whose exponent is -N (q(z) - q(a)) / T to first order in N: the rate of
   learning a new task collapses exponentially in the number of consolidated
   tasks.

Canonical case (Kim 2026, docs/ewc.md): U_task = (s^2 - 1)^2, anchor s = -1,
c = N lambda F.  Then U_N' = (s+1)(4s^2 - 4s + c): saddle (1 - sqrt(1-c))/2,
new minimum (1 + sqrt(1-c))/2, N* = 1/(lambda F), slope lambda F / 2.  The
catalogue's EWC derivations are this case, derived by the general code above.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import mpmath
import sympy

from ._derivation import Derivation, Intermediate, ValidityRegime
from ._errors import InvalidParameter, KramersError, NoBarrierError, quoted_message
from ._parse import as_expression
from ._eyring_kramers import EyringKramersEscape, eyring_kramers_escape
from ._kramers import KramersEscape, kramers_escape
from ._potential import Potential, parse_number
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._symbols import LATEX_NAMES, T, gamma
from ._typeset import Prose, written_product, written_ratio, written_root, written_sum

__all__ = [
    "N", "lam", "fisher", "EWCTask", "ewc_task", "QuadraticPenalty", "reduce_penalties", "EWCBarrier",
    "ewc_barrier", "canonical_ewc", "ewc_penalty_reduction", "ewc_barrier_series", "ewc_canonical_barrier",
    "ewc_critical_tasks", "ewc_rate", "ewc_plasticity_ratio",
]

#: Number of consolidated tasks (continuous in the derivations).
N = sympy.Symbol("N", nonnegative=True)
#: EWC strength.
lam = sympy.Symbol("lambda", nonnegative=True)
#: Fisher information of a one-dimensional task (a scalar).
fisher = sympy.Symbol("F", nonnegative=True)
#: Names the EWC layer uses for its own parameters.
EWC_NAMES = frozenset({"N", "lambda", "F"})

DeltaU_N = sympy.Symbol(r"\Delta U_N", real=True)
N_star = sympy.Symbol("N^*", positive=True)
k_N = sympy.Symbol("k_N", positive=True)
plasticity = sympy.Symbol("k_N/k_0", positive=True)
penalty_symbol = sympy.Symbol("P_N", real=True)
DeltaU_0 = sympy.Symbol("DeltaU_0", positive=True)
# Named pieces of the readable forms, and symbols of meanings and regimes.
_stiffness, _centre, _constant = sympy.symbols("Lambda_N theta_c C_N", real=True)
_c, _root = sympy.symbols("c s", nonnegative=True)
_U_N = sympy.Symbol("U_N")
_point_a, _point_b = sympy.symbols("a b", real=True)
LATEX_NAMES.update({plasticity: r"k_N/k_0", DeltaU_0: r"\Delta U_0", _stiffness: r"\Lambda_N",
                    _centre: r"\theta_{\mathrm{c}}"})

#: Largest task count searched for a loss of bistability (beyond it N* is reported as absent).
MAXIMUM_TASKS = 1e12
#: Grid points of the 1-D bistability test used to bracket N*.
BRACKET_GRID = 3000
#: Newton iterations per continuation step in N (d >= 2).
CONTINUATION_NEWTON_STEPS = 40
_REFERENCES = ("Kirkpatrick2017", "Kim2026", "Kramers1940", "Hanggi1990")


# ------------------------------------------------------------------ tasks
@dataclasses.dataclass(frozen=True)
class EWCTask:
    """One consolidated task: anchor theta*_i and Fisher matrix F_i (exact numbers)."""

    anchor: tuple[sympy.Expr, ...]
    fisher: sympy.Matrix


def _exact(value: Any, what: str) -> sympy.Expr:
    return parse_number(value if not isinstance(value, float) else repr(value), what=what)


def ewc_task(anchor: Any, fisher_matrix: Any, dimension: int, *, name: str = "task") -> EWCTask:
    """A task from an anchor (number or sequence) and a Fisher matrix.

    The Fisher matrix may be a number (1-D, or a multiple of the identity), a
    sequence of d numbers (diagonal), a flat sequence of d^2 numbers (row-major)
    or a d x d nested sequence.  It must be symmetric positive semi-definite
    (every principal minor >= 0, checked exactly).
    """
    anchors = list(anchor) if isinstance(anchor, (list, tuple)) else [anchor]
    if len(anchors) != dimension:
        raise InvalidParameter(f"{name}: anchor needs {dimension} coordinates, got {len(anchors)}")
    anchor_values = tuple(_exact(a, f"{name} anchor") for a in anchors)
    if isinstance(fisher_matrix, (list, tuple)) and fisher_matrix and isinstance(fisher_matrix[0], (list, tuple)):
        rows = [list(row) for row in fisher_matrix]
        if len(rows) != dimension or any(len(row) != dimension for row in rows):
            raise InvalidParameter(f"{name}: Fisher matrix must be {dimension} x {dimension}")
        matrix = sympy.Matrix([[_exact(v, f"{name} Fisher matrix") for v in row] for row in rows])
    else:
        entries = list(fisher_matrix) if isinstance(fisher_matrix, (list, tuple)) else [fisher_matrix]
        values = [_exact(v, f"{name} Fisher matrix") for v in entries]
        if len(values) == 1:
            matrix = values[0] * sympy.eye(dimension)
        elif len(values) == dimension:
            matrix = sympy.diag(*values)
        elif len(values) == dimension**2:
            matrix = sympy.Matrix(dimension, dimension, values)
        else:
            raise InvalidParameter(
                f"{name}: Fisher matrix needs 1, {dimension} (diagonal) or {dimension**2} (full) numbers, "
                f"got {len(values)}"
            )
    if matrix != matrix.T:
        raise InvalidParameter(f"{name}: Fisher matrix {matrix.tolist()} is not symmetric")
    for size in range(1, dimension + 1):
        for rows in _subsets(dimension, size):
            minor = matrix.extract(rows, rows).det()
            if minor < 0:
                raise InvalidParameter(
                    f"{name}: Fisher matrix {matrix.tolist()} is not positive semi-definite "
                    f"(principal minor on rows {rows} is {minor}); a Fisher information has no negative eigenvalue"
                )
    return EWCTask(anchor_values, matrix)


def _subsets(n: int, size: int):
    import itertools

    return [list(c) for c in itertools.combinations(range(n), size)]


@dataclasses.dataclass(frozen=True)
class QuadraticPenalty:
    """(1/2)(theta - centre)^T stiffness (theta - centre) + constant."""

    stiffness: sympy.Matrix
    centre: tuple[sympy.Expr, ...]
    constant: sympy.Expr

    def expression(self, variables: Sequence[sympy.Symbol]) -> sympy.Expr:
        offset = sympy.Matrix([v - c for v, c in zip(variables, self.centre)])
        return (offset.T * self.stiffness * offset)[0, 0] / 2 + self.constant


def reduce_penalties(tasks: Sequence[EWCTask], strength: Any, variables: Sequence[sympy.Symbol]) -> QuadraticPenalty:
    """The N penalties as one quadratic, derived with SymPy and checked by expansion.

    ``strength`` is lambda (a number or the symbol :data:`lam`).  When the total
    stiffness is singular (a Fisher direction no task constrains) the centre is
    the minimum-norm solution; the reduction is still exact.
    """
    variables = list(variables)
    theta = sympy.Matrix(variables)
    total = sympy.Integer(0)
    for task in tasks:
        offset = theta - sympy.Matrix(task.anchor)
        total += strength / 2 * (offset.T * task.fisher * offset)[0, 0]
    stiffness = sympy.hessian(total, variables).applyfunc(sympy.factor)
    gradient_at_zero = sympy.Matrix([sympy.diff(total, v) for v in variables]).subs({v: 0 for v in variables})
    right = -gradient_at_zero  # Lambda theta_c = lambda sum F_i theta*_i
    if stiffness.det() != 0:
        centre = list(stiffness.LUsolve(right).applyfunc(sympy.factor))
    else:
        centre = list((stiffness.pinv() * right).applyfunc(sympy.factor))
    constant = sympy.factor(total.subs(dict(zip(variables, centre))))
    reduced = QuadraticPenalty(stiffness, tuple(centre), constant)
    if sympy.expand(reduced.expression(variables) - total) != 0:  # pragma: no cover - a derivation error
        raise KramersError("EWC reduction: the reduced quadratic differs from the sum of the penalties")
    return reduced


# ------------------------------------------------------------------ general derivations
@functools.lru_cache(maxsize=None)
def ewc_penalty_reduction() -> Derivation:
    """sum_i (lambda/2) F_i (theta - theta*_i)^2 = (Lambda_N/2)(theta - theta_c)^2 + C, derived in 1-D."""
    theta = sympy.Symbol("theta", real=True)
    index = sympy.Symbol("i", integer=True, positive=True)
    count = sympy.Symbol("N", integer=True, nonnegative=True)
    F = sympy.IndexedBase("F")
    anchor = sympy.IndexedBase("theta^*")
    summand = sympy.expand(lam / 2 * F[index] * (theta - anchor[index]) ** 2)
    quadratic, linear, constant = (
        sympy.factor_terms(sympy.Sum(c, (index, 1, count))) for c in sympy.Poly(summand, theta).all_coeffs()
    )
    stiffness = 2 * quadratic  # the Hessian of the sum
    centre = -linear / stiffness  # where the gradient vanishes
    remainder = constant - stiffness * centre**2 / 2  # the value there
    expression = stiffness / 2 * (theta - centre) ** 2 + remainder
    sum_f = sympy.Sum(F[index], (index, 1, count))
    sum_f_anchor = sympy.Sum(F[index] * anchor[index], (index, 1, count))
    sum_f_anchor2 = sympy.Sum(F[index] * anchor[index] ** 2, (index, 1, count))
    half = sympy.Rational(1, 2)
    return Derivation(
        name="ewc_penalty_reduction",
        title=Prose(count, "EWC penalties as one quadratic: stiffness, centre, constant"),
        readable=written_sum(written_product(written_ratio(_stiffness, 2), written_sum(theta, -_centre) ** 2),
                             _constant),
        intermediates=(
            Intermediate(_stiffness, written_product(lam, sum_f), "stiffness"),
            Intermediate(_centre, written_ratio(sum_f_anchor, sum_f), "centre"),
            Intermediate(_constant, written_product(written_ratio(lam, 2), written_sum(
                sum_f_anchor2, written_product(-1, written_ratio(sum_f_anchor**2, sum_f)))), "constant"),
        ),
        quantity=penalty_symbol,
        expression=expression,
        symbols={theta: "parameter", lam: "EWC strength", count: "number of consolidated tasks",
                 F.label: Prose("Fisher information", F[index], "of task", index),
                 anchor.label: Prose("anchor", anchor[index], "of task", index),
                 F[index]: Prose("Fisher information of task", index), anchor[index]: Prose("anchor of task", index),
                 **{s: "task index" for s in expression.free_symbols if s.name == "i"}},
        validity=ValidityRegime("exact (a sum of quadratics is a quadratic)"),
        references=("Kirkpatrick2017", "Kim2026"),
        notes="Hessian of the sum (stiffness lambda sum F_i), zero of its gradient (centre), value there "
              "(constant).  In d dimensions the same steps hold with matrices (reduce_penalties).",
    )


@functools.lru_cache(maxsize=None)
def _stationary_value_series() -> tuple[sympy.Expr, sympy.Expr, tuple[sympy.Symbol, ...]]:
    """V(n) = U_n(p(n)) at a stationary point p(n) of U + n q: the coefficients of n and n^2.

    Near the point p0 of U write U(p0 + s) = U0 + K s^2/2 + U3 s^3/6 (U'(p0) = 0, K signed)
    and q(p0 + s) = q0 + g s + h s^2/2; expand p(n) = p0 + p1 n + p2 n^2, solve the
    stationarity condition order by order, and expand V(n).
    """
    n, shift = sympy.symbols("n s", real=True)
    U0, K, U3, q0, g, h, p1, p2 = sympy.symbols("U0 K U3 q0 g h p1 p2", real=True)
    landscape = U0 + K * shift**2 / 2 + U3 * shift**3 / 6 + n * (q0 + g * shift + h * shift**2 / 2)
    displacement = p1 * n + p2 * n**2
    stationarity = sympy.expand(sympy.diff(landscape, shift).subs(shift, displacement))
    first_order = sympy.solve(stationarity.coeff(n, 1), p1)[0]
    value = sympy.expand(landscape.subs(shift, displacement).subs(p1, first_order))
    slope, curvature = value.coeff(n, 1), sympy.factor(value.coeff(n, 2))
    if curvature.has(p2):  # pragma: no cover - p2 drops out because U'(p0) = 0
        raise KramersError("EWC series: the second-order displacement did not drop out")
    return slope, curvature, (q0, g, K)


@functools.lru_cache(maxsize=None)
def ewc_barrier_series() -> Derivation:
    """dU(N) = dU0 + N (q_b - q_a) + N^2/2 (g_a^2/U''(a) + g_b^2/|U''(b)|) + O(N^3), by perturbation."""
    slope, curvature, (q0, g, K) = _stationary_value_series()
    q_a, q_b = sympy.symbols("q_a q_b", real=True)
    g_a, g_b = sympy.symbols("g_a g_b", real=True)
    kappa_a, kappa_b = sympy.symbols("kappa_a kappa_b", positive=True)
    at_saddle = {q0: q_b, g: g_b, K: -kappa_b}
    at_minimum = {q0: q_a, g: g_a, K: kappa_a}
    growth = slope.subs(at_saddle) - slope.subs(at_minimum)
    bending = sympy.factor(curvature.subs(at_saddle) - curvature.subs(at_minimum))
    expression = DeltaU_0 + N * growth + N**2 * bending
    symbols = {
        N: "number of consolidated tasks", DeltaU_0: "barrier without penalties",
        q_a: Prose("penalty of one task at the old minimum", _point_a),
        q_b: Prose("penalty of one task at the saddle", _point_b),
        g_a: Prose("slope of the penalty of one task at", _point_a),
        g_b: Prose("slope of the penalty of one task at", _point_b),
        kappa_a: Prose("curvature of the task landscape at", _point_a),
        kappa_b: Prose("modulus of the curvature of the task landscape at", _point_b),
    }
    return Derivation(
        name="ewc_barrier_series",
        title=Prose("Growth of the barrier with the number of EWC tasks (series in", N, ")"),
        readable=written_sum(DeltaU_0, written_product(N, written_sum(q_b, -q_a)), written_product(
            written_ratio(N**2, 2), written_sum(written_ratio(g_a**2, kappa_a), written_ratio(g_b**2, kappa_b)))),
        quantity=DeltaU_N,
        expression=expression,
        symbols=symbols,
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(kappa_b, 0, evaluate=False)),
        validity=ValidityRegime(
            Prose(N, "small compared with the critical task count"),
            small_parameter=N * (q_b - q_a) / DeltaU_0,
            error_order=N**3,
        ),
        references=("Kim2026", "Kirkpatrick2017"),
        notes="Perturbation series of the stationary values of U + N q at the minimum and at the saddle: "
              "V' = q (envelope theorem) and V''/2 = -q'^2 / (2 U'') from the first-order shift of the point.",
    )


# ------------------------------------------------------------------ a landscape under EWC
Escape = KramersEscape | EyringKramersEscape


@dataclasses.dataclass(frozen=True)
class EWCBarrier:
    """Escape from the old-task basin of ``task_potential`` under N EWC penalties.

    ``per_task`` is q(theta), the penalty of one task, in the potential's
    variables and the symbols lambda (and F in 1-D); ``values`` gives them (and
    N) their numbers.  Properties raise :class:`NoBarrierError` when the
    barrier at ``tasks`` does not exist (N >= N*).
    """

    task_potential: Potential
    per_task: sympy.Expr
    values: Mapping[sympy.Symbol, sympy.Expr]
    start: Any
    target: Any
    saddle: Any = None  # d >= 2: a seed of the saddle of U_0, or a function U_N -> seed (the path's saddle)

    @property
    def tasks(self) -> sympy.Expr:
        return self.values[N]

    @property
    def dimension(self) -> int:
        return self.task_potential.dimension

    def potential(self, tasks: Any | None = None) -> Potential:
        """U_N with N at ``tasks`` (default: the task count of this object)."""
        parameters = {**self.task_potential.parameters, **self.values}
        if tasks is not None:
            parameters[N] = parse_number(tasks, what="tasks")
        parameters = {s: v for s, v in parameters.items() if s in self.per_task.free_symbols
                      or s in self.task_potential.parameters or s == N}
        return Potential(self.task_potential.expression + N * self.per_task, self.task_potential.variables,
                         parameters)

    def escape_at(self, tasks: Any | None = None) -> Escape:
        potential = self.potential(tasks)
        try:
            if self.dimension == 1:
                return kramers_escape(potential, _scalar(self.start), _scalar(self.target))
            if callable(self.saddle):  # the saddle on the minimum-energy path of U_N itself
                return eyring_kramers_escape(potential, self.start, self.target,
                                             saddle=_saddle_seed(self, float(potential.parameters[N])))
            reached, saddle, fold = _follow_saddle(self, float(potential.parameters[N]))
            if fold is not None:
                raise NoBarrierError(f"the saddle continued from N = 0 merges with the new-task minimum near "
                                     f"N = {reached:.6g}")
            return eyring_kramers_escape(potential, self.start, self.target, saddle=saddle)
        except NoBarrierError as error:
            critical = self.critical_tasks_value
            where = f"N* = {critical:.6g}" if critical is not None else "the penalties"
            raise NoBarrierError(
                f"tasks: no barrier between the old-task basin and the target at N = "
                f"{float(potential.parameters[N]):g}: past {where} the new-task minimum and the saddle have merged "
                f"({quoted_message(error)})", parameter="tasks"
            ) from None

    @functools.cached_property
    def escape(self) -> Escape:
        """The escape at N = tasks (raises NoBarrierError past N*)."""
        return self.escape_at()

    @functools.cached_property
    def escape_without_penalty(self) -> Escape:
        return self.escape_at(0)

    # -------------------------------------------------------------- barrier
    @property
    def barrier(self) -> sympy.Expr:
        """dU(N): closed form in N (lambda, F) where SymPy solves U_N' = 0, else a number."""
        return self.escape.barrier

    @property
    def exact(self) -> bool:
        escape = self.escape
        if isinstance(escape, KramersEscape):
            return escape.points.minimum.exact and escape.points.saddle.exact
        return escape.exact

    def _points(self, escape: Escape):
        if isinstance(escape, KramersEscape):
            return ((escape.minimum,), sympy.Matrix([[escape.curvature_minimum]]),
                    (escape.saddle,), sympy.Matrix([[escape.curvature_saddle]]))
        return (escape.minimum.location, escape.minimum.hessian, escape.saddle.location, escape.saddle.hessian)

    @functools.cached_property
    def series(self) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
        """(dU(0), slope, curvature) with dU(N) = dU(0) + slope N + curvature N^2 + O(N^3)."""
        escape = self.escape_without_penalty
        variables = self.task_potential.variables
        minimum, hessian_minimum, saddle, hessian_saddle = self._points(escape)
        zero = {N: 0}
        gradient = sympy.Matrix([sympy.diff(self.per_task, v) for v in variables])

        def at(expression, location):
            return expression.subs(dict(zip(variables, location))).subs(zero)

        slope = at(self.per_task, saddle) - at(self.per_task, minimum)
        g_a, g_z = at(gradient, minimum), at(gradient, saddle)
        curvature = ((g_a.T * hessian_minimum.subs(zero).inv() * g_a)[0, 0]
                     - (g_z.T * hessian_saddle.subs(zero).inv() * g_z)[0, 0]) / 2
        barrier = escape.barrier.subs(zero)
        tidy = sympy.factor if escape_exact(escape) else (lambda e: e)
        return tidy(barrier), tidy(slope), tidy(curvature)

    @property
    def slope(self) -> sympy.Expr:
        return self.series[1]

    @property
    def barrier_linear(self) -> sympy.Expr:
        """dU(0) + slope N: the linear growth law."""
        return self.series[0] + self.series[1] * N

    # -------------------------------------------------------------- critical count
    @functools.cached_property
    def critical_tasks_value(self) -> float | None:
        """N* as a number (None when bistability survives up to MAXIMUM_TASKS)."""
        return _critical_numeric(self)

    @functools.cached_property
    def critical_tasks(self) -> sympy.Expr | None:
        """N*: closed form in lambda (and F) where SymPy finds one, else a number; None if never lost."""
        numeric = self.critical_tasks_value
        if numeric is None:
            return None
        exact = _critical_exact(self, numeric)
        return exact if exact is not None else sympy.Float(numeric, 15)

    # -------------------------------------------------------------- rate
    @property
    def rate(self) -> Derivation:
        derivation = self.escape.rate
        symbols = dict(derivation.symbols)
        for symbol, meaning in ((N, "number of consolidated tasks"), (lam, "EWC strength"),
                                (fisher, "Fisher information of one task")):
            if symbol in symbols:
                symbols[symbol] = meaning
        return dataclasses.replace(derivation, name="ewc_rate", title=Prose("Escape rate after", N, "EWC tasks"),
                                   quantity=k_N, symbols=symbols)

    @property
    def prefactor(self) -> sympy.Expr:
        return self.escape.prefactor

    @property
    def plasticity_exponent(self) -> sympy.Expr:
        """-(dU(N) - dU(0)) / T: the exponent of k_N / k_0."""
        return -(self.barrier - self.escape_without_penalty.barrier.subs(N, 0)) / T

    @property
    def plasticity_ratio(self) -> sympy.Expr:
        """k_N / k_0 = (nu_N / nu_0) exp(-(dU(N) - dU(0)) / T)."""
        prefactors = self.prefactor / self.escape_without_penalty.prefactor.subs(N, 0)
        ratio = prefactors * sympy.exp(self.plasticity_exponent)
        return sympy.powsimp(ratio) if self.exact else ratio

    def numbers(self, temperature: Any | None = None, friction: Any = 1) -> dict[str, Any]:
        """The values the CLI reports; past N* barrier, rate and ratio are None with a reason."""
        values = {**self.task_potential.values, **self.values, gamma: friction}
        if temperature is not None:
            values[T] = temperature
        at = lambda e: float(sympy.N(as_expression(e).subs(values), 17))  # noqa: E731
        base, slope, curvature = self.series
        critical = self.critical_tasks
        result = {
            "tasks": at(self.tasks),
            "barrier_zero": at(base),
            "slope": at(slope),
            "barrier_curvature": at(curvature),
            "barrier_linear": at(self.barrier_linear),
            "barrier_quadratic": at(self.barrier_linear + curvature * N**2),
            "critical_tasks": None if critical is None else at(critical),
            "reason": None,
        }
        try:
            escape = self.escape
        except NoBarrierError as error:
            return {**result, "barrier": None, "exact": None, "minimum": None, "saddle": None, "prefactor": None,
                    "rate": None, "plasticity_ratio": None, "plasticity_exponent": None, "reason": str(error)}
        location = lambda p: [at(c) for c in p] if isinstance(p, tuple) else [at(p)]  # noqa: E731
        minimum, _, saddle, _ = self._points(escape)
        result.update({
            "barrier": at(self.barrier),
            "exact": self.exact,
            "minimum": location(minimum),
            "saddle": location(saddle),
            "prefactor": at(self.prefactor),
        })
        if temperature is None:
            result.update({"rate": None, "plasticity_ratio": None, "plasticity_exponent": None})
        else:
            result.update({
                "rate": at(self.rate.expression),
                "plasticity_ratio": at(self.plasticity_ratio),
                "plasticity_exponent": at(self.plasticity_exponent),
            })
        return result


def escape_exact(escape: Escape) -> bool:
    if isinstance(escape, KramersEscape):
        return escape.points.minimum.exact and escape.points.saddle.exact
    return escape.exact


def _scalar(value):
    return value[0] if isinstance(value, (tuple, list)) else value


def _number(value: Any, parameter: str, meaning: str, *, allow_zero: bool = True) -> sympy.Expr:
    """``value`` of the parameter ``parameter`` (errors read "parameter (meaning) must be ...")."""
    what = f"{parameter} ({meaning})"
    try:
        number = _exact(value, what)
    except InvalidParameter as error:
        raise type(error)(str(error), parameter=parameter) from None
    if number < 0 or (not allow_zero and number == 0):
        raise InvalidParameter(f"{what} must be {'non-negative' if allow_zero else 'positive'}, got {value}",
                               parameter=parameter)
    return number


def ewc_barrier(
    potential: Potential,
    start: Any,
    target: Any,
    *,
    tasks: Any | None = None,
    strength: Any,
    fisher_matrix: Any | None = None,
    anchor: Any | None = None,
    task_list: Sequence[tuple[Any, Any]] | None = None,
    saddle: Any | None = None,
) -> EWCBarrier:
    """EWC on ``potential``: N copies of one task (``anchor``, ``fisher_matrix``) or a list of tasks.

    ``task_list`` holds (anchor, Fisher) pairs; the N of the series is then a
    multiple of the list's average task, and ``tasks`` defaults to its length.
    In 1-D with one task the Fisher information stays the symbol F (with its
    value), so the closed forms read in c = N lambda F.  In d >= 2 ``saddle``
    is a function from a landscape U_N (a :class:`Potential`) to a seed of
    the saddle on its minimum-energy path (``numerics.transition_path`` finds
    it), or a fixed seed of the saddle of U_0; the saddle of U_N and N* follow
    by continuation in N, re-seeded by the function where the path changes
    saddles.
    """
    clash = sorted(s.name for s in potential.parameters if s.name in EWC_NAMES)
    if clash:
        raise InvalidParameter(f"parameters: names {clash} are reserved by EWC (N tasks, lambda strength, F Fisher)",
                               parameter="parameters")
    strength_value = _number(strength, "strength", "EWC strength lambda")
    dimension = potential.dimension
    variables = potential.variables
    values: dict[sympy.Symbol, sympy.Expr] = {lam: strength_value}
    if task_list is not None:
        if anchor is not None or fisher_matrix is not None:
            raise InvalidParameter("task_list: give either a task list or `anchor`/`fisher_matrix`, not both",
                                   parameter="task_list")
        if not task_list:
            raise InvalidParameter("task_list: the list of tasks is empty", parameter="task_list")
        parsed = [ewc_task(a, f, dimension, name=f"task {i + 1}") for i, (a, f) in enumerate(task_list)]
        reduced = reduce_penalties(parsed, lam, variables)
        count = sympy.Integer(len(parsed))
        per_task = sympy.expand(reduced.expression(variables) / count)
        values[N] = count if tasks is None else _number(tasks, "tasks", "N")
    else:
        if anchor is None or fisher_matrix is None:
            raise InvalidParameter("anchor and `fisher_matrix`: both are needed (or a `task_list`)", parameter="anchor")
        if tasks is None:
            raise InvalidParameter("tasks (N): the number of consolidated tasks is needed", parameter="tasks")
        values[N] = _number(tasks, "tasks", "N")
        if dimension == 1 and not (isinstance(fisher_matrix, (list, tuple)) and len(fisher_matrix) > 1):
            task = ewc_task(anchor, fisher_matrix, 1, name="task 1 (`anchor`, `fisher_matrix`)")
            values[fisher] = task.fisher[0, 0]
            reduced = reduce_penalties([EWCTask(task.anchor, sympy.Matrix([[fisher]]))], lam, variables)
        else:
            task = ewc_task(anchor, fisher_matrix, dimension, name="task 1 (`anchor`, `fisher_matrix`)")
            reduced = reduce_penalties([task], lam, variables)
        per_task = sympy.expand(reduced.expression(variables))
    return EWCBarrier(potential, per_task, values, start, target, saddle)


# ------------------------------------------------------------------ the critical task count
def _critical_numeric(ewc: EWCBarrier) -> float | None:
    """N* by bracketing the loss of a barrier and refining the saddle-node system.

    In 1-D the bracket comes from bisection on a scan of U_N'; in d >= 2 from
    continuation of the saddle and the new-task minimum in N (:func:`_follow_saddle`).
    """
    if ewc.dimension > 1:
        low, saddle, high = _follow_saddle(ewc, None)
        if high is None:
            return None
        return _refine_saddle_node(ewc, low, high, saddle)
    bistable = _bistable_1d(ewc)
    if not bistable(0.0):
        raise NoBarrierError("potential: there is no barrier between the old-task basin and the target even at N = 0",
                             parameter="potential")
    low, high = 0.0, 1.0
    while bistable(high):
        low, high = high, 2 * high
        if high > MAXIMUM_TASKS:
            return None
    for _ in range(60):
        middle = (low + high) / 2
        if bistable(middle):
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return _refine_saddle_node(ewc, low, high)


def _landscape_functions(ewc: EWCBarrier):
    values = {**ewc.task_potential.values, **{s: v for s, v in ewc.values.items() if s != N}}
    expression = (ewc.task_potential.expression + N * ewc.per_task).subs(values)
    return expression, list(ewc.task_potential.variables)


def _bistable_1d(ewc: EWCBarrier):
    expression, (x,) = _landscape_functions(ewc)
    first = sympy.lambdify((x, N), sympy.diff(expression, x), modules="math")
    start, target = float(_scalar(ewc.start)), float(_scalar(ewc.target))
    direction = 1.0 if target > start else -1.0
    span = abs(target - start)
    lo, hi = (start - span, target) if direction > 0 else (target, start + span)
    grid = [lo + (hi - lo) * i / BRACKET_GRID for i in range(BRACKET_GRID + 1)]

    def bistable(n: float) -> bool:
        slopes = [first(p, n) for p in grid]
        # sign changes: minima (- to + in increasing x) and maxima (+ to -)
        changes = [(grid[i], "min" if slopes[i] < 0 <= slopes[i + 1] else "max")
                   for i in range(BRACKET_GRID) if (slopes[i] < 0) != (slopes[i + 1] < 0)]
        ordered = changes if direction > 0 else changes[::-1]
        minima = [i for i, (p, kind) in enumerate(ordered) if kind == "min" and direction * (p - start) <= span / 2]
        if not minima:
            return False
        # the old minimum: the last minimum reached walking downhill near start; then a maximum before the target
        old = min(minima, key=lambda i: abs(ordered[i][0] - start))
        return any(kind == "max" for _, kind in ordered[old + 1:])

    return bistable


@functools.lru_cache(maxsize=32)
def _functions_in_tasks(expression: sympy.Expr, variables: tuple[sympy.Symbol, ...]):
    """grad U_N and the Hessian of U_N as mpmath functions of (theta, N), built once."""
    gradient = [sympy.diff(expression, v) for v in variables]
    hessian = [[sympy.diff(g, v) for v in variables] for g in gradient]
    return (sympy.lambdify((*variables, N), gradient, modules="mpmath"),
            sympy.lambdify((*variables, N), hessian, modules="mpmath"))


def _stationary_near(functions, seed, tasks, index: int):
    """Newton's point of grad U_N = 0 from ``seed`` at N = ``tasks`` if it has ``index`` negative eigenvalues."""
    gradient, hessian = functions
    x = mpmath.matrix([mpmath.mpf(c) for c in seed])
    n = mpmath.mpf(tasks)
    for _ in range(CONTINUATION_NEWTON_STEPS):
        g = mpmath.matrix(gradient(*x, n))
        if mpmath.norm(g) <= mpmath.mpf(10) ** (-20) * (1 + mpmath.norm(x)):
            break
        try:
            x = x - mpmath.lu_solve(mpmath.matrix(hessian(*x, n)), g)
        except ZeroDivisionError:
            return None
    else:
        return None
    eigenvalues = mpmath.eigsy(mpmath.matrix(hessian(*x, n)))[0]
    return x if sum(1 for e in eigenvalues if e < 0) == index else None


def _saddle_seed(ewc: EWCBarrier, tasks: float) -> list:
    """A seed of the saddle of U_N at N = ``tasks``: the finder's answer on U_N, or the given point."""
    if ewc.saddle is None:
        raise InvalidParameter(
            "saddle: in d >= 2 the EWC barrier needs the saddle of the task landscape, a point or a function of "
            "the landscape U_N (numerics.transition_path finds it on the minimum-energy path)"
        )
    seed = ewc.saddle(_numeric_potential(ewc, tasks)) if callable(ewc.saddle) else ewc.saddle
    return [mpmath.mpf(sympy.N(parse_number(c, what="saddle"), 40)) for c in seed]


def _follow_saddle(ewc: EWCBarrier, until: float | None):
    """Natural-parameter continuation of the saddle z(N) and the new-task minimum m(N) from N = 0.

    Starts from the saddle of U_0 that Newton reaches from the seed (the
    highest image of the minimum-energy path) and from the minimum near
    ``ewc.target``; each step in N re-solves grad U_N = 0 by Newton's method
    from the previous points and accepts them when the indices are 1 and 0,
    the two are distinct and z moved less than half its distance to m.  A
    rejected step is halved; a step doubled after each success.  When the
    step falls below 1e-12 (1 + N) the saddle has met another stationary
    point.  If that is m (their distance has shrunk below 1e-3 of its value at
    N = 0), this is the saddle-node where bistability is lost.  If it is not
    (z met a maximum, and the minimum-energy path now crosses another saddle)
    the finder of ``ewc.saddle`` is asked for the saddle of U_N just beyond,
    and the continuation goes on from there; a fixed seed cannot, an error.

    Returns (N reached, z there as floats, None) on reaching ``until`` (or
    MAXIMUM_TASKS when ``until`` is None), else (low, z(low), high), the
    bracket of the merger of z and m.
    """
    expression, variables = _landscape_functions(ewc)
    functions = _functions_in_tasks(expression, tuple(variables))
    dimension = len(variables)
    with mpmath.workdps(30):
        saddle = _stationary_near(functions, _saddle_seed(ewc, 0.0), 0, 1)
        target = [mpmath.mpf(sympy.N(parse_number(c, what="target"), 40)) for c in ewc.target]
        minimum = _stationary_near(functions, target, 0, 0)
        if saddle is None or minimum is None:
            raise NoBarrierError(
                "potential: at N = 0 Newton's method finds no index-1 saddle from the seed, or no minimum "
                "near the target: no barrier to follow", parameter="potential"
            )
        initial_separation = mpmath.norm(saddle - minimum)
        n = mpmath.mpf(0)
        step = mpmath.mpf(until) / 4 if until else mpmath.mpf(1)
        while True:
            if until is not None and n >= until:
                return float(n), [float(c) for c in saddle], None
            if until is None and n > MAXIMUM_TASKS:
                return float(n), [float(c) for c in saddle], None
            if step <= mpmath.mpf(10) ** -12 * (1 + n):
                beyond = n + 2 * step
                if mpmath.norm(saddle - minimum) < mpmath.mpf(10) ** -3 * initial_separation:
                    return float(n), [float(c) for c in saddle], float(beyond)
                if not callable(ewc.saddle):
                    raise KramersError(
                        f"saddle: the saddle followed from N = 0 vanishes at N = {float(n):.6g} without meeting the "
                        "new-task minimum (the minimum-energy path moves to another saddle); give a saddle finder "
                        "instead of a fixed seed"
                    )
                switched = _stationary_near(functions, _saddle_seed(ewc, float(beyond)), beyond, 1)
                if switched is None:
                    raise NoBarrierError(f"saddle: no index-1 saddle on the path of U_N at N = {float(beyond):.6g}")
                moved = _stationary_near(functions, minimum, beyond, 0)
                if moved is None:
                    return float(n), [float(c) for c in saddle], float(beyond)
                n, saddle, minimum, step = beyond, switched, moved, mpmath.mpf(1) + beyond / 4
                continue
            trial = n + step if until is None else min(n + step, mpmath.mpf(until))
            separation = mpmath.norm(saddle - minimum)
            new_saddle = _stationary_near(functions, saddle, trial, 1)
            new_minimum = _stationary_near(functions, minimum, trial, 0) if new_saddle is not None else None
            if (new_minimum is not None and mpmath.norm(new_saddle - new_minimum) > mpmath.mpf(10) ** -8 * dimension
                    and mpmath.norm(new_saddle - saddle) < separation / 2):
                n, saddle, minimum = trial, new_saddle, new_minimum
                step *= 2
            else:
                step /= 2


def _numeric_potential(ewc: EWCBarrier, n: float) -> Potential:
    expression, variables = _landscape_functions(ewc)
    return Potential(expression.subs(N, sympy.Float(n, 30)), tuple(variables), {})


def _refine_saddle_node(ewc: EWCBarrier, low: float, high: float, saddle: Sequence[float] | None = None) -> float:
    """Newton on grad U_N = 0, det H_N = 0 in (x, N), from the last bistable saddle (``saddle`` in d >= 2)."""
    expression, variables = _landscape_functions(ewc)
    if saddle is not None:
        seed = list(saddle)
    else:
        try:
            escape = kramers_escape(_numeric_potential(ewc, low), _scalar(ewc.start), _scalar(ewc.target))
            seed = [float(escape.saddle)]
        except KramersError:
            return (low + high) / 2
    gradient = [sympy.diff(expression, v) for v in variables]
    determinant = sympy.hessian(expression, variables).det()
    system = sympy.lambdify((*variables, N), [*gradient, determinant], modules="mpmath")
    try:
        with mpmath.workdps(30):
            root = mpmath.findroot(lambda *z: system(*z), [*seed, low])
        value = float(root[len(variables)])
    except (ZeroDivisionError, ValueError):
        return (low + high) / 2
    # the bracket is only as sharp as the scan (a maximum-minimum pair closer than one grid step is missed,
    # so the bracket may sit slightly below N*): accept Newton's root near it, reject a far-away one
    if not abs(value - (low + high) / 2) <= 1e-2 * (1 + high):
        return (low + high) / 2
    return value


def _critical_exact(ewc: EWCBarrier, numeric: float) -> sympy.Expr | None:
    """N* in closed form (1-D polynomial landscapes): U'' q' - U' q'' = 0, N = -U'/q'."""
    if ewc.dimension != 1:
        return None
    x = ewc.task_potential.variable
    task = ewc.task_potential.expression
    u1, u2 = sympy.diff(task, x), sympy.diff(task, x, 2)
    q1, q2 = sympy.diff(ewc.per_task, x), sympy.diff(ewc.per_task, x, 2)
    numerator = sympy.numer(sympy.together(u2 * q1 - u1 * q2))
    try:
        factors = sympy.factor_list(numerator, x)[1]
    except sympy.PolynomialError:
        return None
    values = {**ewc.task_potential.values, **ewc.values}
    for factor, _ in factors:
        try:
            polynomial = sympy.Poly(factor, x)
        except sympy.PolynomialError:
            return None
        if not 1 <= polynomial.degree() <= 4:
            continue
        for root in sympy.roots(polynomial, x):
            slope = q1.subs(x, root)
            if slope.subs(values) == 0:
                continue
            candidate = sympy.factor(-u1.subs(x, root) / slope)
            number = sympy.N(candidate.subs(values), 20)
            if number.is_real and abs(float(number) - numeric) <= 1e-8 * (1 + abs(numeric)):
                return candidate
    return None


# ------------------------------------------------------------------ the canonical case
CANONICAL_POTENTIAL = "(x**2-1)**2"


@functools.lru_cache(maxsize=None)
def canonical_ewc() -> EWCBarrier:
    """The canonical case (docs/ewc.md): E(s) = (s^2-1)^2, old tasks anchored at s = -1, c = N lambda F.

    The values (N = 1, lambda = 1/10, F = 1) only select the branch of each
    closed form; the expressions hold for 0 <= c < 1.
    """
    potential = Potential.from_string(CANONICAL_POTENTIAL)
    return ewc_barrier(potential, -1, 1, tasks=1, strength=sympy.Rational(1, 10), fisher_matrix=1, anchor=-1)


_CANONICAL_SYMBOLS = {N: "number of consolidated tasks", lam: "EWC strength", fisher: "Fisher information of one task"}
_CANONICAL_CONDITION = (sympy.Lt(N * lam * fisher, 1, evaluate=False),)
# The canonical closed forms read through c = N lambda F and s = sqrt(1 - c).
_CANONICAL_PIECES = (
    Intermediate(_c, written_product(N, lam, fisher), "total penalty stiffness"),
    Intermediate(_root, written_root(written_sum(1, -_c)), Prose("the root", written_root(written_sum(1, -_c)))),
)
_CANONICAL_BARRIER = written_ratio(written_sum(8, 20 * _c, -_c**2, written_product(8, written_sum(1, -_c), _root)), 16)
_CANONICAL_PIECES_WITH_BARRIER = (*_CANONICAL_PIECES,
                                  Intermediate(DeltaU_N, _CANONICAL_BARRIER, Prose("barrier after", N, "tasks")))


@functools.lru_cache(maxsize=None)
def ewc_canonical_barrier() -> Derivation:
    ewc = canonical_ewc()
    return Derivation(
        name="ewc_canonical_barrier",
        title=Prose("Exact barrier after", N, "EWC tasks on the canonical double well"),
        readable=_CANONICAL_BARRIER,
        intermediates=_CANONICAL_PIECES,
        quantity=DeltaU_N,
        expression=ewc.barrier,
        symbols=_CANONICAL_SYMBOLS,
        conditions=_CANONICAL_CONDITION,
        validity=ValidityRegime(Prose("exact for", _CANONICAL_CONDITION[0], "; no barrier beyond")),
        references=("Kim2026", "Kirkpatrick2017"),
        notes="U_N = (s^2-1)^2 + N (lambda F / 2)(s+1)^2; stationary points solved by SymPy, barrier U_N(s_b) - U_N(-1).",
    )


@functools.lru_cache(maxsize=None)
def ewc_critical_tasks() -> Derivation:
    ewc = canonical_ewc()
    return Derivation(
        name="ewc_critical_tasks",
        title="Critical task count where the new-task minimum and the saddle merge (canonical case)",
        quantity=N_star,
        expression=ewc.critical_tasks,
        symbols={lam: "EWC strength", fisher: "Fisher information of one task"},
        conditions=(sympy.Gt(lam * fisher, 0, evaluate=False),),
        validity=ValidityRegime(Prose("exact (saddle-node bifurcation of", _U_N, ")")),
        references=("Kim2026",),
        notes="Saddle-node system U_N' = U_N'' = 0 with N eliminated: U'' q' - U' q'' = 0, N = -U'/q'.",
    )


@functools.lru_cache(maxsize=None)
def ewc_rate() -> Derivation:
    ewc = canonical_ewc()
    rate = ewc.rate
    return dataclasses.replace(
        rate,
        title=Prose("Kramers rate of learning a new task after", N, "EWC tasks (canonical case)"),
        readable=written_product(
            written_ratio(written_product(sympy.sqrt(2), written_root(written_sum(_c, 8)),
                                          written_root(written_sum(_c, 3 * _root, -1))),
                          written_product(2, sympy.pi, gamma)),
            sympy.exp(-DeltaU_N / T)),
        intermediates=_CANONICAL_PIECES_WITH_BARRIER,
        conditions=_CANONICAL_CONDITION,
        references=_REFERENCES,
        notes="Kramers' law on U_N with the closed-form minimum, saddle and curvatures.",
    )


@functools.lru_cache(maxsize=None)
def ewc_plasticity_ratio() -> Derivation:
    ewc = canonical_ewc()
    rate = ewc.rate
    return Derivation(
        name="ewc_plasticity_ratio",
        title=Prose("Plasticity ratio", plasticity, "after", N, "EWC tasks (canonical case)"),
        readable=written_product(
            written_ratio(written_root(written_sum(_c**2, 3 * _c * _root, 7 * _c, 24 * _root, -8)), 4),
            sympy.exp(written_ratio(written_sum(1, -DeltaU_N), T))),
        intermediates=_CANONICAL_PIECES_WITH_BARRIER,
        quantity=plasticity,
        expression=ewc.plasticity_ratio,
        symbols={**_CANONICAL_SYMBOLS, T: _KRAMERS_MEANINGS[T]},
        conditions=_CANONICAL_CONDITION,
        validity=dataclasses.replace(rate.validity),
        references=_REFERENCES,
        notes="Ratio of Kramers rates on U_N and U_0: prefactor ratio times exp(-(dU(N) - dU(0))/T).",
    )
