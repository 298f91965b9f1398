"""Exit-time statistics of a one-dimensional diffusion by panel quadrature in log space.

The problem
-----------
Overdamped Langevin dynamics dx = -U'(x)/gamma dt + sqrt(2D) dW, D = T/gamma,
has the backward generator

    L u = D u'' - (U'/gamma) u' = D psi (m u')',     psi = e^{U/T},  m = 1/psi = e^{-U/T}.

Every exit-time statistic solves L u = -f with u = 0 at an absorbing end and
u' = 0 at a reflecting one (Gardiner 2009, sections 5.2.7-5.2.8; Hanggi,
Talkner, Borkovec 1990, section VII).  Written with the Green's function the
solutions are sums of nested integrals of positive functions only:

* one absorbing end b and a reflecting end L (L = -infinity allowed when U
  confines), with F(y) = int_L^y m f:

      u(x) = (1/D) int_x^b psi(y) F(y) dy;

  f = 1 gives the mean first-passage time tau (Gardiner eq. 5.2.160).
* two absorbing ends A < x < B, with S(x) = int_A^x psi, Sbar(x) = int_x^B psi,
  the splitting probabilities pi_R = S/S(B) (exit through B) and pi_L = Sbar/S(B):

      u(x) = (1/D) [ pi_L(x) int_A^x S m f dz + pi_R(x) int_x^B Sbar m f dz ].

The moments of the exit time follow from f = n T_{n-1} (T_0 = 1), so the
variance is T_2 - T_1^2; the conditional mean exit times follow from
f = pi_R (resp. pi_L): u = pi_R T_R (Gardiner eqs. 5.2.186-5.2.190).

The numerics
------------
The interval is cut into panels on which U/T varies by at most ``PANEL_SPREAD``
(plus a cap on the panel length), with the start point as a panel edge.  On
each panel the Gauss-Legendre rule of n nodes integrates, and its Legendre
integration matrix (the integral from the panel's left edge to each node of
the interpolant through the nodes) gives the running integrals at the nodes;
summing panel totals gives them at the edges.  Each integrand is positive and
is held by its logarithm: a panel is scaled by its largest value before the
exponentials are taken and the panel sums are accumulated with log-sum-exp, so
a barrier of hundreds of T neither overflows nor loses relative accuracy
(rates down to 1e-300 and beyond: the result is returned as a logarithm).
Beyond 15 digits the same kind of panels (wider: ``MP_PANEL_SPREAD``) are
evaluated in mpmath at digits + 10 working digits with digits + 4 nodes;
mpmath's exponent range is unbounded, so no logarithms are needed, and the
O(K n^2) products with the integration matrices run in fixed point on Python
integers (see :func:`_fixed_point`).

The error estimate is the difference between the rule of n nodes and the rule
of n - ``ORDER_STEP`` nodes on the same panels (the higher one is returned, so
the estimate bounds its error for an exponentially convergent rule), plus a
rounding floor ``ROUNDING_FLOOR`` x (1 + s) in double precision, where s is
the spread of U/T that the answer sees: U/T itself is only known to about
eps |U/T|, so the result's condition number with respect to it is about s,
and at dU/T = 200 the reachable relative accuracy is ~ 1e-14 for any double-
precision method.  Measured against 30-digit mpmath, every error lies below
its estimate (benchmarks/quadrature_accuracy.py, docs/quadrature.md).

An infinite reflecting end is cut where U has risen ``CUT_E_FOLDS`` T above the
lowest value of U met between it and the start, after a geometric scan out to
1e12 landscape lengths finds no rebound; the neglected mass is below
e^{-CUT_E_FOLDS} of the retained one.  A feature narrower than the probe grid
(1/``PROBES`` of the interval) can be missed by the panel layout; the error
estimate then misses it too.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import mpmath
import numpy as np
import sympy
from numpy.polynomial import legendre

from theory._errors import InvalidParameter
from theory._potential import Potential, parse_number

from ._validate import escape_problem

__all__ = ["ExitTimeStatistics", "exit_time_statistics", "exact_escape_time", "DOUBLE_DIGITS"]

#: Digits the double-precision path delivers; more are computed in mpmath.
DOUBLE_DIGITS = 15
#: Largest change of U/T across one panel.
PANEL_SPREAD = 2.0
#: The same for the mpmath path, whose cost grows with the number of nodes: fewer, larger panels.
MP_PANEL_SPREAD = 8.0
#: Fewest panels across the interval (a cap on the panel length for smooth, flat stretches).
MINIMUM_PANELS = 8
#: Uniform probes of U/T that lay out the panels.
PROBES = 4096
#: Nodes per panel of the returned rule in double precision, and the step to the comparison rule.
DOUBLE_ORDER = 24
ORDER_STEP = 8
#: Relative rounding floor of the double-precision error estimate, per unit of the condition number
#: 1 + spread of U/T (U/T itself carries a rounding error of ~ eps x |U/T|); measured in docs/quadrature.md.
ROUNDING_FLOOR = 4 * 2.2e-16
#: E-folds of U/T at which an infinite reflecting end is cut (double precision; more for more digits).
CUT_E_FOLDS = 50.0


@dataclasses.dataclass(frozen=True)
class ExitTimeStatistics:
    """Exact exit-time statistics from ``start``, each with an estimated relative error.

    Times are held as natural logarithms (``log_mfpt``) so that no barrier
    overflows them; :attr:`mfpt` is the float when it is representable.  With a
    second absorbing end, ``splitting_right`` is the probability of leaving
    through ``target`` and the conditional times are the mean exit times given the
    end of exit ("right" is ``target``, "left" the other absorbing end).  The
    ``*_error`` fields are estimated relative errors (absolute for the
    splitting probability).  In the mpmath path the values are ``mpmath.mpf``.
    """

    log_mfpt: Any
    mfpt_error: float
    digits: int
    precision: str
    panels: int
    nodes: int
    log_second_moment: Any = None
    second_moment_error: float | None = None
    log_variance: Any = None
    variance_error: float | None = None
    splitting_right: Any = None
    splitting_error: float | None = None
    log_conditional_mfpt_right: Any = None
    log_conditional_mfpt_left: Any = None
    conditional_error: float | None = None

    @property
    def mfpt(self) -> float:
        """The mean first-passage time as a float (``inf`` beyond the float range)."""
        return _float_of_log(self.log_mfpt)

    @property
    def variance(self) -> float | None:
        return None if self.log_variance is None else _float_of_log(self.log_variance)

    @property
    def conditional_mfpt_right(self) -> float | None:
        return None if self.log_conditional_mfpt_right is None else _float_of_log(self.log_conditional_mfpt_right)

    @property
    def conditional_mfpt_left(self) -> float | None:
        return None if self.log_conditional_mfpt_left is None else _float_of_log(self.log_conditional_mfpt_left)

    def decimal(self, log_value: Any = None) -> str:
        """``exp(log_value)`` (default: the MFPT) to :attr:`digits` significant digits, at any magnitude."""
        return decimal_of_log(self.log_mfpt if log_value is None else log_value, self.digits)


def _float_of_log(log_value: Any) -> float:
    value = float(log_value)
    return math.inf if value > 709.78 else math.exp(value)


def decimal_of_log(log_value: Any, digits: int) -> str:
    """exp(log_value) printed with ``digits`` significant digits, without overflow (1.23e+500)."""
    with mpmath.workdps(digits + 10):
        value = mpmath.exp(mpmath.mpf(log_value))
        return mpmath.nstr(value, digits, strip_zeros=False)


# --------------------------------------------------------------------------- rules on [-1, 1]
@dataclasses.dataclass(frozen=True)
class _Rule:
    """Gauss-Legendre nodes and weights on [-1, 1] and the Legendre integration matrix.

    ``forward[i, k]`` integrates node value k from -1 to node i, ``backward``
    from node i to 1 (the mirror image, so neither loses digits by subtraction).
    """

    nodes: Any
    weights: Any
    forward: Any
    backward: Any


@functools.lru_cache(maxsize=None)
def _double_rule(order: int) -> _Rule:
    nodes, weights = legendre.leggauss(order)
    # P_j(x_i) for j = 0..order, and int_{-1}^{x_i} P_j = (P_{j+1} - P_{j-1})(x_i) / (2j + 1), P_{-1} := -1
    values = legendre.legvander(nodes, order)
    antiderivatives = np.empty((order, order))
    antiderivatives[:, 0] = nodes + 1
    for j in range(1, order):
        antiderivatives[:, j] = (values[:, j + 1] - values[:, j - 1]) / (2 * j + 1)
    # Legendre coefficients of the interpolant: c_j = (2j+1)/2 sum_k w_k P_j(x_k) f_k (exact for degree < order)
    analysis = (np.arange(order)[:, None] + 0.5) * values[:, :order].T * weights[None, :]
    forward = antiderivatives @ analysis
    return _Rule(nodes, weights, forward, forward[::-1, ::-1])


@functools.lru_cache(maxsize=None)
def _mp_rule(order: int, dps: int) -> _Rule:
    """The rule of :func:`_double_rule` at ``dps`` digits (Newton from the double nodes: 1e-16 -> 1e-128 in 3 steps)."""
    with mpmath.workdps(dps):
        nodes, weights, values = [], [], []
        for guess in legendre.leggauss(order)[0]:
            x = mpmath.mpf(float(guess))
            for _ in range(2 + math.ceil(math.log2(dps / 15))):
                row = _legendre_values(order, x)
                x -= row[order] / (order * (x * row[order] - row[order - 1]) / (x * x - 1))
            row = _legendre_values(order, x)
            derivative = order * (x * row[order] - row[order - 1]) / (x * x - 1)
            nodes.append(x)
            weights.append(2 / ((1 - x * x) * derivative**2))
            values.append(row)
        antiderivatives = [
            [x + 1] + [(row[j + 1] - row[j - 1]) / (2 * j + 1) for j in range(1, order)]
            for x, row in zip(nodes, values)
        ]
        analysis = [[(j + mpmath.mpf(1) / 2) * values[k][j] * weights[k] for k in range(order)] for j in range(order)]
        bits = mpmath.mp.prec + 32  # entries are of order 1 to order n: fixed point keeps every digit
        forward = _from_fixed_point(_fixed_point(np.array(antiderivatives, dtype=object), bits).dot(
            _fixed_point(np.array(analysis, dtype=object), bits)), 2 * bits)
        return _Rule(np.array(nodes, dtype=object), np.array(weights, dtype=object), forward, forward[::-1, ::-1])


def _legendre_values(order: int, x) -> list:
    """P_0(x), ..., P_order(x) by Bonnet's recurrence."""
    values = [mpmath.mpf(1), x]
    for n in range(2, order + 1):
        values.append(((2 * n - 1) * x * values[-1] - (n - 1) * values[-2]) / n)
    return values


