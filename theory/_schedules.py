"""Temperature schedules: escape over a barrier while the temperature changes in time.

Model.  The temperature follows a schedule T(t) = T_0 + e(t), a baseline T_0 > 0
plus an excess e(t) built from pulses: a *plateau* (practice: T_0 + h on
[t_s, t_s + t_d]), a *Gaussian spike* (insight: A exp(-(t - t_0)^2 / (2 sigma^2))),
an *exponential spike* (A exp(-(t - t_0)/tau_d) for t >= t_0), sums of these and
an expression in t typed by the user (Kim 2026).

Adiabatic approximation.  If T changes slowly compared with the relaxation time
gamma / U''(a) of the well, the escape rate follows the temperature,
k(t) = nu exp(-dU / T(t)) with the Kramers prefactor nu = sqrt(U''(a)|U''(b)|)/(2 pi gamma),
and escape is an inhomogeneous Poisson event: hazard H(t) = int_0^t k(T(s)) ds,
survival S = exp(-H), transition probability P = 1 - S, mean transition time
int_0^inf S dt.  After the window [0, t_e] the excess is switched off and the
constant-T_0 tail contributes S(t_e) / k(T_0) exactly.

Closed forms and asymptotics, derived here with SymPy:

* a plateau integrates piece by piece: H and the mean transition time in closed form;
* a Gaussian spike by Laplace's method around its peak T_p = T_0 + A, with the large
  parameter lambda = dU A / T_p^2 (the curvature of -dU/T(t) at the peak in units of
  sigma^-2): int (k - k(T_0)) dt ~ nu e^{-dU/T_p} sigma sqrt(2 pi / lambda) [1 + c_1/lambda + ...];
  an exponential spike by the same method at its end point;
* the thermal budget B = int (T - T_0) dt, the convexity threshold T = dU/2 of
  exp(-dU/T), and the tangent condition k'(T)(T - T_0) = k(T) - k(T_0) that sets the
  best height of a rectangular pulse at a given budget.

Everything else (sums, user expressions, windows that cut a spike) is evaluated by
adaptive Gauss-Legendre quadrature in mpmath to the requested number of digits.
"""

from __future__ import annotations

import abc
import dataclasses
import functools
import math
import re
from collections.abc import Mapping
from typing import Any

import mpmath
import sympy
from mpmath.calculus.quadrature import GaussLegendre

from ._derivation import Derivation, Intermediate, ValidityRegime
from ._errors import InvalidParameter
from ._kramers import KRAMERS_PREFACTOR, _gaussian_moment, kramers_escape, kramers_rate
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._typeset import Prose, written_product, written_ratio, written_root, written_sum
from ._parse import as_expression, parse_expression
from ._potential import parse_number
from ._symbols import LATEX_NAMES, DeltaU, gamma, kappa_a, t
from ._symbols import T as symbols_T

__all__ = [
    "Schedule", "Constant", "Plateau", "GaussianSpike", "ExponentialSpike", "ExpressionPulse", "ScheduleSum",
    "parse_schedule", "SCHEDULE_KINDS",
    "adiabatic_hazard", "transition_probability", "mean_transition_time", "thermal_budget",
    "plateau_hazard", "plateau_mean_transition_time",
    "gaussian_spike_laplace", "gaussian_spike_laplace_corrected",
    "exponential_spike_laplace", "exponential_spike_laplace_corrected", "spike_laplace_series",
    "convexity_threshold", "pulse_gain", "pulse_tangent_condition", "best_pulse_height", "PulseDesign", "design_pulse",
    "AdiabaticEscape", "adiabatic_escape", "optimal_pulse", "ADIABATIC_RATIO", "schedule_symbols",
]

# ------------------------------------------------------------------ symbols
nu = sympy.Symbol("nu", positive=True)
T_0 = sympy.Symbol("T_0", positive=True)
T_p = sympy.Symbol("T_p", positive=True)
h = sympy.Symbol("h", positive=True)
t_s = sympy.Symbol("t_s", nonnegative=True)
t_d = sympy.Symbol("t_d", positive=True)
t_e = sympy.Symbol("t_e", positive=True)
A = sympy.Symbol("A", positive=True)
sigma = sympy.Symbol("sigma", positive=True)
tau_d = sympy.Symbol("tau_d", positive=True)
B = sympy.Symbol("B", positive=True)
theta = sympy.Symbol("theta", positive=True)
H_ = sympy.Symbol("H", nonnegative=True)
P_ = sympy.Symbol("P", nonnegative=True)
tau_tr = sympy.Symbol("tau_tr", positive=True)
T_c = sympy.Symbol("T_c", positive=True)
G_ = sympy.Symbol("G", real=True)
F_ = sympy.Symbol("F", real=True)
_s = sympy.Symbol("s", real=True)  # integration variable (time)
_T = sympy.Function("T")  # a general schedule T(s)

#: The symbols of this module, by name (for tests and for users building on them).
schedule_symbols = {symbol.name: symbol for symbol in (
    nu, T_0, T_p, h, t_s, t_d, t_e, A, sigma, tau_d, B, theta, H_, P_, tau_tr, T_c, G_, F_)}

_k = sympy.Function("k")  # the rate as a function of the temperature, in meanings
LATEX_NAMES.update({tau_tr: r"\tau_{\mathrm{tr}}"})

_MEANINGS = {
    nu: Prose("rate prefactor", KRAMERS_PREFACTOR),
    DeltaU: _KRAMERS_MEANINGS[DeltaU],
    T_0: "baseline temperature",
    T_p: Prose("peak temperature", written_sum(T_0, A), "of the spike"),
    h: "plateau height (excess temperature)",
    t_s: "start of the plateau",
    t_d: "duration of the plateau",
    t_e: Prose("end of the observation window (horizon), with", sympy.Eq(_T(t), T_0), "afterwards"),
    t: "time",
    A: "spike amplitude (excess temperature at the peak)",
    sigma: "width of the Gaussian spike",
    tau_d: "decay time of the exponential spike",
    B: Prose("thermal budget", sympy.Integral(written_sum(_T(t), -T_0), t)),
    theta: "shortest time scale of the schedule",
    gamma: "friction coefficient",
    kappa_a: _KRAMERS_MEANINGS[kappa_a],
}

#: The schedule's shortest time scale must exceed the well's relaxation time
#: gamma/U''(a) by this factor for the adiabatic approximation to be trusted.
ADIABATIC_RATIO = 10.0

#: Grid on which the extrema of a schedule are searched before refinement.
EXTREMUM_GRID = 2000

_ADIABATIC = ValidityRegime(
    Prose("adiabatic: the schedule changes slowly compared with the relaxation time", gamma / kappa_a,
          "of the well; the rate is Kramers' (barrier large compared with the temperature at every time)"),
    small_parameter=gamma / (kappa_a * theta),
    error_order=gamma / (kappa_a * theta),
    threshold=1 / ADIABATIC_RATIO,
)
_ADIABATIC_SYMBOLS = {s: _MEANINGS[s] for s in (gamma, kappa_a, theta)}
_REFERENCES = ("Kim2026", "Hanggi1990")


