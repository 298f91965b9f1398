"""Typesetting: one LaTeX printer, words with mathematics, and readable forms.

Everything the toolkit writes as LaTeX passes through :func:`latex` (SymPy's
printer with the typeset symbol names of :data:`theory._symbols.LATEX_NAMES`)
and :func:`text` (the one escaper of plain words).

**Readable forms.**  SymPy stores a sum or a product in its own canonical order,
so ``T(s) - T_0`` prints as ``-T_0 + T(s)``.  A derivation may carry the form a
person writes, built with ``sympy.Add(..., evaluate=False)`` and
``sympy.Mul(..., evaluate=False)`` (or :class:`sympy.UnevaluatedExpr`): the
printer keeps the written order of exactly those nodes (SymPy's ``order='none'``
for them) and prints every evaluated node in SymPy's usual order.
:func:`evaluated` rebuilds a readable form with evaluation, so a test can
prove it equal to the derivation's expression.

**Words with mathematics.**  A symbol's meaning, a condition or a validity
regime is a :class:`Prose`: words and SymPy expressions, in reading order.  The
words are escaped as text, the expressions printed by :func:`latex` in math
mode, so no mathematics is ever written as ASCII inside text::

    Prose("barrier height", U(b) - U(a))
    Prose("rate prefactor", sqrt(kappa_a * kappa_b) / (2 * pi * gamma))

A plain string is accepted wherever a :class:`Prose` is, and is read as words
only (escaped, never as mathematics).
"""

from __future__ import annotations

import dataclasses
import re

import sympy
from sympy.printing.latex import LatexPrinter

from ._symbols import LATEX_NAMES

__all__ = ["Prose", "latex", "text", "evaluated", "prose_latex", "split_sum", "display_width",
           "written_sum", "written_product", "written_ratio", "written_root", "much_greater", "tends_to",
           "proportional_to"]

_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#",
                 "|": r"\textbar{}", "^": r"\^{}", "$": r"\$", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}"}


def text(words: str) -> str:
    """Plain words made safe for LaTeX text mode (the one escaper of the toolkit)."""
    return "".join(_TEXT_ESCAPES.get(character, character) for character in words)


#: Sums and products built by the ``written_*`` helpers below: printed in the order given.
_WRITTEN: set = set()


def _written(expr: sympy.Basic) -> bool:
    """True when a sum or product was built unevaluated, in an order a person chose."""
    if expr in _WRITTEN:
        return True
    try:
        return tuple(expr.args) != tuple(expr.func(*expr.args).args)
    except (TypeError, ValueError):  # pragma: no cover - defensive: a node that cannot be rebuilt
        return False


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, keeping the written order of unevaluated sums and products."""

    def _print_Add(self, expr, order=None):
        return super()._print_Add(expr, order="none" if _written(expr) else self._base_order)

    def _print_Mul(self, expr):
        saved = self._settings["order"]
        self._settings["order"] = "none" if _written(expr) else self._base_order
        try:
            numerator, denominator = sympy.fraction(expr, exact=True)
            if self._settings["fold_short_frac"] and denominator.is_Mul and not expr.could_extract_minus_sign():
                # inside a sentence: a / (b c), a bar of its own would crowd the line
                top = self._print(numerator)
                if isinstance(numerator, sympy.Add):
                    top = rf"\left({top}\right)"
                return rf"{top} / \left({self._print(denominator)}\right)"
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = saved

    def _print_AppliedUndef(self, expr):
        """``U(b)``, ``T(s)``: an unknown function of plain arguments, without stretched brackets."""
        if all(argument.is_Atom for argument in expr.args):
            return f"{self._print(sympy.Symbol(expr.func.__name__))}({', '.join(map(self._print, expr.args))})"
        return self._print_Function(expr)

    @property
    def _base_order(self):
        return self._settings.get("base_order")


_PRINTER_SETTINGS = {"symbol_names": LATEX_NAMES}


def latex(expr: sympy.Basic, *, inline: bool = False) -> str:
    """``expr`` in LaTeX, with typeset symbol names and any written order kept.

    ``inline`` (mathematics inside a sentence) folds short fractions to ``a / b``.
    """
    printer = _Printer({**_PRINTER_SETTINGS, "fold_short_frac": inline})
    printer._settings["base_order"] = printer._settings["order"]
    return printer.doprint(sympy.Integer(expr) if isinstance(expr, int) else expr)


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` rebuilt with evaluation: unevaluated sums, products and ``UnevaluatedExpr`` undone.

    Integrals and other unevaluated objects are rebuilt, not computed (no ``doit``).
    """
    if isinstance(expr, sympy.UnevaluatedExpr):
        return evaluated(expr.args[0])
    if not expr.args or isinstance(expr, (sympy.Symbol, sympy.Number)):
        return expr
    return expr.func(*(evaluated(argument) for argument in expr.args))


