"""A derivation as one mathematical object.

Every result of the toolkit is a :class:`Derivation`: the quantity it defines,
its closed-form (or integral) expression, the meaning and assumptions of each
symbol, the conditions under which it is defined, the regime in which it is
accurate together with the order of its error, the works it rests on, and a way
to evaluate it at numbers.  Kernels, checks, LaTeX export and documentation are
all built from these objects.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy

from ._errors import InvalidParameter, OutOfRegimeWarning
from ._parse import as_expression
from ._references import REFERENCES, bibtex
from ._symbols import LATEX_NAMES

__all__ = ["Derivation", "ValidityRegime"]


def _latex(expr: sympy.Basic) -> str:
    return sympy.latex(expr, symbol_names=LATEX_NAMES)


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#",
                 "|": r"\textbar{}", "^": r"\^{}", "$": r"\$", "{": r"\{", "}": r"\}"}


def _text(words: str) -> str:
    """Plain words made safe for LaTeX text mode."""
    return "".join(_TEXT_ESCAPES.get(character, character) for character in words)


@dataclasses.dataclass(frozen=True)
class ValidityRegime:
    """Where a result is accurate, and how accurate.

    ``small_parameter`` is the dimensionless quantity that must be small (e.g.
    ``T / DeltaU`` for Kramers' law); ``error_order`` is the relative error as
    an expression in the symbols (e.g. ``T`` for an O(T) error); ``threshold``
    is the value of the small parameter above which evaluation warns with
    :class:`~theory._errors.OutOfRegimeWarning`.  An exact result has
    ``error_order = 0``.
    """

    description: str
    small_parameter: sympy.Expr = sympy.Integer(0)
    error_order: sympy.Expr = sympy.Integer(0)
    threshold: float = 0.25

    @property
    def exact(self) -> bool:
        return self.error_order == 0

    def latex(self) -> str:
        if self.exact:
            return r"\text{exact}"
        return (
            rf"{_latex(self.small_parameter)} \ll 1,\quad "
            rf"\text{{relative error }} O\!\left({_latex(self.error_order)}\right)"
        )


@dataclasses.dataclass(frozen=True)
class Derivation:
    """A derived result: ``quantity = expression`` with everything needed to use it.

    Fields
    ------
    name : identifier used by the CLI (``kramers latex NAME``) and the checks.
    title : one line for tables and documents.
    quantity : the symbol being defined (the left-hand side).
    expression : the right-hand side (a SymPy expression; may be an ``Integral``).
    symbols : meaning of every free symbol of ``expression``.
    conditions : SymPy relations that must not be definitely false.
    validity : the regime of accuracy with its error order.
    references : BibTeX keys from :data:`theory._references.REFERENCES`.
    notes : the steps of the derivation, in words, for documents.
    evaluator : optional numerical evaluator ``f(values: dict[Symbol, mpf], digits) -> mpf``
        for expressions that SymPy's ``evalf`` cannot evaluate well (integrals).
    """

    name: str
    title: str
    quantity: sympy.Symbol
    expression: sympy.Expr
    symbols: Mapping[sympy.Symbol, str]
    conditions: tuple[sympy.Basic, ...] = ()
    validity: ValidityRegime = ValidityRegime("exact")
    references: tuple[str, ...] = ()
    notes: str = ""
    evaluator: Callable[[Mapping[sympy.Symbol, Any], int], Any] | None = dataclasses.field(
        default=None, compare=False
    )

    def __post_init__(self):
        undeclared = self.expression.free_symbols - set(self.symbols)
        if undeclared:
            names = ", ".join(sorted(map(str, undeclared)))
            raise InvalidParameter(f"derivation {self.name!r}: symbols [{names}] have no meaning declared")
        unknown = [key for key in self.references if key not in REFERENCES]
        if unknown:
            raise InvalidParameter(f"derivation {self.name!r}: unknown reference keys {unknown}")

    # ------------------------------------------------------------------ values
    def _resolve(self, values: Mapping[Any, Any]) -> dict[sympy.Symbol, sympy.Expr]:
        by_name = {symbol.name: symbol for symbol in self.symbols}
        resolved = {}
        for key, value in values.items():
            symbol = by_name.get(key) if isinstance(key, str) else key
            if symbol not in self.symbols:
                raise InvalidParameter(
                    f"{self.name}: unknown symbol {key!r}; its symbols are {', '.join(sorted(by_name))}"
                )
            resolved[symbol] = as_expression(value, what=f"{self.name}: value of {symbol}")
        return resolved

    def check_conditions(self, values: Mapping[Any, Any]) -> None:
        """Raise :class:`InvalidParameter` if a condition is definitely false at ``values``."""
        resolved = self._resolve(values)
        for condition in self.conditions:
            if condition.subs(resolved) == sympy.false:
                raise InvalidParameter(
                    f"{self.name}: condition {condition} is violated at "
                    + ", ".join(f"{s}={v}" for s, v in resolved.items())
                )

    def small_parameter(self, values: Mapping[Any, Any]) -> float | None:
        """The value of the validity regime's small parameter at ``values`` (None if not numeric)."""
        value = self.validity.small_parameter.subs(self._resolve(values))
        return float(value) if value.is_number else None

    def evaluate(self, values: Mapping[Any, Any] | None = None, *, digits: int = 15, **named: Any) -> mpmath.mpf:
        """The expression at numbers, as an mpmath number with ``digits`` significant digits.

        Values are given by symbol or by name (``evaluate(T=0.5, DeltaU=1)``).
        Conditions that are definitely false raise :class:`InvalidParameter`;
        a small parameter above the regime's threshold warns with
        :class:`OutOfRegimeWarning` (the number is still returned).
        """
        merged = {**(values or {}), **named}
        resolved = self._resolve(merged)
        self.check_conditions(resolved)
        missing = self.expression.free_symbols - set(resolved)
        if missing:
            raise InvalidParameter(
                f"{self.name}: no value given for {', '.join(sorted(map(str, missing)))}"
            )
        epsilon = self.small_parameter(resolved)
        if epsilon is not None and epsilon > self.validity.threshold:
            warnings.warn(
                f"{self.name}: {self.validity.small_parameter} = {epsilon:.3g} exceeds "
                f"{self.validity.threshold} ({self.validity.description})",
                OutOfRegimeWarning,
                stacklevel=2,
            )
        with mpmath.workdps(digits + 5):
            if self.evaluator is not None:
                value = self.evaluator({s: mpmath.mpf(sympy.N(v, digits + 10)) for s, v in resolved.items()}, digits)
            else:
                value = mpmath.mpf(sympy.N(self.expression.subs(resolved), digits + 5))
        return value

    def __call__(self, **named: Any) -> mpmath.mpf:
        return self.evaluate(**named)

    def substitute(self, values: Mapping[Any, Any], *, name: str | None = None) -> "Derivation":
        """The same derivation with some symbols replaced (by numbers or expressions)."""
        resolved = self._resolve(values)
        remaining = {
            s: meaning for s, meaning in self.symbols.items() if s not in resolved
        }
        expression = self.expression.subs(resolved)
        for value in resolved.values():
            for symbol in value.free_symbols - set(remaining):
                remaining[symbol] = "substituted quantity"
        return dataclasses.replace(
            self,
            name=name or self.name,
            expression=expression,
            symbols=remaining,
            conditions=tuple(c.subs(resolved) for c in self.conditions if c.subs(resolved) != sympy.true),
            evaluator=None if self.evaluator is not None and resolved else self.evaluator,
        )

    def on_landscape(self, values: Mapping[Any, Any], parameters=()) -> "Derivation":
        """The derivation on one landscape.

        ``values`` (e.g. curvatures and barrier as expressions in the landscape's
        parameters) replace the general symbols the derivation uses; the
        ``parameters`` that remain are labelled as such; the general conditions
        are dropped, since they held where the landscape's stationary points were
        found and classified.
        """
        special = self.substitute({s: v for s, v in values.items() if s in self.symbols})
        symbols = dict(special.symbols)
        for parameter in parameters:
            if parameter in symbols:
                symbols[parameter] = "parameter of the potential"
        return dataclasses.replace(special, symbols=symbols, conditions=())

    # ------------------------------------------------------------------ LaTeX
    def equation_latex(self) -> str:
        """``quantity = expression`` in LaTeX (no environment)."""
        return f"{_latex(self.quantity)} = {_latex(self.expression)}"

    def latex(self) -> str:
        """A labelled equation with its symbols, conditions, validity regime and citations."""
        lines = [
            rf"\paragraph{{{_text(self.title)}}}",
            r"\begin{equation}",
            rf"  {self.equation_latex()}",
            rf"  \label{{eq:{self.name}}}",
            r"\end{equation}",
            "where " + "; ".join(
                rf"${_latex(symbol)}$: {_text(meaning)}" for symbol, meaning in sorted(
                    self.symbols.items(), key=lambda item: item[0].name)
            ) + ".",
        ]
        if self.conditions:
            lines.append(
                "Conditions: " + ", ".join(f"${_latex(c)}$" for c in self.conditions) + "."
            )
        lines.append(rf"Validity: {_text(self.validity.description)}; ${self.validity.latex()}$.")
        if self.references:
            lines.append(rf"References: \cite{{{','.join(self.references)}}}.")
        return "\n".join(lines) + "\n"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.equation_latex()}$"

    def bibtex(self) -> str:
        return bibtex(self.references)