# ------------------------------------------------------------------ two arithmetics
class _LogArithmetic:
    """Positive numbers held by their logarithms, in double precision."""

    one = 0.0

    def __init__(self, rule: _Rule, half_lengths: np.ndarray):
        self.rule = rule
        self.log_half = np.log(half_lengths)[:, None]

    @staticmethod
    def exp_of(phi):
        return phi

    @staticmethod
    def reciprocal(a):
        return -a

    @staticmethod
    def multiply(a, b):
        return a + b

    @staticmethod
    def divide(a, b):
        return a - b

    @staticmethod
    def scale(a, factor: float):
        return a + math.log(factor)

    @staticmethod
    def add(a, b):
        return np.logaddexp(a, b)

    @staticmethod
    def subtract(a, b):
        """a - b for a > b > 0."""
        return a + np.log1p(-np.exp(b - a))

    @staticmethod
    def log(a):
        return float(a)

    def running(self, values, matrix):
        """Per panel: log of the integrals given by ``matrix`` (K x n) and the panel totals (K)."""
        peak = values.max(axis=1, keepdims=True)
        scaled = np.exp(values - peak)
        with np.errstate(divide="ignore"):  # a partial integral that rounds to <= 0 is treated as zero
            partial = np.log(np.maximum(scaled @ matrix.T, 0.0)) + peak + self.log_half
        total = np.log(scaled @ self.rule.weights)[:, None] + peak + self.log_half
        return partial, total[:, 0]

    def cumulative(self, values, reverse=False):
        """(at the nodes, at the edges) of int from the left end (reverse: to the right end) of the function."""
        partial, total = self.running(values, self.rule.backward if reverse else self.rule.forward)
        if reverse:
            edges = np.append(np.logaddexp.accumulate(total[::-1])[::-1], -np.inf)
            return np.logaddexp(partial, edges[1:, None]), edges
        edges = np.concatenate(([-np.inf], np.logaddexp.accumulate(total)))
        return np.logaddexp(partial, edges[:-1, None]), edges