def _rate(temperature: sympy.Expr) -> sympy.Expr:
    """k(T) = nu exp(-dU/T): the Kramers rate with its temperature-independent prefactor."""
    return nu * sympy.exp(-DeltaU / temperature)


# ================================================================= schedules
def _number(value: Any, what: str) -> sympy.Expr:
    return parse_number(value, what=what)


def _positive(value: Any, what: str) -> sympy.Expr:
    number = _number(value, what)
    if not number > 0:
        raise InvalidParameter(f"{what} must be positive, got {value}")
    return number


class Schedule(abc.ABC):
    """A temperature schedule T(t) = baseline + excess(t).

    ``temperature`` is a SymPy expression in :data:`theory.symbols.t` (``Piecewise``
    for pulses with edges); kernels are compiled from exactly that expression.
    """

    #: T_0, the temperature before and after every pulse (a field of each final class).
    baseline: sympy.Expr

    @property
    @abc.abstractmethod
    def excess(self) -> sympy.Expr:
        """T(t) - T_0."""

    @property
    @abc.abstractmethod
    def pulses(self) -> tuple["Schedule", ...]:
        """The pulses the excess is the sum of (empty for a constant)."""

    @abc.abstractmethod
    def breakpoints(self) -> tuple[sympy.Expr, ...]:
        """Times at which the schedule has an edge or a feature quadrature must resolve."""

    @abc.abstractmethod
    def time_scale(self, horizon: Any) -> float:
        """The shortest time over which T changes appreciably on [0, horizon] (inf for a constant)."""

    @property
    def temperature(self) -> sympy.Expr:
        """T(t) as a SymPy expression in ``theory.symbols.t``."""
        return self.baseline + self.excess

    def __add__(self, other: "Schedule") -> "ScheduleSum":
        if not isinstance(other, Schedule):
            return NotImplemented
        return ScheduleSum((*self.pulses, *other.pulses))

    # ---------------------------------------------------------------- numbers
    @functools.cached_property
    def _mpmath_temperature(self):
        return sympy.lambdify(t, self.temperature, modules="mpmath")

    def __getstate__(self) -> dict:
        """The fields only: the cached lambdified T(t) does not pickle and is rebuilt on first use."""
        return {name: value for name, value in self.__dict__.items() if name != "_mpmath_temperature"}

    def temperature_at(self, time: Any) -> mpmath.mpf:
        """T at a time, as a real mpmath number; a pole or a complex value is refused."""
        try:
            value = self._mpmath_temperature(mpmath.mpf(time))
            if isinstance(value, mpmath.mpc):
                raise TypeError
            value = mpmath.mpf(value)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            raise InvalidParameter(
                f"schedule: T(t) = {self.temperature} has no finite real value at t = {float(time):.6g}") from None
        if not mpmath.isfinite(value):
            raise InvalidParameter(f"schedule: T(t) = {self.temperature} is not finite at t = {float(time):.6g}")
        return value

    def extremum(self, horizon: Any, *, lowest: bool) -> tuple[float, float]:
        """(time, temperature) of the lowest (or highest) temperature on [0, horizon].

        Searched on a grid of :data:`EXTREMUM_GRID` intervals plus the breakpoints
        (and just inside each edge), then refined by golden-section search in the
        two grid intervals around the best point.
        """
        horizon = float(horizon)
        sign = 1 if lowest else -1
        value = lambda time: sign * float(self.temperature_at(time))  # noqa: E731
        step = horizon / EXTREMUM_GRID
        candidates = [i * step for i in range(EXTREMUM_GRID + 1)]
        for point in self.breakpoints():
            point = float(point)
            for shifted in (point - 1e-9 * max(1.0, abs(point)), point, point + 1e-9 * max(1.0, abs(point))):
                if 0 <= shifted <= horizon:
                    candidates.append(shifted)
        best = min(candidates, key=value)
        low, high = max(0.0, best - step), min(horizon, best + step)
        ratio = (math.sqrt(5) - 1) / 2
        a, b_ = low, high
        for _ in range(60):
            c, d = b_ - ratio * (b_ - a), a + ratio * (b_ - a)
            if value(c) < value(d):
                b_ = d
            else:
                a = c
        refined = (a + b_) / 2
        best = min((best, refined), key=value)
        return best, sign * value(best)

    def check_positive(self, horizon: Any, *, what: str = "schedule") -> None:
        """Refuse a schedule whose temperature reaches zero or below on [0, horizon]."""
        time, lowest = self.extremum(horizon, lowest=True)
        if not lowest > 0:
            raise InvalidParameter(
                f"{what}: the temperature reaches T = {lowest:.6g} at t = {time:.6g} within [0, {float(horizon):g}]; "
                "a schedule must keep T > 0 everywhere on the horizon"
            )

    def budget(self, horizon: Any) -> mpmath.mpf:
        """B = int_0^horizon (T - T_0) dt: the sum over the pulses of :meth:`pulse_budget`."""
        return mpmath.fsum(pulse.pulse_budget(horizon) for pulse in self.pulses)

    def pulse_budget(self, horizon: Any) -> mpmath.mpf:
        """The budget of one pulse on [0, horizon], integrated by SymPy (exact for the built-in shapes)."""
        exact = sympy.integrate(self.excess, (t, 0, as_expression(horizon, what="horizon")))
        return mpmath.mpf(sympy.N(exact, mpmath.mp.dps + 5))


def _split(schedule: Schedule, horizon: Any) -> list[mpmath.mpf]:
    """0, the breakpoints inside (0, horizon), and horizon: where quadrature splits its range."""
    horizon = mpmath.mpf(sympy.N(horizon, 30))
    inside = sorted({mpmath.mpf(sympy.N(p, 30)) for p in schedule.breakpoints()} - {mpmath.mpf(0), horizon})
    return [mpmath.mpf(0), *[p for p in inside if 0 < p < horizon], horizon]


def _check_baseline(value: Any) -> sympy.Expr:
    return _positive(value, "baseline temperature T_0")


@dataclasses.dataclass(frozen=True)
class Constant(Schedule):
    """T(t) = T_0."""

    baseline: sympy.Expr

    def __post_init__(self):
        object.__setattr__(self, "baseline", _check_baseline(self.baseline))

    excess = property(lambda self: sympy.Integer(0))
    pulses = property(lambda self: ())

    def time_scale(self, horizon):
        return math.inf

    def breakpoints(self):
        return ()

    def __add__(self, other):
        if not isinstance(other, Schedule):
            return NotImplemented
        if not other.pulses:
            return self
        return ScheduleSum(tuple(other.pulses))


@dataclasses.dataclass(frozen=True)
class Plateau(Schedule):
    """T_0 + h on [start, start + duration], T_0 elsewhere (practice: a long, moderate heating)."""

    baseline: sympy.Expr
    height: sympy.Expr
    start: sympy.Expr
    duration: sympy.Expr

    def __post_init__(self):
        object.__setattr__(self, "baseline", _check_baseline(self.baseline))
        object.__setattr__(self, "height", _number(self.height, "plateau height h"))
        object.__setattr__(self, "start", _number(self.start, "plateau start"))
        object.__setattr__(self, "duration", _positive(self.duration, "plateau duration"))

    @property
    def excess(self):
        inside = sympy.And(t >= self.start, t <= self.start + self.duration)
        return sympy.Piecewise((self.height, inside), (0, True))

    pulses = property(lambda self: (self,))

    def time_scale(self, horizon):
        return float(self.duration)

    def breakpoints(self):
        return (self.start, self.start + self.duration)


