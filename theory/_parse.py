"""Parsing user expressions without ``eval``.

A potential typed on the command line (``--potential "(x**2-1)**2 + a*x"``) is
read by Python's :mod:`ast` parser into a syntax tree, and that tree is walked
node by node: only numbers, the declared variables and parameters, the
constants ``pi`` and ``E``, the arithmetic operators ``+ - * / **`` (``^`` is
read as ``**``) and calls of a fixed whitelist of functions are turned into
SymPy objects.  Everything else (attribute access, subscripts, lambdas,
keyword arguments, unknown names, ``__import__``) is refused with a
:class:`~theory._errors.ForbiddenExpression` that names the offending piece.
Nothing is ever executed, so a string is safe whatever it contains.

Decimal literals become exact rationals (``0.7`` -> ``7/10``), following SymPy's
advice to keep derivations exact.

A harmless string can still ask for unbounded work, so sizes are bounded
(limits below, each refused with a one-line :class:`ForbiddenExpression`):

* at most ``MAX_LENGTH`` characters and ``MAX_DEPTH`` levels of nesting;
* a power of two numbers has an exponent of at most ``MAX_NUMERIC_EXPONENT``
  in size, and no exact number in the expression (a coefficient included) has
  more than ``MAX_NUMBER_DIGITS`` digits (``9**9**9``, ``(10**1000)**1000`` and
  long products of large numbers are refused as soon as they appear);
* an exponent of a variable (``x**n``, ``exp(x)**n``) that is a number is at
  most ``MAX_VARIABLE_EXPONENT`` in size: the derivations solve polynomial
  equations in the variables, and ``x**(10**100)`` would never finish.  The
  same bound is checked after parameter values are substituted
  (:func:`check_exponents`).

:func:`as_expression` is the one door through which a value that may be a
string (a temperature, a gradient, a friction) becomes a SymPy object in the
library: SymPy objects and Python, NumPy or mpmath numbers are converted
explicitly, strings go through :func:`parse_expression`.  Nothing in the
packages calls ``sympify``, ``eval`` or ``exec`` (``tests/test_no_evaluation.py``).
"""

from __future__ import annotations

import ast
import numbers
from collections.abc import Iterable, Mapping

import sympy

from ._errors import ForbiddenExpression

__all__ = ["ALLOWED_FUNCTIONS", "parse_expression", "parse_condition", "as_expression", "check_exponents"]

#: The functions a user expression may call, by name.
ALLOWED_FUNCTIONS: Mapping[str, sympy.Function] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "abs": sympy.Abs,
    "erf": sympy.erf,
    "sech": sympy.sech,
}

#: Named constants a user expression may use.
ALLOWED_CONSTANTS: Mapping[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}

#: Longest accepted expression, deepest accepted nesting, and largest accepted
#: integer exponent between two numbers: guards against denial of service
#: (``9**9**9``) by a string that is otherwise harmless.
MAX_LENGTH = 5000
MAX_DEPTH = 60
MAX_NUMERIC_EXPONENT = 1000
MAX_NUMBER_DIGITS = 4000  # Python prints integers of up to 4300 digits (sys.int_max_str_digits)

#: Largest accepted size of a numeric exponent of a variable (``x**100`` is fine, ``x**101`` is refused).
MAX_VARIABLE_EXPONENT = 100

_MAX_NUMBER_BITS = int(MAX_NUMBER_DIGITS * 3.3219280948873626)  # log2(10) bits per decimal digit