class _MpArithmetic:
    """Numbers as mpmath floats (unbounded exponents: no logarithms needed)."""

    one = mpmath.mpf(1)

    def __init__(self, rule: _Rule, half_lengths: np.ndarray):
        self.rule = rule
        self.half = half_lengths[:, None]

    exp_of = staticmethod(np.frompyfunc(mpmath.exp, 1, 1))
    reciprocal = staticmethod(lambda a: 1 / a)

    @staticmethod
    def multiply(a, b):
        return a * b

    @staticmethod
    def divide(a, b):
        return a / b

    @staticmethod
    def scale(a, factor):
        return a * factor

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def subtract(a, b):
        return a - b

    @staticmethod
    def log(a):
        return mpmath.log(a)

    def cumulative(self, values, reverse=False):
        """As :meth:`_LogArithmetic.cumulative`, the panel products in fixed point (see :func:`_fixed_point`)."""
        bits = mpmath.mp.prec + 32
        peak = np.array([max(row) for row in values], dtype=object)[:, None]
        fixed = _fixed_point(values / peak, bits)
        matrix = _fixed_point(self.rule.backward if reverse else self.rule.forward, bits)
        partial = _from_fixed_point(fixed.dot(matrix.T), 2 * bits) * peak * self.half
        total = (values.dot(self.rule.weights) * self.half[:, 0])
        zero = np.array([mpmath.mpf(0)], dtype=object)
        if reverse:
            edges = np.concatenate((np.cumsum(total[::-1])[::-1], zero))
            return partial + edges[1:, None], edges
        edges = np.concatenate((zero, np.cumsum(total)))
        return partial + edges[:-1, None], edges