@dataclasses.dataclass(frozen=True)
class GaussianSpike(Schedule):
    """T_0 + A exp(-(t - centre)^2 / (2 width^2)) (insight: a short, high burst)."""

    baseline: sympy.Expr
    amplitude: sympy.Expr
    centre: sympy.Expr
    width: sympy.Expr

    def __post_init__(self):
        object.__setattr__(self, "baseline", _check_baseline(self.baseline))
        object.__setattr__(self, "amplitude", _number(self.amplitude, "spike amplitude A"))
        object.__setattr__(self, "centre", _number(self.centre, "spike centre t0"))
        object.__setattr__(self, "width", _positive(self.width, "spike width sigma"))

    @property
    def excess(self):
        return self.amplitude * sympy.exp(-((t - self.centre) ** 2) / (2 * self.width**2))

    pulses = property(lambda self: (self,))

    def time_scale(self, horizon):
        return float(self.width)

    def breakpoints(self):
        return tuple(self.centre + k * self.width for k in (-16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16))


@dataclasses.dataclass(frozen=True)
class ExponentialSpike(Schedule):
    """T_0 + A exp(-(t - start)/decay) for t >= start, T_0 before."""

    baseline: sympy.Expr
    amplitude: sympy.Expr
    start: sympy.Expr
    decay: sympy.Expr

    def __post_init__(self):
        object.__setattr__(self, "baseline", _check_baseline(self.baseline))
        object.__setattr__(self, "amplitude", _number(self.amplitude, "spike amplitude A"))
        object.__setattr__(self, "start", _number(self.start, "spike start t0"))
        object.__setattr__(self, "decay", _positive(self.decay, "spike decay time tau"))

    @property
    def excess(self):
        return sympy.Piecewise(
            (self.amplitude * sympy.exp(-(t - self.start) / self.decay), t >= self.start), (0, True))

    pulses = property(lambda self: (self,))

    def time_scale(self, horizon):
        return float(self.decay)

    def breakpoints(self):
        return tuple(self.start + k * self.decay for k in (0, 1, 2, 4, 8, 16, 32, 64))


@dataclasses.dataclass(frozen=True)
class ExpressionPulse(Schedule):
    """T_0 + e(t) with e a user expression in t (parsed, never evaluated)."""

    baseline: sympy.Expr
    expression: sympy.Expr

    def __post_init__(self):
        object.__setattr__(self, "baseline", _check_baseline(self.baseline))
        expression = self.expression
        if isinstance(expression, str):
            expression = parse_expression(expression, {"t": t}, what="schedule expression")
        expression = as_expression(expression, {"t": t}, what="schedule expression")
        extra = expression.free_symbols - {t}
        if extra:
            raise InvalidParameter(
                f"schedule expression: only the time t may appear, got {', '.join(sorted(map(str, extra)))}")
        object.__setattr__(self, "expression", expression)

    excess = property(lambda self: self.expression)
    pulses = property(lambda self: (self,))

    def breakpoints(self):
        return ()

    def pulse_budget(self, horizon):
        """By mpmath quadrature (SymPy's integrator is not trusted to finish on a user expression)."""
        return mpmath.quad(sympy.lambdify(t, self.excess, modules="mpmath"), _split(self, horizon))

    def time_scale(self, horizon) -> float:
        """min of T / |dT/dt| over a grid of :data:`EXTREMUM_GRID` intervals on [0, horizon]; inf if T is constant."""
        derivative = sympy.diff(self.expression, t)
        if derivative == 0:
            return math.inf
        horizon = float(horizon)
        temperature = sympy.lambdify(t, self.temperature, modules="mpmath")
        slope = sympy.lambdify(t, derivative, modules="mpmath")
        scales = []
        for i in range(EXTREMUM_GRID + 1):
            time = horizon * i / EXTREMUM_GRID
            rate = abs(slope(mpmath.mpf(time)))
            if rate > 0:
                scales.append(float(abs(temperature(mpmath.mpf(time))) / rate))
        return min(scales, default=math.inf)


@dataclasses.dataclass(frozen=True)
class ScheduleSum(Schedule):
    """T_0 + the sum of the excesses of several pulses with a common baseline."""

    terms: tuple[Schedule, ...]

    def __post_init__(self):
        terms = tuple(p for term in self.terms for p in term.pulses)
        if not terms:
            raise InvalidParameter("schedule sum: at least one pulse is needed")
        baselines = {term.baseline for term in terms}
        if len(baselines) != 1:
            raise InvalidParameter(f"schedule sum: the pulses have different baselines {sorted(map(str, baselines))}")
        object.__setattr__(self, "terms", terms)

    baseline = property(lambda self: self.terms[0].baseline)
    excess = property(lambda self: sympy.Add(*(term.excess for term in self.terms)))
    pulses = property(lambda self: self.terms)

    def time_scale(self, horizon):
        return min(term.time_scale(horizon) for term in self.terms)

    def breakpoints(self):
        return tuple(point for term in self.terms for point in term.breakpoints())


# ------------------------------------------------------------ spec strings
#: Spec kinds, their classes and fields (name -> constructor argument); ``None``
#: as a default marks a required field.
SCHEDULE_KINDS: Mapping[str, tuple[type, Mapping[str, tuple[str, Any]]]] = {
    "plateau": (Plateau, {"h": ("height", None), "start": ("start", 0), "duration": ("duration", None)}),
    "spike": (GaussianSpike, {"A": ("amplitude", None), "t0": ("centre", None), "sigma": ("width", None)}),
    "expspike": (ExponentialSpike, {"A": ("amplitude", None), "t0": ("start", None), "tau": ("decay", None)}),
    "expr": (ExpressionPulse, {}),
}
#: A ``+`` separates terms only when followed by a known kind and a colon, so
#: ``expr:0.1+0.3*exp(-t/5)+spike:A=1,t0=5,sigma=1`` has two terms.
_TERM_SEPARATOR = re.compile(r"\+\s*(?=(?:" + "|".join(SCHEDULE_KINDS) + r")\s*:)")