def _syntax_tree(text, symbols, *, what: str, kind: str) -> tuple[Mapping[str, sympy.Symbol], ast.Expression]:
    """The name table and Python's syntax tree of ``text`` (``^`` read as ``**``), or a one-line refusal."""
    if not isinstance(symbols, Mapping):
        symbols = {s.name: s for s in symbols}
    if not isinstance(text, str):
        raise ForbiddenExpression(f"{what}: expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ForbiddenExpression(f"{what}: longer than {MAX_LENGTH} characters")
    stripped = text.strip()
    if not stripped:
        raise ForbiddenExpression(f"{what}: empty {kind}")
    try:
        return symbols, ast.parse(stripped.replace("^", "**"), mode="eval")
    except SyntaxError as error:
        raise ForbiddenExpression(
            f"{what}: cannot parse {text!r} ({error.msg} at column {error.offset})"
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ForbiddenExpression(f"{what}: cannot parse {text!r}") from None


def parse_expression(
    text: str,
    symbols: Mapping[str, sympy.Symbol] | Iterable[sympy.Symbol],
    *,
    what: str = "expression",
) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression over the given ``symbols``.

    ``symbols`` maps the names the string may use to SymPy symbols (or is an
    iterable of symbols, keyed by their names).  ``what`` names the input in
    error messages (e.g. ``"potential"``).
    """
    symbols, tree = _syntax_tree(text, symbols, what=what, kind="expression")
    builder = _Builder(symbols, what)
    return check_exponents(builder.build(tree.body, depth=0), what=what)


def check_exponents(expression: sympy.Basic, *, what: str = "expression") -> sympy.Basic:
    """``expression`` itself, or a refusal if a variable is raised to a number larger than
    ``MAX_VARIABLE_EXPONENT`` in size (see the module docstring)."""
    for power in expression.atoms(sympy.Pow):
        exponent = power.exp
        if power.base.free_symbols and exponent.is_number and not _modest(exponent, MAX_VARIABLE_EXPONENT):
            raise ForbiddenExpression(
                f"{what}: the exponent {_short(exponent)} of {_short(power.base)} is larger than "
                f"{MAX_VARIABLE_EXPONENT} in size; an exponent of a variable must be a number from "
                f"-{MAX_VARIABLE_EXPONENT} to {MAX_VARIABLE_EXPONENT}"
            )
    return expression


def _modest(number: sympy.Expr, bound: int) -> bool:
    """``|number| <= bound``, decided without evaluating a huge number."""
    if isinstance(number, sympy.Rational):
        return abs(number.p) <= bound * number.q
    magnitude = sympy.Abs(number).evalf(15)
    return bool(magnitude.is_finite and magnitude <= bound)


def _short(expression: sympy.Basic) -> str:
    """The text of ``expression`` cut to 40 characters (a refusal is one short line)."""
    text = str(expression)
    return text if len(text) <= 40 else text[:37] + "..."


def as_expression(
    value,
    symbols: Mapping[str, sympy.Symbol] | Iterable[sympy.Symbol] = (),
    *,
    what: str = "expression",
) -> sympy.Expr:
    """``value`` as a SymPy object, converted explicitly, never evaluated.

    A SymPy object is returned as it is; an ``int`` (or NumPy integer) becomes
    an ``Integer``, a ``Fraction`` a ``Rational``, a ``float`` (NumPy or
    mpmath real) a ``Float`` of its precision; a string is parsed by
    :func:`parse_expression` over ``symbols``.  Anything else (a bool, a
    complex, a list, an arbitrary object) is refused naming ``what``.
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, str):
        return parse_expression(value, symbols, what=what)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ForbiddenExpression(
            f"{what}: expected a SymPy expression, a real number or a string, got {type(value).__name__}"
        )
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, numbers.Rational):
        return sympy.Rational(int(value.numerator), int(value.denominator))
    return sympy.Float(value) if type(value).__module__.startswith("mpmath") else sympy.Float(float(value))