#: Numbers of modest range as Python integers times 2^-bits: the O(K n^2) products of the panels' integration
#: matrices then run in integer arithmetic (tens of times faster than mpmath's), and only O(K n) conversions
#: touch mpmath.  Each panel is scaled by its peak first, so its values lie in [e^-c, 1] and keep all digits.
_fixed_point = np.frompyfunc(lambda value, bits: int(mpmath.ldexp(value, bits)), 2, 1)
_from_fixed_point = np.frompyfunc(lambda value, bits: mpmath.ldexp(mpmath.mpf(value), -bits), 2, 1)


# --------------------------------------------------------------------------- panels
@functools.lru_cache(maxsize=64)
def _numpy_function(potential: Potential):
    function = sympy.lambdify(potential.variable, potential.numeric, modules="numpy")
    return lambda x: np.broadcast_to(np.asarray(function(x), dtype=float), np.shape(x))


def _cut(phi, start: float, target: float, e_folds: float) -> float:
    """Where an infinite reflecting end is cut (in the coordinate where it lies to the left of start)."""
    length = max(1.0, target - start)
    distances = length * 2.0 ** np.linspace(-6, 40, 737)
    points = start - distances
    with np.errstate(all="ignore"):
        values = phi(points)
        inside = phi(np.linspace(start, target, 257))
    values = np.where(np.isnan(values), -np.inf, values)  # NaN is no confinement
    lowest = np.minimum(np.minimum.accumulate(values), inside.min())
    rise = values - lowest
    # the first probe from which U stays e_folds above the lowest value met so far, out to the end of the scan
    stays_high = np.minimum.accumulate((rise - e_folds)[::-1])[::-1] >= 0
    if not stays_high.any():
        raise InvalidParameter(
            f"reflect: U does not confine on the far side of start (U/T rises less than {e_folds:g} "
            "above its lowest value there); give a finite reflecting end"
        )
    return float(points[np.argmax(stays_high)])