def parse_schedule(spec: str, baseline: Any, *, what: str = "schedule") -> Schedule:
    """A schedule from a spec string such as ``plateau:h=0.2,start=0,duration=50+spike:A=0.5,t0=10,sigma=1``.

    Terms are ``KIND:FIELD=VALUE,...`` (``expr:EXPRESSION`` for a user
    expression in t), each an excess over ``baseline``, joined by ``+``.  A
    ``+`` splits terms only where a known kind and a colon follow it, so ``+``
    inside an ``expr:`` term is arithmetic.  Values are numbers or constant
    expressions (``pi/4``); errors name the term and the field.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidParameter(f"{what}: empty schedule; expected e.g. 'spike:A=0.5,t0=10,sigma=1'")
    terms = []
    for index, text in enumerate(_TERM_SEPARATOR.split(spec.strip()), start=1):
        kind, colon, body = text.strip().partition(":")
        kind = kind.strip()
        where = f"{what} term {index} ({kind})"
        if not colon:
            raise InvalidParameter(f"{what} term {index}: expected KIND:FIELDS with KIND one of "
                                   f"{', '.join(SCHEDULE_KINDS)}, got {text.strip()!r}")
        if kind not in SCHEDULE_KINDS:
            raise InvalidParameter(
                f"{what} term {index}: unknown kind {kind!r}; known kinds: {', '.join(SCHEDULE_KINDS)}")
        cls, fields = SCHEDULE_KINDS[kind]
        if cls is ExpressionPulse:
            terms.append(ExpressionPulse(baseline, parse_expression(body, {"t": t}, what=f"{where} expression")))
            continue
        given = {}
        for pair in filter(None, (part.strip() for part in body.split(","))):
            name, equals, value = (piece.strip() for piece in pair.partition("="))
            if not equals or not name or not value:
                raise InvalidParameter(f"{where}: expected FIELD=VALUE, got {pair!r}")
            if name not in fields:
                raise InvalidParameter(f"{where}: unknown field {name!r}; fields are {', '.join(fields)}")
            if name in given:
                raise InvalidParameter(f"{where}: field {name!r} given twice")
            given[name] = _number(value, f"{where} field {name}")
        arguments = {}
        for name, (argument, default) in fields.items():
            if name not in given and default is None:
                raise InvalidParameter(f"{where}: field {name!r} is missing (fields: {', '.join(fields)})")
            arguments[argument] = given.get(name, default)
        try:
            terms.append(cls(baseline, **arguments))
        except InvalidParameter as error:
            raise InvalidParameter(f"{where}: {error}") from None
    return terms[0] if len(terms) == 1 else ScheduleSum(tuple(terms))


# ======================================================= general derivations
def _hazard_integral(upper: sympy.Expr) -> sympy.Integral:
    return sympy.Integral(_rate(_T(_s)), (_s, 0, upper))


def _written_hazard(upper: sympy.Expr) -> sympy.Expr:
    """nu int_0^upper e^{-dU/T(s)} ds: the prefactor outside the integral."""
    return written_product(nu, sympy.Integral(sympy.exp(-DeltaU / _T(_s)), (_s, 0, upper)))


def adiabatic_hazard() -> Derivation:
    """H(t) = int_0^t nu exp(-dU/T(s)) ds."""
    return Derivation(
        name="adiabatic_hazard",
        title="Escape hazard under a temperature schedule (adiabatic)",
        quantity=H_,
        expression=_hazard_integral(t),
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, t)}, **_ADIABATIC_SYMBOLS},
        validity=_ADIABATIC,
        references=_REFERENCES,
        notes="If the well equilibrates faster than T changes, escape is a Poisson event with the "
              "instantaneous Kramers rate; its integrated rate is the hazard.",
        readable=_written_hazard(t),
    )


def transition_probability() -> Derivation:
    """P(t) = 1 - S(t) = 1 - exp(-H(t))."""
    return Derivation(
        name="transition_probability",
        title=Prose("Transition probability by time", t, "under a schedule (adiabatic)"),
        quantity=P_,
        expression=1 - sympy.exp(-_hazard_integral(t)),
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, t)}, **_ADIABATIC_SYMBOLS},
        validity=_ADIABATIC,
        references=_REFERENCES,
        notes="The survival of an inhomogeneous Poisson process is exp(-H); P is its complement.",
        readable=written_sum(1, written_product(-1, sympy.exp(written_product(-1, _written_hazard(t))))),
    )


def mean_transition_time() -> Derivation:
    """tau = int_0^t_e S dt + S(t_e) / k(T_0): the tail after the window integrated by SymPy."""
    hazard_end = sympy.Symbol("H_e", nonnegative=True)
    tail = sympy.integrate(sympy.exp(-hazard_end - _rate(T_0) * (_s - t_e)), (_s, t_e, sympy.oo))
    tail = sympy.powsimp(tail.subs(hazard_end, _hazard_integral(t_e)))
    window = sympy.Integral(sympy.exp(-_hazard_integral(t)), (t, 0, t_e))
    return Derivation(
        name="mean_transition_time",
        title="Mean transition time under a schedule, constant tail after the window (adiabatic)",
        quantity=tau_tr,
        expression=window + tail,
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, T_0, t_e)}, **_ADIABATIC_SYMBOLS},
        validity=_ADIABATIC,
        references=_REFERENCES,
        notes="Mean of the first-event time, int_0^inf S dt; beyond t_e the temperature is T_0 and the "
              "survival decays as exp(-k(T_0)(t - t_e)), which integrates in closed form.",
        readable=written_sum(
            sympy.Integral(sympy.exp(written_product(-1, _written_hazard(t))), (t, 0, t_e)),
            written_product(written_ratio(sympy.exp(DeltaU / T_0), nu),
                            sympy.exp(written_product(-1, _written_hazard(t_e))))),
    )


def thermal_budget() -> Derivation:
    """B = int_0^t_e (T(s) - T_0) ds."""
    return Derivation(
        name="thermal_budget",
        title="Thermal budget of a schedule",
        quantity=B,
        expression=sympy.Integral(_T(_s) - T_0, (_s, 0, t_e)),
        symbols={s: _MEANINGS[s] for s in (T_0, t_e)},
        validity=ValidityRegime("exact (a definition)"),
        references=("Kim2026",),
        notes="The excess temperature integrated over the window: what a schedule spends.",
        readable=sympy.Integral(written_sum(_T(_s), -T_0), (_s, 0, t_e)),
    )


# ============================================================ plateau: exact
def _plateau_temperature() -> sympy.Expr:
    return sympy.Piecewise((T_0, _s < t_s), (T_0 + h, _s <= t_s + t_d), (T_0, True))


def _plateau_pieces():
    """(start, end, temperature) of the three constant pieces of a plateau inside [0, t_e]."""
    return ((0, t_s, T_0), (t_s, t_s + t_d, T_0 + h), (t_s + t_d, t_e, T_0))


def plateau_hazard() -> Derivation:
    """H(t_e) for a plateau inside the window, integrated piece by piece."""
    hazard = sum(sympy.integrate(_rate(temperature), (_s, a, b_)) for a, b_, temperature in _plateau_pieces())
    hazard = sympy.collect(sympy.expand(hazard), [_rate(T_0), _rate(T_0 + h)])
    return Derivation(
        name="plateau_hazard",
        title="Hazard of a plateau schedule (closed form, adiabatic)",
        quantity=H_,
        expression=hazard,
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, T_0, h, t_s, t_d, t_e)}, **_ADIABATIC_SYMBOLS},
        conditions=(sympy.Le(t_s + t_d, t_e, evaluate=False),),
        validity=_ADIABATIC,
        references=_REFERENCES,
        notes="The rate is constant on each of the three pieces [0, t_s], [t_s, t_s + t_d], [t_s + t_d, t_e].",
        readable=written_product(nu, written_sum(
            written_product(t_d, sympy.exp(-DeltaU / written_sum(T_0, h))),
            written_product(written_sum(t_e, -t_d), sympy.exp(-DeltaU / T_0)))),
    )


_k_0, _k_h = sympy.symbols("k_0 k_h", positive=True)
_H_s, _H_d = sympy.symbols("H_s H_d", nonnegative=True)


def plateau_mean_transition_time() -> Derivation:
    """int_0^inf S dt for a plateau, the survival integrated piece by piece and the tail to infinity."""
    total, hazard_before = sympy.Integer(0), sympy.Integer(0)
    for a, b_, temperature in ((0, t_s, T_0), (t_s, t_s + t_d, T_0 + h), (t_s + t_d, sympy.oo, T_0)):
        rate = _rate(temperature)
        total += sympy.integrate(sympy.exp(-hazard_before - rate * (_s - a)), (_s, a, b_))
        if b_ is not sympy.oo:
            hazard_before += rate * (b_ - a)
    return Derivation(
        name="plateau_mean_transition_time",
        title="Mean transition time of a plateau schedule (closed form, adiabatic)",
        quantity=tau_tr,
        expression=sympy.powsimp(total),
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, T_0, h, t_s, t_d)}, **_ADIABATIC_SYMBOLS},
        validity=_ADIABATIC,
        references=_REFERENCES,
        notes="Survival is a product of exponentials with piecewise-constant rates; each piece integrates exactly.",
        readable=written_sum(
            written_ratio(written_sum(1, -sympy.exp(-_H_s)), _k_0),
            written_ratio(written_product(sympy.exp(-_H_s), written_sum(1, -sympy.exp(-_H_d))), _k_h),
            written_ratio(sympy.exp(written_sum(-_H_s, -_H_d)), _k_0)),
        intermediates=(
            Intermediate(_k_0, written_product(nu, sympy.exp(-DeltaU / T_0)), Prose("rate at", T_0)),
            Intermediate(_k_h, written_product(nu, sympy.exp(-DeltaU / written_sum(T_0, h))),
                         Prose("rate on the plateau, at", written_sum(T_0, h))),
            Intermediate(_H_s, written_product(_k_0, t_s), "hazard before the plateau"),
            Intermediate(_H_d, written_product(_k_h, t_d), "hazard of the plateau"),
        ),
    )


# =========================================================== spikes: Laplace
@functools.lru_cache(maxsize=None)
def spike_laplace_series(kind: str, order: int) -> tuple[sympy.Expr, ...]:
    """(1, c_1, ..., c_order): int e^{-lambda phi(x)} dx = leading * (1 + c_1/lambda + c_2/lambda^2 + ...).

    With r = A/T_p and q(x) the pulse shape relative to its peak (1 - exp(-x^2/2)
    for a Gaussian in x = (t - t_0)/sigma, 1 - exp(-x) for an exponential in
    x = (t - t_0)/tau_d), the exponent -dU/T(t) = -dU/T_p - lambda phi(x) with
    phi = q / (1 - r q) and lambda = dU A / T_p^2.  Rescaling x = v/sqrt(lambda)
    (Gaussian, interior maximum) or x = v/lambda (exponential, end point), the
    non-leading part of lambda phi is a series in 1/sqrt(lambda) (1/lambda) whose
    exponential is expanded and integrated term by term against the leading
    Gaussian (exponential) weight.
    """
    if kind not in ("gaussian", "exponential"):
        raise InvalidParameter(f"kind must be 'gaussian' or 'exponential', got {kind!r}")
    if not 0 <= order <= 2:
        raise InvalidParameter(f"order must be 0, 1 or 2, got {order}")
    x, v, epsilon = sympy.symbols("x v epsilon", positive=True)
    r = A / T_p
    if kind == "gaussian":
        q, power = 1 - sympy.exp(-x**2 / 2), 2  # x = epsilon v, epsilon = lambda^{-1/2}
        moment = lambda n: _gaussian_moment(n, sympy.Integer(1))  # noqa: E731
    else:
        q, power = 1 - sympy.exp(-x), 1  # x = epsilon^2 v, epsilon^2 = 1/lambda
        moment = sympy.factorial  # int_0^inf v^n e^{-v} dv = n!
    phi = q / (1 - r * q)
    steps = 2 * order + 1  # powers of epsilon kept
    series = sympy.series(phi, x, 0, 2 * order + 4).removeO()
    scale = epsilon if kind == "gaussian" else epsilon**2
    leading = sympy.expand(series).coeff(x, power) * x**power  # x^2/2 or x
    rest = sympy.expand((series - leading).subs(x, scale * v) / epsilon**2)
    expansion = sympy.expand(sympy.series(sympy.exp(-rest), epsilon, 0, steps).removeO())
    coefficients = []
    for step in range(0, steps, 2):
        term = expansion.coeff(epsilon, step)
        if term == 0:
            coefficients.append(sympy.Integer(0))
            continue
        polynomial = sympy.Poly(term, v)
        total = sum(c * moment(m[0]) for m, c in zip(polynomial.monoms(), polynomial.coeffs()))
        coefficients.append(sympy.factor(sympy.expand(total)))
    return tuple(coefficients)


_lambda = sympy.Symbol("lambda", positive=True)  # the Laplace parameter, named in the validity regime


def _laplace_parameter() -> sympy.Expr:
    return DeltaU * A / T_p**2


def _spike_laplace(kind: str, order: int) -> Derivation:
    lam = _laplace_parameter()
    if kind == "gaussian":
        width, width_symbol = sigma * sympy.sqrt(2 * sympy.pi / lam), sigma
    else:
        width, width_symbol = tau_d / lam, tau_d
    series = spike_laplace_series(kind, order + 1)
    leading = _rate(T_p) * sympy.powsimp(sympy.factor(width))
    expression = leading if order == 0 else leading * (1 + series[1] / lam)
    if kind == "gaussian":  # sqrt(2 pi) nu sigma T_p / sqrt(A dU) e^{-dU/T_p}
        written_width = written_product(written_root(written_product(2, sympy.pi)), nu, sigma,
                                        written_ratio(T_p, written_root(written_product(A, DeltaU))))
    else:  # nu tau_d T_p^2 / (A dU) e^{-dU/T_p}
        written_width = written_product(nu, tau_d, written_ratio(T_p**2, written_product(A, DeltaU)))
    correction = () if order == 0 else (written_sum(1, sympy.factor(series[1] / lam)),)
    readable = written_product(written_width, *correction, sympy.exp(-DeltaU / T_p))
    shape, article = ("Gaussian", "a") if kind == "gaussian" else ("exponential", "an")
    name = f"{kind}_spike_laplace" + ("_corrected" if order else "")
    next_term = sympy.factor(series[order + 1])
    error = sympy.Abs(next_term) / lam ** (order + 1) if next_term != 0 else 1 / lam ** (order + 2)
    return Derivation(
        name=name,
        title=f"Hazard of {article} {shape} temperature spike by Laplace's method"
              + (" with its first correction" if order else ""),
        quantity=H_,
        expression=expression,
        symbols={**{s: _MEANINGS[s] for s in (nu, DeltaU, T_p, A, width_symbol)}},
        conditions=(sympy.Le(A, T_p, evaluate=False),),
        validity=ValidityRegime(
            Prose("spike sharp on the scale of the barrier (", sympy.Eq(_lambda, lam, evaluate=False), "large);",
                  H_, "is the spike's excess", sympy.Integral(written_sum(_k(_T(t)), -_k(T_0)), t),
                  "with the whole spike inside the window; error: the next term of the series"),
            small_parameter=1 / lam,
            error_order=error,
            threshold=0.2,
        ),
        references=("Kim2026", "Bender1999"),
        notes="Laplace's method around the temperature peak; the correction is the next term of the "
              "expansion of exp(-lambda (phi - leading term)), integrated against the leading weight.",
        readable=readable,
    )


def gaussian_spike_laplace() -> Derivation:
    """nu e^{-dU/T_p} sqrt(2 pi) sigma T_p / sqrt(dU A)."""
    return _spike_laplace("gaussian", 0)


def gaussian_spike_laplace_corrected() -> Derivation:
    return _spike_laplace("gaussian", 1)


def exponential_spike_laplace() -> Derivation:
    """nu e^{-dU/T_p} tau_d T_p^2 / (dU A): end-point Laplace."""
    return _spike_laplace("exponential", 0)


def exponential_spike_laplace_corrected() -> Derivation:
    return _spike_laplace("exponential", 1)


# ============================================================ pulse design
def convexity_threshold() -> Derivation:
    """T_c where d^2/dT^2 exp(-dU/T) changes sign, found by SymPy."""
    T = symbols_T
    curvature = sympy.factor(sympy.diff(_rate(T), T, 2))
    roots = sympy.solve(sympy.numer(sympy.together(curvature / _rate(T))), T)
    (root,) = [r for r in roots if r.is_positive]
    return Derivation(
        name="convexity_threshold",
        title="Convexity threshold of the Arrhenius factor",
        quantity=T_c,
        expression=root,
        symbols={DeltaU: _MEANINGS[DeltaU]},
        validity=ValidityRegime(Prose("exact:", _k(T), "is convex for", sympy.Lt(T, T_c), "and concave above")),
        references=("Kim2026",),
        notes=f"k''(T) = {sympy.sstr(curvature)}: its sign is that of dU - 2T.",
    )


def _gain_expression() -> sympy.Expr:
    """G(h) = (B/h) (k(T_0 + h) - k(T_0)): hazard gain of a rectangular pulse of height h at budget B."""
    return B / h * (_rate(T_0 + h) - _rate(T_0))


def pulse_gain() -> Derivation:
    return Derivation(
        name="pulse_gain",
        title="Hazard gain of a rectangular pulse at a given thermal budget",
        quantity=G_,
        expression=_gain_expression(),
        symbols={**{s: _MEANINGS[s] for s in (B, h, nu, DeltaU, T_0)}, **_ADIABATIC_SYMBOLS},
        validity=_ADIABATIC,
        references=("Kim2026",),
        readable=written_product(written_ratio(written_product(B, nu), h), written_sum(
            sympy.exp(-DeltaU / written_sum(T_0, h)), written_product(-1, sympy.exp(-DeltaU / T_0)))),
        notes="A pulse of height h spends its budget B in a time B/h; the gain over staying at T_0 is "
              "B times the secant slope of k between T_0 and T_0 + h.  Below T = dU/2 the slope grows "
              "with h: concentrating beats spreading.",
    )


def pulse_tangent_condition() -> Derivation:
    """F(h) = (h^2/B) dG/dh = h k'(T_0 + h) - (k(T_0 + h) - k(T_0)): its positive root is the best height."""
    residual = sympy.expand(h**2 / B * sympy.diff(_gain_expression(), h), power_exp=False, multinomial=False)
    return Derivation(
        name="pulse_tangent_condition",
        title="Tangent condition for the best pulse height at a given budget",
        quantity=F_,
        expression=residual,
        symbols={**{s: _MEANINGS[s] for s in (h, nu, DeltaU, T_0)}},
        validity=ValidityRegime("exact for the rectangular pulse family (within the adiabatic approximation)"),
        readable=written_product(nu, written_sum(
            written_product(written_sum(written_ratio(written_product(DeltaU, h), written_sum(T_0, h)**2), -1),
                            sympy.exp(-DeltaU / written_sum(T_0, h))),
            sympy.exp(-DeltaU / T_0))),
        references=("Kim2026",),
        notes="dG/dh = 0 where the tangent of k at T_0 + h passes through (T_0, k(T_0)); F > 0 below the best "
              "height and F < 0 above.  A root exists only for T_0 < dU/2 and then lies above dU/2.",
    )


