"""Conditions: comparisons joined by and / or / not, parsed without eval."""

from __future__ import annotations

import pytest
import sympy

from theory import ForbiddenExpression, parse_condition

x, y = sympy.symbols("x y", real=True)
NAMES = {"x": x, "y": y}


def test_comparisons_and_connectives_become_sympy_booleans():
    assert parse_condition("x + y > 1", NAMES) == sympy.StrictGreaterThan(x + y, 1)
    assert parse_condition("x >= 0.5", NAMES) == sympy.GreaterThan(x, sympy.Rational(1, 2))
    condition = parse_condition("x**2 + y^2 <= 1/4 and not y < 0 or x > 2", NAMES)
    expected = sympy.Or(sympy.And(x**2 + y**2 <= sympy.Rational(1, 4), sympy.Not(y < 0)), x > 2)
    assert condition == expected
    assert parse_condition("-1 < x < 1", NAMES) == sympy.And(sympy.StrictLessThan(-1, x), x < 1)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("x == 1", "'=='"),
        ("x != 1", "'!='"),
        ("x + 1", "not a comparison"),
        ("__import__('os').system('true') > 0", "whitelisted"),
        ("x.real > 0", "attribute"),
        ("z > 0", "unknown name 'z'"),
        ("x in y", "'In'"),
        ("1 > 0", "always"),
        ("", "empty"),
        ("x >", "cannot parse"),
    ],
)
def test_everything_else_is_refused(text, fragment):
    with pytest.raises(ForbiddenExpression, match=fragment):
        parse_condition(text, NAMES, what="--absorb")