def _panel_edges(phi, low: float, high: float, start: float, spread: float, probes: int = PROBES) -> np.ndarray:
    """Edges on [low, high] with start among them, U/T changing by at most ``spread`` per panel."""
    grid = np.linspace(low, high, probes + 1)
    values = phi(grid)
    if not np.all(np.isfinite(values)):
        bad = grid[~np.isfinite(values)][0]
        raise InvalidParameter(f"potential: U/T is not finite at x = {bad:g} inside the integration interval")
    # a monotone coordinate counting panels: the length share plus the variation of U/T
    count = np.concatenate(([0.0], np.cumsum(np.abs(np.diff(values))))) / spread
    count += MINIMUM_PANELS * (grid - low) / (high - low)
    # probes spanning more than one panel are split evenly
    per_interval = np.maximum(1, np.ceil(np.diff(count))).astype(int)
    interval = np.repeat(np.arange(probes), per_interval)
    fraction = np.arange(interval.size) - np.repeat(np.cumsum(per_interval) - per_interval, per_interval)
    fine = np.append(grid[interval] + (grid[interval + 1] - grid[interval]) * fraction / per_interval[interval], high)
    fine_count = np.interp(fine, grid, count)
    edges = np.interp(np.arange(math.ceil(count[-1]) + 1) * count[-1] / math.ceil(count[-1]), fine_count, fine)
    edges[0], edges[-1] = low, high
    edges = np.unique(np.append(edges, start))
    # an edge closer to start than a tenth of its panel is dropped, so no sliver panel appears
    keep = np.ones(edges.size, bool)
    index = int(np.searchsorted(edges, start))
    for neighbour in (index - 1, index + 1):
        if 0 < neighbour < edges.size - 1:
            far = edges[neighbour - 1] if neighbour < index else edges[neighbour + 1]
            if abs(edges[neighbour] - start) < 0.1 * abs(far - start):
                keep[neighbour] = False
    return edges[keep]


# --------------------------------------------------------------------------- the solution
def _green(arithmetic, phi_nodes, source, edge_of_start, left_absorbing, scaffold):
    """u = G f at the nodes and at the start edge, for the generator scaled to D = 1 (see module docstring)."""
    psi = arithmetic.exp_of(phi_nodes)
    m = arithmetic.reciprocal(psi)
    if not left_absorbing:
        inner, _ = arithmetic.cumulative(arithmetic.multiply(m, source))
        nodes, edges = arithmetic.cumulative(arithmetic.multiply(psi, inner), reverse=True)
        return nodes, edges[edge_of_start]
    (s_nodes, s_edges), (sbar_nodes, sbar_edges), total = scaffold
    left_part, left_edges = arithmetic.cumulative(arithmetic.multiply(arithmetic.multiply(s_nodes, m), source))
    right_part, right_edges = arithmetic.cumulative(
        arithmetic.multiply(arithmetic.multiply(sbar_nodes, m), source), reverse=True)
    nodes = arithmetic.divide(arithmetic.add(arithmetic.multiply(sbar_nodes, left_part),
                                             arithmetic.multiply(s_nodes, right_part)), total)
    at_start = arithmetic.divide(arithmetic.add(
        arithmetic.multiply(sbar_edges[edge_of_start], left_edges[edge_of_start]),
        arithmetic.multiply(s_edges[edge_of_start], right_edges[edge_of_start])), total)
    return nodes, at_start


def _solve(arithmetic, phi_nodes, edge_of_start, left_absorbing, moments, scale):
    """log (or mp value) of T_1 [, T_2], and with two absorbing ends pi_R, pi_R T_R, pi_L T_L at the start.

    ``scale`` = 1/D turns the D = 1 solution into times.
    """
    results = {}
    scaffold = None
    if left_absorbing:
        psi = arithmetic.exp_of(phi_nodes)
        forward, backward = arithmetic.cumulative(psi), arithmetic.cumulative(psi, reverse=True)
        total = forward[1][-1]
        scaffold = (forward, backward, total)
        results["splitting_right"] = arithmetic.divide(forward[1][edge_of_start], total)
    ones = np.full(phi_nodes.shape, arithmetic.one, dtype=phi_nodes.dtype)
    first_nodes, first = _green(arithmetic, phi_nodes, ones, edge_of_start, left_absorbing, scaffold)
    results["mfpt"] = arithmetic.scale(first, scale)
    if moments >= 2:
        source = arithmetic.scale(first_nodes, 2 * scale)
        _, second = _green(arithmetic, phi_nodes, source, edge_of_start, left_absorbing, scaffold)
        results["second_moment"] = arithmetic.scale(second, scale)
    if left_absorbing:
        (s_nodes, s_edges), (sbar_nodes, sbar_edges), total = scaffold
        for side, weight_nodes, weight_start in (("right", s_nodes, s_edges), ("left", sbar_nodes, sbar_edges)):
            _, product = _green(arithmetic, phi_nodes, arithmetic.divide(weight_nodes, total), edge_of_start,
                                True, scaffold)
            results[f"conditional_{side}"] = arithmetic.scale(
                arithmetic.divide(product, arithmetic.divide(weight_start[edge_of_start], total)), scale)
    return results