@dataclasses.dataclass(frozen=True)
class PulseDesign:
    """The best rectangular pulse at budget B against spreading B over the whole window.

    ``height`` is None when T_0 >= dU/2: the gain then decreases with the height and
    spreading is best.  Gains are G(h) = (B/h)(k(T_0 + h) - k(T_0)), the hazard added
    to the baseline's.  A best pulse longer than the window is capped at the window.
    """

    budget: mpmath.mpf
    horizon: mpmath.mpf
    height: mpmath.mpf | None
    duration: mpmath.mpf | None
    gain: mpmath.mpf
    spread_height: mpmath.mpf
    spread_gain: mpmath.mpf

    @property
    def gain_ratio(self) -> mpmath.mpf:
        """G(best) / G(spread): how much more hazard the concentrated budget buys."""
        return self.gain / self.spread_gain


def design_pulse(barrier: Any, baseline: Any, budget: Any, horizon: Any, *, prefactor: Any = 1,
                 digits: int = 20) -> PulseDesign:
    """The best rectangular pulse of budget ``budget`` inside [0, horizon] (tangent condition)."""
    with mpmath.workdps(digits + 10):
        barrier, baseline, budget, horizon, prefactor = (
            mpmath.mpf(sympy.N(as_expression(v, what="design_pulse argument"), digits + 10)) for v in (barrier, baseline, budget, horizon, prefactor))
        for name, value in (("budget", budget), ("horizon", horizon)):
            if not value > 0:
                raise InvalidParameter(f"{name} must be positive, got {value}")
        gain = lambda height: budget / height * prefactor * (  # noqa: E731
            mpmath.exp(-barrier / (baseline + height)) - mpmath.exp(-barrier / baseline))
        spread = budget / horizon
        best = best_pulse_height(barrier, baseline, prefactor=prefactor, digits=digits)
        if best is not None and budget / best > horizon:
            best = spread  # the best pulse does not fit: the widest pulse that fits is the spread one
        height = best if best is not None else None
        return PulseDesign(
            budget, horizon, height, None if height is None else budget / height,
            gain(height) if height is not None else gain(spread), spread, gain(spread))


