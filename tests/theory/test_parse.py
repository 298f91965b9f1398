"""The expression parser builds SymPy objects from arithmetic and refuses everything else."""

import pytest
import sympy

from theory import ForbiddenExpression, parse_expression

x, a = sympy.symbols("x a", real=True)
NAMES = {"x": x, "a": a}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(x**2-1)**2", (x**2 - 1) ** 2),
        ("x^4/4 - a*x^2/2", x**4 / 4 - a * x**2 / 2),
        ("0.7*x", sympy.Rational(7, 10) * x),
        ("exp(-x) + log(2) + sqrt(x**2+1) + tanh(x) + cosh(x)", sympy.exp(-x) + sympy.log(2) + sympy.sqrt(x**2 + 1)
         + sympy.tanh(x) + sympy.cosh(x)),
        ("pi*E*x", sympy.pi * sympy.E * x),
        ("-x + +a", -x + a),
        ("1e-3*x", sympy.Rational(1, 1000) * x),
    ],
)
def test_arithmetic_is_parsed_exactly(text, expected):
    assert parse_expression(text, NAMES) - expected == 0


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os').system('touch /tmp/kramers-pwned')", "whitelisted"),
        ("x.real", "attribute"),
        ("(lambda: 0)()", "whitelisted"),
        ("lambda: 0", "Lambda"),
        ("y + 1", "unknown name 'y'"),
        ("exp(x, 2)", "exactly one argument"),
        ("exp(x=1)", "keyword"),
        ("x[0]", "Subscript"),
        ("[x for x in ()]", "ListComp"),
        ("'text'", "not a number"),
        ("True", "not a number"),
        ("x if x else 1", "IfExp"),
        ("x == 1", "Compare"),
        ("x % 2", "BinOp"),
        ("9**9**9", "exponent"),
        ("", "empty"),
        ("x +", "cannot parse"),
        ("exp", "without arguments"),
        ("eval('1')", "not allowed"),
        ("x " * 3000, "longer"),
        ("sin(" * 80 + "x" + ")" * 80, "nesting"),
        ("1/0", "division by zero"),
        ("x\x00", "cannot parse"),
    ],
)
def test_everything_else_is_refused(text, fragment, tmp_path):
    with pytest.raises(ForbiddenExpression, match=None) as error:
        parse_expression(text, NAMES, what="--potential")
    message = str(error.value)
    assert message.startswith("--potential")
    assert fragment in message
    assert "\n" not in message


def test_refusal_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ForbiddenExpression):
        parse_expression(f"__import__('os').system('touch {marker}')", NAMES)
    assert not marker.exists()