def _mp_order(digits: int) -> int:
    """Nodes per panel of the returned mpmath rule (measured: the n - ORDER_STEP rule then meets ``digits``)."""
    return digits + 4


def _assemble(solutions, digits, precision, panels, order, log, condition=1.0) -> ExitTimeStatistics:
    """The higher rule's values, with |higher - lower| + rounding floor as the relative error estimate."""
    low, high = solutions
    floor = ROUNDING_FLOOR * condition if precision == "double" else 10.0 ** -(digits + 5)

    def error(name):  # the values are logarithms (double) or mpmath numbers: both compared relatively
        if precision == "double":
            return abs(float(high[name]) - float(low[name])) + floor
        return float(abs(high[name] - low[name]) / abs(high[name])) + floor

    fields = dict(log_mfpt=log(high["mfpt"]), mfpt_error=error("mfpt"), digits=digits, precision=precision,
                  panels=panels, nodes=panels * order)
    if "second_moment" in high:
        fields.update(log_second_moment=log(high["second_moment"]), second_moment_error=error("second_moment"))
        arithmetic = _LogArithmetic if precision == "double" else _MpArithmetic
        variance = arithmetic.subtract(high["second_moment"], arithmetic.multiply(high["mfpt"], high["mfpt"]))
        log_variance = log(variance)
        # the variance inherits the absolute errors of T_2 and T_1^2, relative to itself
        ratio = math.exp(float(log(high["second_moment"])) - float(log_variance))
        fields.update(log_variance=log_variance,
                      variance_error=ratio * (fields["second_moment_error"] + 2 * fields["mfpt_error"]))
    if "splitting_right" in high:
        probability = (math.exp(high["splitting_right"]) if precision == "double" else high["splitting_right"])
        fields.update(
            splitting_right=probability,
            splitting_error=float(probability) * error("splitting_right"),
            log_conditional_mfpt_right=log(high["conditional_right"]),
            log_conditional_mfpt_left=log(high["conditional_left"]),
            conditional_error=max(error("conditional_right"), error("conditional_left")),
        )
    return ExitTimeStatistics(**fields)