def best_pulse_height(barrier: Any, baseline: Any, *, prefactor: Any = 1, digits: int = 20) -> mpmath.mpf | None:
    """The positive root h* of the tangent condition, or None when T_0 >= dU/2 (spreading is best).

    F(h) > 0 for small h when T_0 < dU/2 and F -> -(k(inf) - k(T_0)) < 0 as h -> inf,
    so the root is bracketed by doubling h from dU/2 - T_0, then found by bisection-safe
    Anderson/Illinois iteration.
    """
    with mpmath.workdps(digits + 10):
        barrier, baseline, prefactor = (mpmath.mpf(sympy.N(as_expression(v, what="design_pulse argument"), digits + 10))
                                        for v in (barrier, baseline, prefactor))
        if not (barrier > 0 and baseline > 0):
            raise InvalidParameter("barrier and baseline temperature must be positive")
        if baseline >= barrier / 2:
            return None
        residual = sympy.lambdify(
            (h,), pulse_tangent_condition().expression.subs({DeltaU: barrier, T_0: baseline, nu: prefactor}),
            modules="mpmath")
        low = barrier / 2 - baseline  # F > 0 there: the tangent point lies beyond dU/2
        high = 2 * low
        while residual(high) > 0:
            low, high = high, 2 * high
        return +mpmath.findroot(residual, (low, high), solver="anderson")