@dataclasses.dataclass(frozen=True, init=False)
class Prose:
    """Words and mathematics in reading order: ``Prose("curvature", kappa_a, "at the minimum", a)``.

    Strings are words (set in text, escaped); SymPy objects (expressions,
    relations) are mathematics (printed by :func:`latex` in math mode).  Parts
    are joined by one space, except before punctuation and after an opening
    bracket.
    """

    parts: tuple

    def __init__(self, *parts):
        checked = []
        for part in parts:
            if isinstance(part, Prose):
                checked.extend(part.parts)
            elif isinstance(part, str):
                checked.append(part)
            elif isinstance(part, (sympy.Basic, int)):
                checked.append(sympy.Integer(part) if isinstance(part, int) else part)
            else:
                raise TypeError(f"Prose parts are words (str) or SymPy objects, got {type(part).__name__}")
        object.__setattr__(self, "parts", tuple(checked))

    def _joined(self, render_words, render_math) -> str:
        out = ""
        for part in self.parts:
            piece = render_words(part) if isinstance(part, str) else render_math(part)
            if out and piece and not (piece[0] in ",.;:)" or out[-1] in "( "):
                out += " "
            out += piece
        return out

    def latex(self) -> str:
        return self._joined(text, lambda expr: f"${latex(expr, inline=True)}$")

    def __str__(self) -> str:
        return self._joined(lambda words: words, str)

    def free_symbols(self) -> set:
        return set().union(*(part.free_symbols for part in self.parts if isinstance(part, sympy.Basic)))


def prose_latex(words: str | Prose) -> str:
    """LaTeX text of a meaning or description: a :class:`Prose`, or plain words."""
    return words.latex() if isinstance(words, Prose) else text(words)


# ------------------------------------------------------------------ long lines
_COMMAND = re.compile(r"\\(left|right|limits|displaystyle|,|;|!|quad|qquad)(?![A-Za-z])")


def display_width(tex: str) -> float:
    """A rough width, in characters of displayed maths, of a LaTeX formula.

    Commands count as one character, fractions as their wider part, sub- and
    superscripts as two thirds of a character each.  It only decides where to
    break a long sum; the compile test measures the real boxes.
    """

    def width(source: str) -> float:
        total, index = 0.0, 0
        while index < len(source):
            if source.startswith(r"\frac", index) or source.startswith(r"\dfrac", index):
                index = source.index("{", index)
                numerator, index = _group(source, index)
                denominator, index = _group(source, index)
                total += max(width(numerator), width(denominator)) + 0.5
                continue
            character = source[index]
            if character == "\\":
                match = re.match(r"\\([A-Za-z]+|.)", source[index:])
                index += match.end()
                total += 0 if _COMMAND.match(match.group(0)) else 1
                continue
            if character in "^_":
                index += 1
                if index < len(source) and source[index] == "{":
                    script, index = _group(source, index)
                    total += 0.66 * width(script)
                else:
                    total += 0.66
                    index += 1
                continue
            if character in "{} ":
                index += 1
                continue
            total += 1.3 if character in "+-=<>" else 1
            index += 1
        return total

    return width(tex)


