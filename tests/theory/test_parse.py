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
        parse_expression(text, NAMES, what="potential")
    message = str(error.value)
    assert message.startswith("potential")
    assert fragment in message
    assert "\n" not in message


def test_refusal_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ForbiddenExpression):
        parse_expression(f"__import__('os').system('touch {marker}')", NAMES)
    assert not marker.exists()


# --- sizes: a harmless string must not ask for unbounded work -------------------------------------

@pytest.mark.parametrize(
    "text, fragment",
    [
        ("x**(10**100)", "the exponent 1000"),                   # hung in the root finder before
        ("x**101", "the exponent 101 of x"),
        ("x**(-101)", "the exponent -101 of x"),
        ("x**100.5", "the exponent 201/2 of x"),
        ("(x**10)**11", "the exponent 110 of x"),               # SymPy folds it into x**110
        ("exp(x)**(10**9)", "the exponent 1000000000 of exp(x)"),
        ("9**9**9", "numeric exponent 387420489"),
        ("(10**1000)**5", "more than 4000 digits"),              # refused before the power is computed
        ("x*" + "*".join(["10**999"] * 5), "more than 4000 digits"),
        ("(10**999*x)**5", "more than 4000 digits"),
        ("1e400*x", "not a finite number"),
    ],
)
def test_sizes_are_bounded(text, fragment):
    with pytest.raises(ForbiddenExpression, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        parse_expression(text, NAMES)


@pytest.mark.parametrize("text", ["x**100", "x**(-100)", "x**(1/3)", "2**x", "x**x", "exp(200*x)", "10**999*x",
                                  "(10**1000)**3"])
def test_modest_sizes_are_accepted(text):
    parse_expression(text, NAMES)


def test_a_parameter_value_cannot_smuggle_a_large_exponent():
    from theory import Potential

    assert Potential.from_string("x**a", parameters={"a": "100"}).numeric == x**100
    with pytest.raises(ForbiddenExpression, match="potential: the exponent 1000"):
        Potential.from_string("x**a", parameters={"a": "10**100"})


# --- as_expression: the one door from a value to SymPy ------------------------------------------------

def test_as_expression_converts_numbers_explicitly_and_parses_strings():
    import fractions

    import mpmath
    import numpy as np

    from theory import as_expression

    assert as_expression(x + 1) is not None and as_expression(x + 1) == x + 1
    assert as_expression(3) == 3 and isinstance(as_expression(np.int64(3)), sympy.Integer)
    assert as_expression(fractions.Fraction(1, 3)) == sympy.Rational(1, 3)
    assert as_expression(0.1) == sympy.Float(0.1)  # a float keeps its binary value, as SymPy's own conversion
    with mpmath.workdps(30):
        third = mpmath.mpf(1) / 3
        assert as_expression(third) == sympy.Float(third) and as_expression(third)._prec > 53
    assert as_expression("0.1 + x", NAMES) == sympy.Rational(1, 10) + x  # strings are parsed (exact decimals)
    for refused in (True, 1j, [1], object()):
        with pytest.raises(ForbiddenExpression, match="temperature: expected a SymPy expression"):
            as_expression(refused, what="temperature")
    with pytest.raises(ForbiddenExpression, match="unknown name 'y'"):
        as_expression("y", NAMES)