# ======================================================== numerical engine
@functools.lru_cache(maxsize=8)
def _gauss_legendre(degree: int, prec: int):
    return GaussLegendre(mpmath.mp).calc_nodes(degree, prec)


def _nodes(a, b_, degree):
    half, middle = (b_ - a) / 2, (b_ + a) / 2
    return [(middle + half * x, half * w) for x, w in _gauss_legendre(degree, mpmath.mp.prec)]


@dataclasses.dataclass(frozen=True)
class AdiabaticEscape:
    """Escape under ``schedule`` with the rate k(T) = prefactor exp(-barrier/T), on [0, horizon].

    Quadrature: the window is cut at the schedule's breakpoints, and each piece is
    bisected until 12- and 24-point Gauss-Legendre rules agree on the hazard increment
    to ``digits + 3`` digits and the increment is at most 1 (so that exp(-H) is
    resolved too).  Inside a panel, H at the outer nodes is a 24-point rule on the
    sub-panel.  The error estimate is the difference of the 12- and 24-point results.
    """

    schedule: Schedule
    prefactor: mpmath.mpf
    barrier: mpmath.mpf
    horizon: mpmath.mpf
    digits: int = 15

    def __post_init__(self):
        for name in ("prefactor", "barrier", "horizon"):
            value = mpmath.mpf(sympy.N(as_expression(getattr(self, name), what=name), 40))
            if not value > 0:
                raise InvalidParameter(f"{name} must be positive, got {getattr(self, name)}")
            object.__setattr__(self, name, value)
        if not 1 <= self.digits <= 50:
            raise InvalidParameter(f"digits must be from 1 to 50, got {self.digits}")
        self.schedule.check_positive(self.horizon)

    def rate(self, temperature):
        return self.prefactor * mpmath.exp(-self.barrier / temperature)

    @functools.cached_property
    def _rate_of_time(self):
        T = sympy.Symbol("T_", positive=True)
        rate = sympy.lambdify(T, _rate(T).subs({nu: self.prefactor, DeltaU: self.barrier}), modules="mpmath")
        temperature = sympy.lambdify(t, self.schedule.temperature, modules="mpmath")
        return lambda time: rate(temperature(time))

    @property
    def _working(self):
        return mpmath.workdps(self.digits + 10)

    def _increment(self, a, b_, degree):
        k = self._rate_of_time
        return mpmath.fsum(w * k(x) for x, w in _nodes(a, b_, degree))

    @functools.cached_property
    def _panels(self):
        """[(a, b, H(a), dH)] covering [0, horizon]."""
        with self._working:
            tolerance = mpmath.mpf(10) ** (-(self.digits + 3))
            resolved = (self.digits + 8) * mpmath.log(10)  # beyond this hazard, S is negligible
            edges = _split(self.schedule, self.horizon)
            stack = list(reversed(list(zip(edges[:-1], edges[1:]))))
            panels, hazard = [], mpmath.mpf(0)
            while stack:
                a, b_ = stack.pop()
                coarse, fine = self._increment(a, b_, 3), self._increment(a, b_, 4)
                accurate = abs(fine - coarse) <= tolerance * max(abs(fine), mpmath.mpf(10) ** -300)
                if (accurate and (fine <= 1 or hazard > resolved)) or b_ - a < self.horizon * mpmath.mpf(2) ** -60:
                    panels.append((a, b_, hazard, fine, abs(fine - coarse)))
                    hazard += fine
                else:
                    middle = (a + b_) / 2
                    stack.extend([(middle, b_), (a, middle)])
            return panels

    def hazard(self) -> mpmath.mpf:
        """H(horizon) = int_0^horizon k(T(t)) dt."""
        with self._working:
            return mpmath.fsum(panel[3] for panel in self._panels)

    def hazard_error(self) -> mpmath.mpf:
        return mpmath.fsum(panel[4] for panel in self._panels)

    def survival(self) -> mpmath.mpf:
        with self._working:
            return mpmath.exp(-self.hazard())

    def transition_probability(self) -> mpmath.mpf:
        with self._working:
            return -mpmath.expm1(-self.hazard())

    def mean_transition_time(self) -> tuple[mpmath.mpf, mpmath.mpf]:
        """(int_0^horizon S dt + S(horizon)/k(T_0), error estimate)."""
        with self._working:
            negligible = mpmath.mpf(10) ** (-(self.digits + 8))
            totals = {3: mpmath.mpf(0), 4: mpmath.mpf(0)}
            for a, b_, hazard, _, _ in self._panels:
                if mpmath.exp(-hazard) < negligible:
                    break
                for degree in totals:
                    totals[degree] += mpmath.fsum(
                        w * mpmath.exp(-hazard - self._increment(a, x, 4)) for x, w in _nodes(a, b_, degree))
            tail = self.survival() / self.rate(self.schedule.baseline)
            value = totals[4] + tail
            truncation = negligible * (self.horizon + 1 / self.rate(self.schedule.baseline))
            return value, abs(totals[4] - totals[3]) + truncation

    def budget(self) -> mpmath.mpf:
        with self._working:
            return self.schedule.budget(self.horizon)

    def laplace_hazard(self) -> tuple[mpmath.mpf, mpmath.mpf] | None:
        """k(T_0) * horizon + the corrected Laplace term of every spike, with its declared error.

        ``None`` unless every pulse is a spike (Gaussian or exponential) with positive
        amplitude that lies inside the window (Gaussian: centre +- 8 sigma; exponential:
        start >= 0 and start + 40 tau <= horizon).
        """
        pulses = self.schedule.pulses
        if not pulses or not all(isinstance(p, (GaussianSpike, ExponentialSpike)) and p.amplitude > 0
                                 for p in pulses):
            return None
        supports = sorted(
            (p.centre - 8 * p.width, p.centre + 8 * p.width) if isinstance(p, GaussianSpike)
            else (p.start, p.start + 40 * p.decay) for p in pulses)
        if supports[0][0] < 0 or supports[-1][1] > self.horizon:
            return None  # a spike is cut by the window
        if any(left[1] > right[0] for left, right in zip(supports, supports[1:])):
            return None  # overlapping spikes do not add
        with self._working:
            total = self.rate(self.schedule.baseline) * self.horizon
            error = mpmath.mpf(0)
            for pulse in pulses:
                if isinstance(pulse, GaussianSpike):
                    derivation, width = gaussian_spike_laplace_corrected(), {sigma: pulse.width}
                else:
                    derivation, width = exponential_spike_laplace_corrected(), {tau_d: pulse.decay}
                values = {nu: self.prefactor, DeltaU: self.barrier, A: pulse.amplitude,
                          T_p: pulse.baseline + pulse.amplitude, **width}
                value = derivation.expression.subs(values)
                term = mpmath.mpf(sympy.N(value, self.digits + 5))
                total += term
                error += term * mpmath.mpf(sympy.N(derivation.validity.error_order.subs(values), 20))
            return total, error

    def peak_temperature(self) -> tuple[float, float]:
        return self.schedule.extremum(self.horizon, lowest=False)