def _group(source: str, index: int) -> tuple[str, int]:
    """The brace group starting at ``source[index] == '{'`` and the index after it."""
    depth = 0
    for position in range(index, len(source)):
        depth += {"{": 1, "}": -1}.get(source[position], 0)
        if depth == 0:
            return source[index + 1:position], position + 1
    return source[index + 1:], len(source)


def split_sum(expr: sympy.Basic, first: str, width: float) -> list[str] | None:
    """``first`` followed by the terms of the sum ``expr``, packed into lines no wider than ``width``.

    Returns the lines (each a LaTeX string; the continuation lines start with
    their sign) or None when ``expr`` is not a sum.  The terms keep their
    written order when the sum was built unevaluated.
    """
    if not isinstance(expr, sympy.Add):
        return None
    printer = _Printer({**_PRINTER_SETTINGS})
    printer._settings["base_order"] = printer._settings["order"]
    terms = printer._as_ordered_terms(expr, order="none" if _written(expr) else None)
    pieces = []
    for index, term in enumerate(terms):
        negative = index > 0 and term.could_extract_minus_sign()
        body = printer._print(-term if negative else term)
        if printer._needs_add_brackets(-term if negative else term):
            body = rf"\left({body}\right)"
        pieces.append(body if index == 0 else (" - " if negative else " + ") + body)
    lines, current = [], first
    for piece in pieces:
        if current.strip() and display_width(current + piece) > width and current != first:
            lines.append(current)
            current = piece
        else:
            current += piece
    lines.append(current)
    return lines


# ------------------------------------------------------------------ building readable forms
def written_sum(*terms) -> sympy.Expr:
    """A sum printed in the order given (``T(s) - T_0``, not ``-T_0 + T(s)``)."""
    return _remember(sympy.Add(*terms, evaluate=False))


def written_product(*factors) -> sympy.Expr:
    """A product printed in the order given (prefactor first, exponential last)."""
    return _remember(sympy.Mul(*factors, evaluate=False))


def written_ratio(numerator, denominator) -> sympy.Expr:
    """``numerator / denominator`` as one fraction, neither side rearranged."""
    return _remember(sympy.Mul(numerator, sympy.Pow(denominator, -1, evaluate=False), evaluate=False))


def written_root(radicand) -> sympy.Expr:
    """``sqrt(radicand)`` under one root sign (``sqrt(U''(a) |U''(b)|)``, not two roots)."""
    return sympy.Pow(radicand, sympy.Rational(1, 2), evaluate=False)


def _remember(node: sympy.Basic) -> sympy.Basic:
    _WRITTEN.add(node)
    return node


# ------------------------------------------------------------------ relations SymPy has no class for
class _Relation(sympy.Function):
    """``a OP b`` for a relation SymPy lacks (``\\gg``, ``\\to``, ``\\propto``), for :class:`Prose` only."""

    nargs = 2
    _latex_operator = ""
    _text_operator = ""

    def _latex(self, printer):
        left, right = (printer._print(argument) for argument in self.args)
        return f"{left} {self._latex_operator} {right}"

    def _sympystr(self, printer):
        left, right = (printer._print(argument) for argument in self.args)
        return f"{left} {self._text_operator} {right}"


class much_greater(_Relation):  # noqa: N801 - reads as a relation
    """``a >> b``."""
    _latex_operator, _text_operator = r"\gg", ">>"


class tends_to(_Relation):  # noqa: N801
    """``a -> b``, a limit."""
    _latex_operator, _text_operator = r"\to", "->"


class proportional_to(_Relation):  # noqa: N801
    """``a ~ b``, proportional."""
    _latex_operator, _text_operator = r"\propto", "~"
