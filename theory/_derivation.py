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
from ._typeset import Prose, display_width, evaluated, latex as _latex, prose_latex, split_sum, text

__all__ = ["Derivation", "ValidityRegime", "Intermediate"]

#: Widest displayed line, in :func:`~theory._typeset.display_width` characters, before a sum is broken.
DISPLAY_WIDTH = 58


@dataclasses.dataclass(frozen=True)
class ValidityRegime:
    """Where a result is accurate, and how accurate.

    ``description`` says it in words and mathematics (a
    :class:`~theory._typeset.Prose`, or plain words as a string);
    ``small_parameter`` is the dimensionless quantity that must be small (e.g.
    ``T / DeltaU`` for Kramers' law); ``error_order`` is the relative error as
    an expression in the symbols (e.g. ``T`` for an O(T) error); ``threshold``
    is the value of the small parameter above which evaluation warns with
    :class:`~theory._errors.OutOfRegimeWarning`.  An exact result has
    ``error_order = 0``.
    """

    description: str | Prose
    small_parameter: sympy.Expr = sympy.Integer(0)
    error_order: sympy.Expr = sympy.Integer(0)
    threshold: float = 0.25

    @property
    def exact(self) -> bool:
        return self.error_order == 0

    def latex(self) -> str:
        """The regime as a sentence of LaTeX text (mathematics in math mode)."""
        words = prose_latex(self.description)
        if self.exact:
            return words
        return (
            rf"{words}; ${_latex(self.small_parameter, inline=True)} \ll 1$, "
            rf"relative error $O\!\left({_latex(self.error_order, inline=True)}\right)$"
        )


@dataclasses.dataclass(frozen=True)
class Intermediate:
    """A named quantity a readable form uses: ``symbol = expression``, with its meaning.

    Long results read better through named pieces (a paper writes
    ``H_s = \\nu t_s e^{-\\Delta U/T_0}`` once and uses ``H_s`` after).
    """

    symbol: sympy.Symbol
    expression: sympy.Expr
    meaning: str | Prose


