"""Every catalogued derivation's readable form is the same expression as the one it computes with."""

import pytest
import sympy

from theory import DERIVATIONS, derivation


def _same(left, right) -> bool:
    """Symbolic equality, cheapest proof first: identical, equal after expanding, or after moving
    constant factors out of integrals (``nu int e^{...} ds`` against ``int nu e^{...} ds``)."""
    difference = left - right
    if difference == 0 or sympy.expand(difference) == 0:
        return True
    pulled = difference.replace(lambda e: isinstance(e, sympy.Integral), _constants_out)
    if sympy.expand(pulled) == 0 or sympy.simplify(pulled) == 0:
        return True
    # ((1 - theta)^(1/r))^r = 1 - theta needs 1 - theta > 0, which the derivation's conditions state
    return sympy.simplify(sympy.powdenest(pulled, force=True)) == 0


def _constants_out(integral):
    """``c * Integral(f)`` for ``Integral(c * f)`` when ``c`` does not depend on the variables."""
    variables = {limit[0] for limit in integral.limits}
    constant, rest = integral.function.as_independent(*variables, as_Add=False)
    return constant * sympy.Integral(rest, *integral.limits)


@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_readable_form_is_the_expression(name):
    item = derivation(name)
    assert _same(item.readable_expanded(), item.expression), (
        f"{name}: readable {item.readable_expanded()} differs from {item.expression}")


def test_a_different_readable_form_is_caught():
    """The comparison can fail: a sign changed inside the plateau hazard is found."""
    item = derivation("plateau_hazard")
    nu, t_d, t_e = (next(s for s in item.symbols if s.name == n) for n in ("nu", "t_d", "t_e"))
    wrong = item.readable_expanded().subs(t_e, t_e + 2 * t_d)
    assert not _same(wrong, item.expression)
    assert _same(item.readable_expanded(), item.expression)
