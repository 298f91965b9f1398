"""The mpmath reference quadrature of the mean first-passage time against the check values and closed forms."""

import mpmath
import pytest

from theory import InvalidParameter, Potential, exact_mfpt, mean_first_passage_time

QUARTIC = Potential.from_string("(x**2-1)**2")


@pytest.mark.parametrize(
    "temperature, target, check_value",
    [(0.5, 1, "10.25857006"), (0.25, 1, "69.26364476"), (0.5, 0, "4.60653961")],
)
def test_check_values_of_the_theory_brief(temperature, target, check_value):
    result = mean_first_passage_time(QUARTIC, -1, target, temperature, digits=12)
    assert str(result).startswith(check_value)
    assert result.digits == 12 and len(str(result).replace(".", "")) == 12


@pytest.mark.slow  # 25 s of mpmath; the fast path's 30 digits are tested in tests/numerics/test_quadrature.py
def test_requested_digits_are_stable_under_more_precision():
    low = mean_first_passage_time(QUARTIC, -1, 1, 0.5, digits=20)
    high = mean_first_passage_time(QUARTIC, -1, 1, 0.5, digits=30)
    assert abs(low.value - high.value) < mpmath.mpf(10) ** -18 * high.value


def test_mirror_image_gives_the_same_time():
    left = mean_first_passage_time(QUARTIC, -1, 1, 0.5, digits=12)
    right = mean_first_passage_time(QUARTIC, 1, -1, 0.5, digits=12)
    assert str(left) == str(right)


def test_free_diffusion_with_a_reflecting_wall():
    # U = 0, reflecting at L, absorbing at b: tau = ((b - L)^2 - (x0 - L)^2) / (2 D), D = T / gamma
    free = Potential.from_string("0*x")
    result = mean_first_passage_time(free, "0.5", 2, "0.3", friction=2, reflect=-1, digits=15)
    D = 0.3 / 2
    assert float(result.value) == pytest.approx(((2 + 1) ** 2 - (0.5 + 1) ** 2) / (2 * D), rel=1e-14)


def test_linear_drift_towards_the_target():
    # U = -F x, L = -inf is not confining: refused; with a reflecting wall the closed form is
    # tau = (b - x0)/v - (D/v^2) e^{-v (x0-L)/D} (1 - e^{-v (b-x0)/D}), v = F/gamma, D = T/gamma
    with pytest.raises(InvalidParameter, match="confine"):
        mean_first_passage_time(Potential.from_string("-x"), 0, 1, 0.5)
    F, T, x0, b, L = 1.0, 0.5, 0.0, 1.0, -0.5
    v, D = F, T
    closed = (b - x0) / v - (D / v**2) * mpmath.exp(-v * (x0 - L) / D) * (1 - mpmath.exp(-v * (b - x0) / D))
    result = mean_first_passage_time(Potential.from_string("-x"), x0, b, T, reflect=L, digits=15)
    assert float(result.value) == pytest.approx(float(closed), rel=1e-13)


def test_bad_inputs_name_the_parameter():
    """Library errors name the function's parameters (the command line maps them to flags)."""
    cases = [
        (dict(temperature=0), "temperature", "^temperature must be a positive finite number"),
        (dict(digits=0), "digits", "^digits must be an integer from 1 to 100"),
        (dict(target=-1), "target", "^target must differ from `start`"),
        (dict(reflect=2), "reflect", "^reflect must lie on the far side of `start` from `target`"),
    ]
    for change, parameter, message in cases:
        arguments = {"start": -1, "target": 1, "temperature": 0.5, **change}
        with pytest.raises(InvalidParameter, match=message) as error:
            mean_first_passage_time(QUARTIC, **arguments)
        assert error.value.parameter == parameter


def test_general_formula_is_a_symbolic_double_integral():
    derivation = exact_mfpt()
    assert derivation.expression.atoms(__import__("sympy").Integral)
    assert r"\int" in derivation.latex()