class _Builder:
    """Walks a Python syntax tree and builds the SymPy expression it denotes."""

    _BINARY = {
        ast.Add: lambda a, b: a + b,
        ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b,
        ast.Pow: lambda a, b: a**b,
    }

    def __init__(self, symbols: Mapping[str, sympy.Symbol], what: str):
        self.symbols = symbols
        self.what = what

    def refuse(self, reason: str) -> ForbiddenExpression:
        allowed = ", ".join(sorted(self.symbols)) or "none"
        return ForbiddenExpression(
            f"{self.what}: {reason}; allowed are numbers, the names [{allowed}], "
            f"pi, E, + - * / ** and the functions {', '.join(sorted(ALLOWED_FUNCTIONS))}"
        )

    def build(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.refuse(f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in self._BINARY:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow) and left.is_number and right.is_number:
                if not _modest(right, MAX_NUMERIC_EXPONENT):
                    raise self.refuse(f"numeric exponent {_short(right)} larger than {MAX_NUMERIC_EXPONENT}")
                if isinstance(left, sympy.Rational) and isinstance(right, sympy.Rational):
                    bits = max(abs(left.p).bit_length(), left.q.bit_length()) * abs(right.p) // right.q
                    if bits > _MAX_NUMBER_BITS:
                        raise self.refuse(f"the number {_short(left)}**{_short(right)} has more than "
                                          f"{MAX_NUMBER_DIGITS} digits")
            if isinstance(node.op, ast.Pow) and left.free_symbols and right.is_number:
                check_exponents(sympy.Pow(left, right, evaluate=False), what=self.what)  # before expanding
            if isinstance(node.op, ast.Div) and right == 0:
                raise self.refuse("division by zero")
            return self._number_of_modest_size(self._BINARY[type(node.op)](left, right))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Attribute):
            raise self.refuse(f"attribute access '.{node.attr}' is not allowed")
        raise self.refuse(f"'{type(node).__name__}' syntax is not allowed")

    def _number_of_modest_size(self, result: sympy.Expr) -> sympy.Expr:
        """``result``, unless it is, or has as coefficient, an exact number of more than ``MAX_NUMBER_DIGITS`` digits."""
        coefficient = result.as_coeff_Mul()[0] if isinstance(result, sympy.Expr) else result
        if isinstance(coefficient, sympy.Rational) and (
                abs(coefficient.p).bit_length() + coefficient.q.bit_length() > _MAX_NUMBER_BITS):
            raise self.refuse(f"a number in the expression has more than {MAX_NUMBER_DIGITS} digits")
        return result

    def number(self, value: object) -> sympy.Expr:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(f"literal {value!r} is not a number")
        if isinstance(value, int):
            return sympy.Integer(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise self.refuse(f"literal {value!r} is not a finite number")
        return sympy.Rational(repr(value))

    def name(self, identifier: str) -> sympy.Expr:
        if identifier in self.symbols:
            return self.symbols[identifier]
        if identifier in ALLOWED_CONSTANTS:
            return ALLOWED_CONSTANTS[identifier]
        if identifier in ALLOWED_FUNCTIONS:
            raise self.refuse(f"function '{identifier}' used without arguments")
        raise self.refuse(f"unknown name '{identifier}' (a parameter must be declared, e.g. `parameters` {identifier}=VALUE)")

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.refuse("only calls of whitelisted functions by name are allowed")
        name = node.func.id
        if name not in ALLOWED_FUNCTIONS:
            raise self.refuse(f"function '{name}' is not allowed")
        if node.keywords:
            raise self.refuse(f"keyword arguments in '{name}(...)' are not allowed")
        if len(node.args) != 1:
            raise self.refuse(f"'{name}' takes exactly one argument, got {len(node.args)}")
        return ALLOWED_FUNCTIONS[name](self.build(node.args[0], depth + 1))


# --- conditions: comparisons joined by and / or / not -------------------------

#: Comparison operators a condition may use.
_COMPARISONS = {
    ast.Lt: sympy.StrictLessThan,
    ast.LtE: sympy.LessThan,
    ast.Gt: sympy.StrictGreaterThan,
    ast.GtE: sympy.GreaterThan,
}


def parse_condition(
    text: str,
    symbols: Mapping[str, sympy.Symbol] | Iterable[sympy.Symbol],
    *,
    what: str = "condition",
) -> sympy.Basic:
    """Parse a condition such as ``"x + y > 1"`` or ``"x**2 + y**2 < 0.25 and x > 0"``.

    The grammar is that of :func:`parse_expression` for the arithmetic, plus
    the comparisons ``< <= > >=`` (chains ``a < x < b`` are allowed), ``and``,
    ``or`` and ``not``.  Equality tests are refused: a set of measure zero is
    never hit by a simulated path.  Like expressions, conditions are walked
    node by node and never evaluated; the result is a SymPy Boolean.
    """
    symbols, tree = _syntax_tree(text, symbols, what=what, kind="condition")
    condition = _ConditionBuilder(symbols, what).condition(tree.body, depth=0)
    if condition in (sympy.true, sympy.false):
        raise ForbiddenExpression(f"{what}: {text!r} does not depend on the variables (it is always {condition})")
    return condition


class _ConditionBuilder(_Builder):
    """Builds a SymPy Boolean from comparisons joined by and / or / not."""

    def refuse(self, reason: str) -> ForbiddenExpression:
        allowed = ", ".join(sorted(self.symbols)) or "none"
        return ForbiddenExpression(
            f"{self.what}: {reason}; a condition compares arithmetic expressions of [{allowed}] "
            "with < <= > >= and joins comparisons with and, or, not"
        )

    def condition(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > MAX_DEPTH:
            raise self.refuse(f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(value, depth + 1) for value in node.values]
            return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sympy.Not(self.condition(node.operand, depth + 1))
        if isinstance(node, ast.Compare):
            operands = [self.build(node.left, depth + 1)] + [self.build(c, depth + 1) for c in node.comparators]
            relations = []
            for operator, left, right in zip(node.ops, operands, operands[1:]):
                if type(operator) not in _COMPARISONS:
                    symbol = {ast.Eq: "==", ast.NotEq: "!="}.get(type(operator), type(operator).__name__)
                    raise self.refuse(f"comparison '{symbol}' is not allowed (a path never hits a set of measure zero)")
                relations.append(_COMPARISONS[type(operator)](left, right))
            return sympy.And(*relations)
        raise self.refuse(f"'{type(node).__name__}' is not a comparison (write e.g. 'x > 1')")
