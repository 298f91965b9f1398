"""Potentials: the energy landscape U(x) on which the learner's state moves.

A :class:`Potential` wraps a SymPy expression (it is not a subclass), the
variables it depends on, and its parameters, each either given a value or left
symbolic.  Derivatives are computed once and cached.  Strings from users are
read by the safe parser of :mod:`theory._parse`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import mpmath
import sympy

from ._errors import InvalidParameter
from ._parse import ALLOWED_CONSTANTS, ALLOWED_FUNCTIONS, check_exponents, parse_expression
from ._symbols import RESERVED_NAMES

__all__ = ["Potential", "parse_number"]


def _check_name(name: str, role: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise InvalidParameter(f"{role} name {name!r} must be a Python-style identifier not starting with '_'")
    if name in ALLOWED_FUNCTIONS or name in ALLOWED_CONSTANTS:
        raise InvalidParameter(f"{role} name {name!r} is taken by a function or constant")
    if name in RESERVED_NAMES:
        raise InvalidParameter(f"{role} name {name!r} is reserved (T is the temperature, gamma the friction)")


def parse_number(value: Any, *, what: str) -> sympy.Expr:
    """A real number from a Python number or a constant expression string ("1/3", "pi/4").

    Decimal strings stay exact ("0.7" -> 7/10); floats are converted through
    their shortest ``repr``.
    """
    if isinstance(value, sympy.Basic):
        number = value
    elif isinstance(value, bool):
        raise InvalidParameter(f"{what} must be a real number, got {value!r}")
    elif isinstance(value, int):
        number = sympy.Integer(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidParameter(f"{what} must be a finite real number, got {value!r}")
        number = sympy.Rational(repr(value))
    elif isinstance(value, str):
        number = parse_expression(value, {}, what=what)
    else:
        raise InvalidParameter(f"{what} must be a real number, got {type(value).__name__}")
    if not number.is_number or not number.is_real or not number.is_finite:
        raise InvalidParameter(f"{what} must be a finite real number, got {value!r}")
    return number


@dataclasses.dataclass(frozen=True)
class Potential:
    """An energy landscape ``U(variables; parameters)``.

    ``parameters`` maps each parameter symbol to its value, or to ``None`` when
    it stays symbolic.  Every free symbol of ``expression`` must be a variable or
    a parameter.
    """

    expression: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    parameters: Mapping[sympy.Symbol, sympy.Expr | None] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if not self.variables:
            raise InvalidParameter("variables: at least one variable is needed")
        if len(set(self.variables)) != len(self.variables):
            raise InvalidParameter("variables: names must be distinct")
        for symbol in (*self.variables, *self.parameters):
            _check_name(symbol.name, "variable" if symbol in self.variables else "parameter")
        clash = set(self.variables) & set(self.parameters)
        if clash:
            raise InvalidParameter(f"parameters: {sorted(map(str, clash))} are also variables")
        free = self.expression.free_symbols - set(self.variables) - set(self.parameters)
        if free:
            raise InvalidParameter(
                f"potential: symbols [{', '.join(sorted(map(str, free)))}] are neither variables nor parameters"
            )
        if self.expression.has(sympy.I) or self.expression.is_real is False:
            raise InvalidParameter("potential: the expression must be real")
        check_exponents(self.expression.subs(self.values), what="potential")

    # ------------------------------------------------------------ construction
    @classmethod
    def from_string(
        cls,
        text: str,
        variables: Iterable[str] | str = ("x",),
        parameters: Mapping[str, Any] | None = None,
        *,
        what: str = "potential",
    ) -> "Potential":
        """Parse ``text`` (never evaluated) over ``variables`` with ``parameters``.

        ``parameters`` maps names to values (numbers or constant strings) or to
        ``None`` for a parameter that stays symbolic.  Names used in ``text``
        that are neither variables nor parameters are refused.
        """
        if isinstance(variables, str):
            variables = [v.strip() for v in variables.split(",") if v.strip()]
        variables = list(variables)
        for name in variables:
            _check_name(name, "variable")
        parameters = dict(parameters or {})
        for name in parameters:
            _check_name(name, "parameter")
        variable_symbols = tuple(sympy.Symbol(name, real=True) for name in variables)
        parameter_symbols = {
            sympy.Symbol(name, real=True): (
                None if value is None else parse_number(value, what=f"parameter {name}")
            )
            for name, value in parameters.items()
        }
        names = {s.name: s for s in (*variable_symbols, *parameter_symbols)}
        expression = parse_expression(text, names, what=what)
        unused = [s.name for s in parameter_symbols if s not in expression.free_symbols]
        if unused:
            raise InvalidParameter(f"parameters: {unused} do not appear in the potential")
        return cls(expression, variable_symbols, parameter_symbols)

    # -------------------------------------------------------------- properties
    @property
    def dimension(self) -> int:
        return len(self.variables)

    @property
    def variable(self) -> sympy.Symbol:
        """The single variable of a one-dimensional potential."""
        if self.dimension != 1:
            raise InvalidParameter(
                f"variables: this operation needs a one-dimensional potential, got {self.dimension} variables"
            )
        return self.variables[0]

    @property
    def values(self) -> dict[sympy.Symbol, sympy.Expr]:
        """Parameters that have values."""
        return {s: v for s, v in self.parameters.items() if v is not None}

    @property
    def symbolic_parameters(self) -> tuple[sympy.Symbol, ...]:
        return tuple(s for s, v in self.parameters.items() if v is None)

    def with_values(self, **values: Any) -> "Potential":
        """A copy with the named parameters given values."""
        by_name = {s.name: s for s in self.parameters}
        parameters = dict(self.parameters)
        for name, value in values.items():
            if name not in by_name:
                raise InvalidParameter(f"parameters: {name!r} is not a parameter of this potential")
            parameters[by_name[name]] = parse_number(value, what=f"parameter {name}")
        return dataclasses.replace(self, parameters=parameters)

    # ---------------------------------------------------------- derived forms
    @functools.cached_property
    def numeric(self) -> sympy.Expr:
        """The expression with every parameter replaced by its value."""
        if self.symbolic_parameters:
            names = ", ".join(s.name for s in self.symbolic_parameters)
            raise InvalidParameter(f"parameters: no value given for {names}; give each parameter a value",
                                   parameter="parameters")
        return self.expression.subs(self.values)

    @functools.lru_cache(maxsize=None)
    def derivative(self, order: int = 1, *, numeric: bool = False) -> sympy.Expr:
        """d^order U / dx^order of a one-dimensional potential (symbolic in the parameters unless ``numeric``)."""
        expression = self.numeric if numeric else self.expression
        return sympy.diff(expression, self.variable, order)

    @functools.cached_property
    def gradient(self) -> tuple[sympy.Expr, ...]:
        return tuple(sympy.diff(self.expression, v) for v in self.variables)

    @functools.lru_cache(maxsize=None)
    def mpmath_function(self, order: int = 0):
        """``U^(order)`` as a fast mpmath function of one variable (parameters at their values)."""
        expression = self.numeric if order == 0 else self.derivative(order, numeric=True)
        return sympy.lambdify(self.variable, expression, modules="mpmath")

    def __call__(self, *point: Any) -> mpmath.mpf:
        """U at a point, with parameters at their values."""
        if len(point) != self.dimension:
            raise InvalidParameter(f"point: expected {self.dimension} coordinates, got {len(point)}")
        return mpmath.mpf(sympy.N(self.numeric.subs(dict(zip(self.variables, point)))))

    def latex(self) -> str:
        return sympy.latex(self.expression)

    def __str__(self) -> str:
        return str(self.expression)

    def __hash__(self):
        return hash((self.expression, self.variables, tuple(self.parameters.items())))