@dataclasses.dataclass(frozen=True)
class Derivation:
    """A derived result: ``quantity = expression`` with everything needed to use it.

    Fields
    ------
    name : identifier used by the CLI (``kramers latex NAME``) and the checks.
    title : one line for tables and documents.
    quantity : the symbol being defined (the left-hand side).
    expression : the right-hand side (a SymPy expression; may be an ``Integral``).
    symbols : meaning of every free symbol of ``expression``: a
        :class:`~theory._typeset.Prose` (words and SymPy expressions), or plain
        words as a string (never mathematics written in ASCII).
    conditions : SymPy relations that must not be definitely false.
    validity : the regime of accuracy with its error order.
    references : BibTeX keys from :data:`theory._references.REFERENCES`.
    notes : the steps of the derivation, in words, for documents.
    readable : the same expression in the form a person writes (prefactors first,
        exponentials grouped, differences as ``T(s) - T_0``), built with unevaluated
        sums and products; ``None`` prints ``expression`` as SymPy orders it.
        The catalogue's tests prove ``readable`` (with ``intermediates``
        substituted) equal to ``expression``.
    intermediates : named quantities ``readable`` uses, in order of definition.
    evaluator : optional numerical evaluator ``f(values: dict[Symbol, mpf], digits) -> mpf``
        for expressions that SymPy's ``evalf`` cannot evaluate well (integrals).
    """

    name: str
    title: str | Prose
    quantity: sympy.Symbol
    expression: sympy.Expr
    symbols: Mapping[sympy.Symbol, str | Prose]
    conditions: tuple[sympy.Basic, ...] = ()
    validity: ValidityRegime = ValidityRegime("exact")
    references: tuple[str, ...] = ()
    notes: str = ""
    readable: sympy.Expr | None = None
    intermediates: tuple[Intermediate, ...] = ()
    evaluator: Callable[[Mapping[sympy.Symbol, Any], int], Any] | None = dataclasses.field(
        default=None, compare=False
    )

    def __post_init__(self):
        undeclared = self.expression.free_symbols - set(self.symbols)
        if undeclared:
            names = ", ".join(sorted(map(str, undeclared)))
            raise InvalidParameter(f"derivation {self.name!r}: symbols [{names}] have no meaning declared")
        if self.readable is not None:
            known = set(self.symbols)
            for item in self.intermediates:
                stray = item.expression.free_symbols - known
                if stray:
                    raise InvalidParameter(f"derivation {self.name!r}: intermediate {item.symbol} uses "
                                           f"undeclared symbols {sorted(map(str, stray))}")
                known.add(item.symbol)
            stray = self.readable.free_symbols - known
            if stray:
                raise InvalidParameter(f"derivation {self.name!r}: its readable form uses undeclared symbols "
                                       f"{sorted(map(str, stray))}")
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
            readable=None,  # the written order does not survive substitution; SymPy's order is printed
            intermediates=(),
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

    # ------------------------------------------------------------------ readable form
    def readable_expanded(self) -> sympy.Expr:
        """The readable form with its intermediates substituted and evaluated: equal to ``expression``."""
        if self.readable is None:
            return self.expression
        result = self.readable
        for item in reversed(self.intermediates):
            result = result.xreplace({item.symbol: item.expression})
        return evaluated(result)

    # ------------------------------------------------------------------ LaTeX
    def equation_latex(self) -> str:
        """``quantity = expression`` in LaTeX (no environment), in the readable form."""
        return f"{_latex(self.quantity)} = {_latex(self._shown())}"

    def _shown(self) -> sympy.Expr:
        return self.expression if self.readable is None else self.readable

    def display_latex(self, label: str | None = None) -> str:
        """The numbered display: ``equation``, or ``multline`` when a long sum must be broken."""
        label = label or f"eq:{self.name}"
        first = f"{_latex(self.quantity)} = "
        lines = None
        if display_width(self.equation_latex()) > DISPLAY_WIDTH:
            lines = split_sum(self._shown(), first, DISPLAY_WIDTH)
        if not lines or len(lines) == 1:
            return "\n".join([r"\begin{equation}", f"  {self.equation_latex()}", rf"  \label{{{label}}}",
                              r"\end{equation}"])
        body = " \\\\\n  ".join(lines)
        return "\n".join([r"\begin{multline}", f"  {body}", rf"  \label{{{label}}}", r"\end{multline}"])

    def glossary(self) -> dict[sympy.Symbol, str | Prose]:
        """Meaning of every symbol, by name, then of the intermediates in order of definition."""
        meanings = dict(sorted(self.symbols.items(), key=lambda item: item[0].name))
        meanings.update({item.symbol: item.meaning for item in self.intermediates})
        return meanings

    def latex(self) -> str:
        """A labelled equation with its symbols, conditions, validity regime and citations."""
        lines = [rf"\paragraph{{{prose_latex(self.title)}}}", self.display_latex()]
        if self.intermediates:
            definitions = [f"{_latex(i.symbol)} = {_latex(i.expression)}" for i in self.intermediates]
            rows = [definitions[0]]
            for definition in definitions[1:]:  # as many to a line as fit, like a paper's "with a = ..., b = ..."
                joined = rows[-1] + r",\qquad " + definition
                if display_width(joined) + 4 > DISPLAY_WIDTH:
                    rows.append(definition)
                else:
                    rows[-1] = joined
            lines += ["with", r"\begin{gather*}", "  " + ", \\\\\n  ".join(rows), r"\end{gather*}"]
        lines.append("where " + "; ".join(
            rf"${_latex(symbol, inline=True)}$: {prose_latex(meaning)}"
            for symbol, meaning in self.glossary().items()) + ".")
        conditions = [c for c in self.conditions if c != sympy.true]
        if conditions:
            lines.append("Conditions: " + ", ".join(f"${_latex(c, inline=True)}$" for c in conditions) + ".")
        lines.append(rf"Validity: {self.validity.latex()}.")
        if self.references:
            lines.append(rf"References: \cite{{{','.join(self.references)}}}.")
        return "\n".join(lines) + "\n"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.equation_latex()}$"

    def bibtex(self) -> str:
        return bibtex(self.references)