def exit_time_statistics(
    potential: Potential,
    start: Any,
    target: Any,
    temperature: Any,
    *,
    friction: Any = 1,
    reflect: Any = None,
    absorb: Any = None,
    moments: int = 1,
    digits: int = DOUBLE_DIGITS,
) -> ExitTimeStatistics:
    """Exact exit-time statistics of overdamped diffusion in ``potential`` from ``start``.

    ``target`` is absorbing.  The far side of ``start`` is reflecting at
    ``reflect`` (default: at infinity, which needs U to confine there), or
    absorbing at ``absorb`` (then the splitting probability and the
    conditional mean exit times are computed too).  ``moments=2`` adds the
    second moment and the variance.  Up to 15 ``digits`` the quadrature runs in
    double precision; beyond, in mpmath with ``digits + 10`` working digits.
    Values may be numbers or constant strings ("1/3"); they are parsed, never
    evaluated.
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 100:
        raise InvalidParameter(f"digits must be an integer from 1 to 100, got {digits!r}")
    if moments not in (1, 2) or isinstance(moments, bool):
        raise InvalidParameter(f"moments must be 1 or 2, got {moments!r}")
    if reflect is not None and absorb is not None:
        raise InvalidParameter("reflect and absorb: give at most one end beyond start")
    far_name = "reflect" if reflect is not None else "absorb"
    given = {"start": start, "target": target, "temperature": temperature, "friction": friction,
             far_name: reflect if reflect is not None else absorb}
    # NumPy floats become Python floats (their repr is not a number); strings and SymPy numbers stay exact
    exact = {name: parse_number(float(value) if isinstance(value, float) else value, what=name)
             for name, value in given.items() if value is not None}
    values = {name: float(number) for name, number in exact.items()}
    for name in ("temperature", "friction"):
        if not values[name] > 0:
            raise InvalidParameter(f"{name} must be positive, got {values[name]:g}")
    if values["start"] == values["target"]:
        raise InvalidParameter("target must differ from start: the start is already absorbed")
    sign = -1 if values["target"] < values["start"] else 1
    if far_name in values and sign * values[far_name] >= sign * values["start"]:
        raise InvalidParameter(f"{far_name} must lie on the far side of start from target")
    numeric = _numpy_function(potential)
    temperature = values["temperature"]

    def phi(u):  # U/T in the coordinate u = sign * x, where target lies to the right of start
        return numeric(sign * np.asarray(u, dtype=float)) / temperature

    double = digits <= DOUBLE_DIGITS
    u_start, u_target = sign * values["start"], sign * values["target"]
    e_folds = CUT_E_FOLDS if double else CUT_E_FOLDS + digits * math.log(10)
    u_far = sign * values[far_name] if far_name in values else _cut(phi, u_start, u_target, e_folds)
    edges = _panel_edges(phi, u_far, u_target, u_start, PANEL_SPREAD if double else MP_PANEL_SPREAD)
    edge_of_start = int(np.searchsorted(edges, u_start))
    left_absorbing = absorb is not None
    solutions = []
    if double:
        half, middle = np.diff(edges) / 2, (edges[:-1] + edges[1:]) / 2
        for order in (DOUBLE_ORDER - ORDER_STEP, DOUBLE_ORDER):
            rule = _double_rule(order)
            phi_nodes = phi(middle[:, None] + half[:, None] * rule.nodes[None, :])
            with np.errstate(over="ignore", under="ignore"):
                solutions.append(_solve(_LogArithmetic(rule, half), phi_nodes, edge_of_start, left_absorbing,
                                        moments, values["friction"] / temperature))
        # the condition number of the result with respect to U/T: the spread of U/T that the answer sees
        seen = phi_nodes if left_absorbing else phi_nodes[edge_of_start:]
        condition = 1 + float(seen.max() - phi_nodes.min())
        return _assemble(solutions, digits, "double", edges.size - 1, DOUBLE_ORDER, float, condition)

    dps = digits + 10
    with mpmath.workdps(dps):
        mp = {name: mpmath.mpf(sympy.N(number, dps)) for name, number in exact.items()}
        edges = np.array([mpmath.mpf(float(edge)) for edge in edges], dtype=object)
        edges[0] = sign * mp[far_name] if far_name in mp else edges[0]
        edges[edge_of_start], edges[-1] = sign * mp["start"], sign * mp["target"]
        half, middle = (edges[1:] - edges[:-1]) / 2, (edges[:-1] + edges[1:]) / 2
        function = potential.mpmath_function(0)
        phi_mp = np.frompyfunc(lambda u: function(sign * u) / mp["temperature"], 1, 1)
        top = _mp_order(digits)
        for order in (top - ORDER_STEP, top):
            rule = _mp_rule(order, dps)
            phi_nodes = phi_mp(middle[:, None] + half[:, None] * rule.nodes[None, :])
            solutions.append(_solve(_MpArithmetic(rule, half), phi_nodes, edge_of_start, left_absorbing, moments,
                                    mp["friction"] / mp["temperature"]))
        return _assemble(solutions, digits, "mpmath", edges.size - 1, top, mpmath.log)


def exact_escape_time(problem, *, reflect: Any = None, moments: int = 1, digits: int = DOUBLE_DIGITS
                      ) -> ExitTimeStatistics:
    """The exact exit-time statistics of an :class:`~theory.EscapeProblem` (:func:`exit_time_statistics`).

    The quadrature solves overdamped escape in one dimension at a constant
    temperature, out of a half-line (``reflect`` is then the reflecting end on
    the far side, default infinity) or out of an interval with two absorbing
    ends (then the splitting probability through the upper end and the
    conditional mean exit times come too).  Other problems are refused with the
    reason.
    """
    from theory import Interval

    problem = escape_problem(problem)
    if problem.dimension != 1 or not problem.overdamped or problem.schedule is not None:
        raise InvalidParameter(
            "problem: the quadrature solves overdamped one-dimensional escape at a constant temperature; "
            f"this problem is {problem}", parameter="problem",
        )
    options = dict(friction=problem.friction, moments=moments, digits=digits)
    if isinstance(problem.absorbing, Interval):
        if reflect is not None:
            raise InvalidParameter("reflect: an interval problem has two absorbing ends and no reflecting one",
                                   parameter="reflect")
        return exit_time_statistics(problem.potential, problem.start[0], problem.absorbing.upper,
                                    problem.constant_temperature, absorb=problem.absorbing.lower, **options)
    return exit_time_statistics(problem.potential, problem.start[0], problem.target, problem.constant_temperature,
                                reflect=reflect, **options)
