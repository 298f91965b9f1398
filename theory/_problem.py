r"""The escape problem: one object that every oracle takes.

A first-passage problem of Langevin dynamics (k_B = 1) is fixed by

* the potential U(x) on R^d (a :class:`~theory._potential.Potential` whose
  parameters all have values) and so its variables x = (x_1 .. x_d);
* the start x(0) = x_0 (and, for underdamped dynamics, a velocity drawn from
  Maxwell-Boltzmann at T(0));
* the absorbing set A (:mod:`theory._absorbing`: a half-space, a ball, a
  condition, and in one dimension the two ends of an interval); the exit time
  is tau = inf{t : x(t) in A};
* the temperature, a constant T > 0 or a schedule T(t): a SymPy expression in
  :data:`theory.symbols.t`, or a :class:`~theory.Schedule` (a baseline T_0 plus
  pulses), whose structure the adiabatic engine (:func:`theory.adiabatic_escape`)
  reads while every other oracle reads its T(t);
* the friction gamma > 0 and the mass m: ``mass=None`` is the overdamped
  dynamics dx = -grad U / gamma dt + sqrt(2 T / gamma) dW, a number m the
  underdamped dx = v dt, m dv = -grad U dt - gamma v dt + sqrt(2 gamma T) dW.

The exact quadrature (:func:`numerics.exact_escape_time`), the Fokker-Planck
solver and the Langevin ensembles of :mod:`numerics` all take an
:class:`EscapeProblem`; each refuses, with the reason, a problem outside what
it solves (the quadrature: one dimension, overdamped, constant temperature, a
half-line).  It is validated once, here, at construction: every error names the
parameter (``temperature``, ``start``, ...), never a command-line flag, and
carries it as ``InvalidParameter.parameter`` so that a command line can say
which of its flags was wrong.  A problem describes itself as JSON
(:meth:`EscapeProblem.describe`), which is what a checkpoint's fingerprint and a
report record; a schedule is described by its T(t), which is all an ensemble
or the Fokker-Planck solver computes from.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from typing import Any

import sympy

from ._absorbing import AbsorbingSet, Condition, HalfSpace, Interval, half_line
from ._errors import InvalidParameter
from ._potential import Potential
from ._schedules import Constant, Schedule
from ._symbols import t as time_symbol

__all__ = ["EscapeProblem", "escape_problem"]


def _positive(name: str, value: Any) -> float:
    if isinstance(value, sympy.Basic) and value.is_number:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameter(f"{name} must be a positive real number, got {value!r}.", parameter=name)
    value = float(value)
    if not (math.isfinite(value) and value > 0.0):
        raise InvalidParameter(f"{name} must be positive and finite, got {value!r}.", parameter=name)
    return value


def _temperature(value: Any) -> tuple[float | sympy.Expr, Schedule | None]:
    """The temperature the oracles read and its :class:`~theory.Schedule`, if it has one.

    A positive number is a float (its schedule the :class:`~theory.Constant`);
    a SymPy expression in ``theory.symbols.t`` with T(0) > 0 is T(t) (no
    schedule: it has no baseline); a Schedule is its T(t) (a float for a
    Constant) and the schedule itself.
    """
    if isinstance(value, Schedule):
        temperature, _ = _temperature(value.temperature)
        return temperature, value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        temperature = _positive("temperature", value)
        return temperature, Constant(temperature)
    if not isinstance(value, sympy.Expr):
        raise InvalidParameter(
            f"temperature must be a positive number, a SymPy expression in t or a theory.Schedule, got {value!r}.",
            parameter="temperature",
        )
    extra = value.free_symbols - {time_symbol}
    if extra:
        raise InvalidParameter(
            f"temperature schedule has free symbols {sorted(map(str, extra))}; only the time t "
            "(theory.symbols.t) may remain.", parameter="temperature",
        )
    if not value.free_symbols:
        return _positive("temperature", value), Constant(value)
    initial = value.subs(time_symbol, 0)
    if not (initial.is_number and initial.is_real and float(initial) > 0):
        raise InvalidParameter(f"temperature schedule must be positive at t = 0, got T(0) = {initial}.",
                               parameter="temperature")
    return value, None


@dataclasses.dataclass(frozen=True)
class EscapeProblem:
    """First passage of Langevin dynamics from ``start`` into ``absorbing`` (see the module docstring).

    ``start`` may be a number in one dimension; ``absorbing`` may be a number b
    in one dimension, meaning the half-line beyond b seen from the start.
    ``temperature`` may be a :class:`~theory.Schedule`: the field then holds its
    T(t) (a float for a :class:`~theory.Constant`), which is what the kernels,
    the Fokker-Planck solver and the quadrature read, and
    :attr:`temperature_schedule` holds the schedule itself.  To change the
    temperature use :meth:`with_temperature`.
    """

    potential: Potential
    start: tuple[float, ...]
    absorbing: AbsorbingSet
    temperature: float | sympy.Expr
    friction: float = 1.0
    mass: float | None = None
    #: The temperature as a :class:`~theory.Schedule` (baseline T_0 and pulses): the schedule given, the
    #: :class:`~theory.Constant` of a constant temperature, None for a T(t) given as an expression (it has
    #: no baseline).  Set from ``temperature`` at construction; a schedule passed here (as
    #: ``dataclasses.replace`` passes the old one) is kept only while its T(t) is the temperature.
    temperature_schedule: Schedule | None = dataclasses.field(default=None, repr=False, kw_only=True)

    def __post_init__(self):
        potential = self.potential
        if not isinstance(potential, Potential):
            raise InvalidParameter(
                f"potential must be a theory.Potential, got {type(potential).__name__}.", parameter="potential"
            )
        if potential.symbolic_parameters:
            names = ", ".join(s.name for s in potential.symbolic_parameters)
            raise InvalidParameter(f"potential: no value given for the parameters {names}.", parameter="potential")
        dimension = potential.dimension
        start = self.start
        if isinstance(start, numbers.Real) and not isinstance(start, bool):
            start = (start,)
        try:
            start = tuple(float(s) for s in start)
        except (TypeError, ValueError) as error:
            raise InvalidParameter(f"start must be a point (a sequence of numbers), got {self.start!r}.",
                                   parameter="start") from error
        if len(start) != dimension or not all(math.isfinite(s) for s in start):
            raise InvalidParameter(
                f"start must have {dimension} finite coordinates (one per variable), got {self.start!r}.",
                parameter="start",
            )
        absorbing = self.absorbing
        if isinstance(absorbing, numbers.Real) and not isinstance(absorbing, bool):
            if dimension != 1:
                raise InvalidParameter("absorbing: a number is a target point in one dimension only; give a set.",
                                       parameter="absorbing")
            if float(absorbing) == start[0]:
                raise InvalidParameter(f"absorbing: the target {absorbing} is the start: the exit time would be 0.",
                                       parameter="absorbing")
            absorbing = half_line(start[0], float(absorbing))
        if not isinstance(absorbing, AbsorbingSet):
            raise InvalidParameter(
                f"absorbing must be a HalfSpace, Ball, Interval or Condition, got {absorbing!r}.", parameter="absorbing"
            )
        if absorbing.dimension != dimension:
            raise InvalidParameter(
                f"absorbing set {absorbing} lives in {absorbing.dimension} dimensions, the potential in {dimension}.",
                parameter="absorbing",
            )
        if isinstance(absorbing, Condition):
            if absorbing.variables != potential.variables:
                absorbing = Condition(
                    absorbing.condition.xreplace(dict(zip(absorbing.variables, potential.variables))),
                    potential.variables,
                )
        if absorbing.contains(start):
            raise InvalidParameter(
                f"absorbing set {absorbing} already contains the start {start}: the first passage would be at t = 0.",
                parameter="absorbing",
            )
        temperature, schedule = _temperature(self.temperature)
        carried = self.temperature_schedule
        if not isinstance(self.temperature, Schedule) and isinstance(carried, Schedule):
            if _temperature(carried)[0] == temperature:  # e.g. dataclasses.replace(problem, mass=...)
                schedule = carried
        friction = _positive("friction", self.friction)
        mass = None if self.mass is None else _positive("mass", self.mass)
        for name, value in (("start", start), ("absorbing", absorbing), ("temperature", temperature),
                            ("temperature_schedule", schedule), ("friction", friction), ("mass", mass)):
            object.__setattr__(self, name, value)

    # -- what the oracles read ---------------------------------------------------------

    @property
    def dimension(self) -> int:
        return self.potential.dimension

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return self.potential.variables

    @property
    def overdamped(self) -> bool:
        """No inertia (``mass is None``)."""
        return self.mass is None

    @functools.cached_property
    def gradient(self) -> tuple[sympy.Expr, ...]:
        """grad U with the parameters at their values."""
        return tuple(sympy.diff(self.potential.numeric, v) for v in self.variables)

    @property
    def constant_temperature(self) -> float | None:
        """T for a constant temperature, None for a schedule."""
        return self.temperature if isinstance(self.temperature, float) else None

    @property
    def schedule(self) -> sympy.Expr | None:
        """T(t) for a time-dependent temperature (the expression kernels compile), None for a constant one."""
        return None if isinstance(self.temperature, float) else self.temperature

    @property
    def temperature_text(self) -> str:
        return repr(self.temperature) if isinstance(self.temperature, float) else str(self.temperature)

    @property
    def target(self) -> float:
        """The boundary point b of a one-dimensional half-line problem (refused otherwise)."""
        if self.dimension != 1 or not isinstance(self.absorbing, HalfSpace):
            raise InvalidParameter(
                f"absorbing: this needs a half-line in one dimension, the problem has {self.absorbing}.",
                parameter="absorbing",
            )
        return self.absorbing.offset * self.absorbing.normal[0]

    @property
    def two_sided(self) -> bool:
        return isinstance(self.absorbing, Interval)

    def with_temperature(self, temperature) -> EscapeProblem:
        """The same problem at another temperature (a number, a T(t) or a :class:`~theory.Schedule`)."""
        return dataclasses.replace(self, temperature=temperature, temperature_schedule=None)

    def describe(self) -> dict:
        """JSON-able description determining the problem: srepr of the expressions, plain numbers."""
        return {
            "potential": sympy.srepr(self.potential.numeric),
            "variables": [sympy.srepr(v) for v in self.variables],
            "start": list(self.start),
            "absorbing": self.absorbing.describe(),
            "temperature": self.temperature if isinstance(self.temperature, float) else sympy.srepr(self.temperature),
            "friction": self.friction,
            "mass": self.mass,
        }

    def __str__(self) -> str:
        names = ", ".join(map(str, self.variables))
        dynamics = "overdamped" if self.mass is None else f"underdamped, m = {self.mass:g}"
        return (f"U({names}) = {self.potential.numeric} from {self.start} into {self.absorbing}, "
                f"T = {self.temperature_text}, gamma = {self.friction:g}, {dynamics}")


def escape_problem(problem) -> EscapeProblem:
    """``problem`` itself if it is an :class:`EscapeProblem`: the one argument shape of every oracle."""
    if not isinstance(problem, EscapeProblem):
        raise InvalidParameter(
            f"problem must be a theory.EscapeProblem (potential, start, absorbing set, temperature, friction, mass), "
            f"got {type(problem).__name__}.", parameter="problem")
    return problem