def _kramers_numbers(problem, what: str) -> tuple[sympy.Float, sympy.Float, float]:
    """(nu, dU, gamma/U''(a)): Kramers' rate k(T) = nu exp(-dU/T) of a problem, and the well's relaxation time.

    The problem is a :class:`~theory.EscapeProblem`, one-dimensional and overdamped,
    from ``problem.start`` in its well towards the half-line beyond ``problem.target``
    (``what``, the calculation, names itself in the refusals).  The friction, held by
    the problem as a double, enters exactly as its shortest decimal
    (:func:`~theory._potential.parse_number`), the decimal a user typed.
    """
    from ._problem import escape_problem  # the problem holds a Schedule: imported here, not at the top

    problem = escape_problem(problem)
    if not problem.overdamped:
        raise InvalidParameter(f"mass: {what} uses the overdamped Kramers rate; give mass None.", parameter="mass")
    friction = parse_number(problem.friction, what="friction")
    theory = kramers_escape(problem.potential, problem.start[0], problem.target)
    values = {gamma: friction, **problem.potential.values}
    curvature = sympy.N(theory.curvature_minimum.subs(values), 40)
    return (sympy.N(theory.prefactor.subs(values), 40), sympy.N(theory.barrier.subs(values), 40),
            float(friction / curvature))


def _validity_numbers(time_scale: float, relaxation: float, peak: float, barrier: Any) -> dict[str, Any]:
    """The two conditions of the adiabatic picture, each with the number that decides it.

    ``adiabatic_number`` = time scale / relaxation time (trusted from :data:`ADIABATIC_RATIO`);
    ``arrhenius_number`` = dU / T_peak (trusted from ``arrhenius_threshold``, the inverse of the
    Kramers rate's own validity threshold on T/dU).
    """
    threshold = kramers_rate().validity.threshold
    return {
        "adiabatic_number": time_scale / relaxation,
        "adiabatic_ok": bool(time_scale / relaxation >= ADIABATIC_RATIO),
        "arrhenius_number": float(barrier) / peak,
        "arrhenius_ok": bool(peak / float(barrier) <= threshold),
        "arrhenius_threshold": 1 / threshold,
    }


def adiabatic_escape(problem, horizon: Any, *, digits: int = 15) -> tuple[AdiabaticEscape, dict[str, Any]]:
    """Escape of an :class:`~theory.EscapeProblem` under its temperature schedule on [0, horizon], and validity numbers.

    The problem is one-dimensional and overdamped, from ``problem.start`` in its
    well towards the half-line beyond ``problem.target``; its
    ``temperature_schedule`` (a :class:`Schedule`, a :class:`Constant` for a
    constant temperature) gives T(t) on the window and the baseline T_0 after it.
    A T(t) given as a bare expression has no baseline and is refused: give an
    :class:`ExpressionPulse` (T_0 plus the excess).  The rate is Kramers' with
    the problem's friction (:func:`_kramers_numbers`).

    Returns the numerical engine and a dict with ``relaxation_time`` (gamma/U''(a)),
    ``time_scale``, ``peak_temperature``, ``peak_time`` and the validity numbers
    (:func:`_validity_numbers`: ``adiabatic_number`` = time scale / relaxation time,
    ``arrhenius_number`` = dU / T_peak, each with its verdict).
    """
    prefactor, barrier, relaxation = _kramers_numbers(problem, "the adiabatic escape")
    schedule = problem.temperature_schedule
    if schedule is None:
        raise InvalidParameter(
            f"temperature: the adiabatic escape needs a baseline T_0, the temperature after the horizon; "
            f"T(t) = {problem.temperature} has none: give a theory.Schedule such as ExpressionPulse(T_0, T(t) - T_0).",
            parameter="temperature")
    engine = AdiabaticEscape(schedule, prefactor, barrier, horizon, digits)
    scale = schedule.time_scale(horizon)
    peak_time, peak = engine.peak_temperature()
    flags = {"relaxation_time": relaxation, "time_scale": scale, "peak_temperature": peak, "peak_time": peak_time}
    return engine, {**flags, **_validity_numbers(scale, relaxation, peak, barrier)}


def optimal_pulse(problem, budget: Any, horizon: Any, *, digits: int = 20) -> tuple[PulseDesign, dict[str, Any]]:
    """The best rectangular pulse of thermal budget ``budget`` in [0, horizon] over a problem's constant T_0.

    :func:`design_pulse` with Kramers' rate of the problem (:func:`_kramers_numbers`)
    and its baseline exactly as given (``problem.temperature_schedule``, a
    :class:`Constant`; a schedule is refused: the design starts from a constant
    temperature).  Returns the design and a dict of floats: ``barrier``,
    ``prefactor``, ``relaxation_time``, ``baseline_hazard`` = k(T_0) horizon,
    ``peak_temperature`` (T_0 plus the best height, or the spread height when
    spreading is best), the validity numbers of that pulse
    (:func:`_validity_numbers`, its duration, or the window, against the relaxation
    time), and ``regime_height``, ``regime_gain``: the tangent point lies above
    dU/2, beyond Kramers' regime, and below h* the gain grows with h, so the best
    pulse that stays in the regime is as high as the regime allows,
    h = min(h*, c dU - T_0) with c the Kramers rate's threshold on T/dU (None when
    not positive), and gains G(h) = (B/h)(k(T_0 + h) - k(T_0)).
    """
    prefactor, barrier, relaxation = _kramers_numbers(problem, "the pulse design")
    schedule = problem.temperature_schedule
    if not isinstance(schedule, Constant):
        raise InvalidParameter(f"temperature: the pulse design starts from a constant temperature T_0, got T(t) = "
                               f"{problem.temperature}.", parameter="temperature")
    design = design_pulse(barrier, schedule.baseline, budget, horizon, prefactor=prefactor, digits=digits)
    baseline, barrier_value, prefactor_value = problem.constant_temperature, float(barrier), float(prefactor)
    budget, horizon = float(as_expression(budget, what="budget")), float(as_expression(horizon, what="horizon"))
    height = None if design.height is None else float(design.height)
    peak = baseline + (height if height is not None else float(design.spread_height))
    width = float(design.duration) if design.duration is not None else horizon
    regime_height = min(height if height is not None else 0.0,
                        kramers_rate().validity.threshold * barrier_value - baseline)
    regime_height = regime_height if regime_height > 0 else None
    regime_gain = (budget / regime_height * prefactor_value * (
        math.exp(-barrier_value / (baseline + regime_height)) - math.exp(-barrier_value / baseline))
        if regime_height else None)
    return design, {
        "barrier": barrier_value,
        "prefactor": prefactor_value,
        "relaxation_time": relaxation,
        "baseline_hazard": prefactor_value * math.exp(-barrier_value / baseline) * horizon,
        "peak_temperature": peak,
        "regime_height": regime_height,
        "regime_gain": regime_gain,
        **_validity_numbers(width, relaxation, peak, barrier),
    }
