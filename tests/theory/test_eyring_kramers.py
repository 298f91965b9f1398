"""Eyring-Kramers in d dimensions: against 1-D Kramers, a hand-computed coupled case, and bad landscapes."""

import math

import pytest
import sympy

from theory import (
    DegenerateStationaryPoint, InvalidParameter, Potential, eyring_kramers_escape, eyring_kramers_rate,
    kramers_escape, symbols as s,
)


def test_general_formula_is_the_langer_rate():
    from theory._eyring_kramers import det_minimum, det_saddle, lambda_1

    written = lambda_1 / (2 * sympy.pi * s.gamma) * sympy.sqrt(det_minimum / det_saddle) * sympy.exp(-s.DeltaU / s.T)
    assert sympy.simplify(eyring_kramers_rate().expression - written) == 0


def test_one_dimensional_specialisation_is_kramers_symbolically():
    # d = 1: lambda_1 = |U''(b)|, det H(x*) = U''(a), |det H(z)| = |U''(b)|
    from theory import kramers_rate
    from theory._eyring_kramers import det_minimum, det_saddle, lambda_1

    special = eyring_kramers_rate().expression.subs({lambda_1: s.kappa_b, det_minimum: s.kappa_a, det_saddle: s.kappa_b})
    assert sympy.simplify(special - kramers_rate().expression) == 0


@pytest.mark.parametrize("text, start, target", [
    ("(x**2-1)**2", -1, 1),
    ("x**4/4 - a*x**2/2", -1, 1),
])
def test_one_dimension_agrees_exactly_with_kramers(text, start, target):
    parameters = {"a": "7/10"} if "a" in text else {}
    potential = Potential.from_string(text, parameters=parameters)
    difference = eyring_kramers_escape(potential, start, target).rate.expression - \
        kramers_escape(potential, start, target).rate.expression
    assert sympy.simplify(difference) == 0


def test_one_dimension_numeric_points_agree_to_their_precision():
    potential = Potential.from_string("x**4/4 - x**2/2 + x/10")  # a cubic U' without rational roots: 30-digit points
    values = {s.T: sympy.Rational(1, 10), s.gamma: 1}
    ours = eyring_kramers_escape(potential, -1, "1.2").rate.expression.subs(values)
    theirs = kramers_escape(potential, -1, "1.2").rate.expression.subs(values)
    assert abs(float((ours - theirs) / theirs)) < 1e-25


def test_separable_landscape_reduces_to_the_one_dimensional_rate():
    separable = eyring_kramers_escape(Potential.from_string("(x**2-1)**2 + y**2/2 + 3*z**2", "x,y,z"),
                                      (-1, 0, 0), (1, 0, 0), saddle=(0, 0, 0))
    one = kramers_escape(Potential.from_string("(x**2-1)**2"), -1, 1)
    assert separable.exact
    assert sympy.simplify(separable.rate.expression - one.rate.expression) == 0


def test_coupled_quadratic_plus_quartic_matches_the_hand_computation():
    # U = (x^2-1)^2 + y^2/2 + c x y.  By hand: y = -c x at stationary points, so
    # 4x(x^2-1) - c^2 x = 0: saddle (0, 0), minimum x^2 = 1 + c^2/4; U_min = -c^2/2 - c^4/16;
    # H(z) = [[-4, c], [c, 1]]: det -4 - c^2, eigenvalue (-3 - sqrt(25 + 4c^2))/2;
    # H(x*) = [[8 + 3c^2, c], [c, 1]]: det 8 + 2c^2.
    c = sympy.Rational(3, 10)
    theory = eyring_kramers_escape(Potential.from_string("(x**2-1)**2 + y**2/2 + 3/10*x*y", "x,y"), (-1, 0), (1, 0),
                                   saddle=(0, 0))
    assert theory.exact
    assert sympy.simplify(theory.barrier - (1 + c**2 / 2 + c**4 / 16)) == 0
    assert sympy.simplify(theory.minimum.determinant - (8 + 2 * c**2)) == 0
    assert sympy.simplify(theory.saddle.determinant + 4 + c**2) == 0
    assert sympy.simplify(theory.saddle.negative_eigenvalue + (3 + sympy.sqrt(25 + 4 * c**2)) / 2) == 0
    temperature, cf = 0.2, 0.3
    hand = ((3 + math.sqrt(25 + 4 * cf**2)) / 2 / (2 * math.pi) * math.sqrt((8 + 2 * cf**2) / (4 + cf**2))
            * math.exp(-(1 + cf**2 / 2 + cf**4 / 16) / temperature))
    assert theory.numbers(temperature)["rate"] == pytest.approx(hand, rel=1e-13)


def test_numeric_landscape_without_closed_form():
    # a cos coupling: SymPy cannot solve grad U = 0; Newton still finds the index-1 saddle
    potential = Potential.from_string("(x**2-1)**2 + y**2/2 + cos(x*y)/10", "x,y")
    theory = eyring_kramers_escape(potential, (-1, 0), (1, 0), saddle=(0, 0))
    assert not theory.exact
    numbers = theory.numbers(0.1)
    assert numbers["negative_eigenvalue"] < 0
    eigen = sorted(__import__("numpy").linalg.eigvalsh(numbers["hessian_saddle"]))
    assert eigen[0] == pytest.approx(numbers["negative_eigenvalue"], rel=1e-12) and eigen[1] > 0


def test_saddle_of_wrong_index_is_refused_with_its_index():
    potential = Potential.from_string("(x**2-1)**2 + (y**2-1)**2", "x,y")
    with pytest.raises(InvalidParameter, match="index 2"):
        eyring_kramers_escape(potential, (-1, -1), (1, 1), saddle=(0, 0))


def test_start_at_a_saddle_is_refused():
    potential = Potential.from_string("(x**2-1)**2 + y**2", "x,y")
    with pytest.raises(InvalidParameter, match="^start: .*saddle of index 1.*a minimum is needed") as error:
        eyring_kramers_escape(potential, (0, 0), (1, 0), saddle=(0, 0))
    assert error.value.parameter == "start"


def test_singular_hessian_is_refused():
    potential = Potential.from_string("(x**2-1)**2 + y**4", "x,y")
    with pytest.raises(DegenerateStationaryPoint, match="singular"):
        eyring_kramers_escape(potential, (-1, 0), (1, 0), saddle=(0, 0))


def test_symbolic_parameter_stays_symbolic_and_picks_the_negative_eigenvalue():
    # saddle Hessian diag(-4a, 1/5): with a = 1/100 the unstable direction is the small one
    potential = Potential.from_string("a*(x**2-1)**2 + y**2/10", "x,y", parameters={"a": "1/100"})
    theory = eyring_kramers_escape(potential, (-1, 0), (1, 0), saddle=(0, 0))
    a = next(iter(potential.parameters))
    assert theory.exact and sympy.simplify(theory.saddle.negative_eigenvalue + 4 * a) == 0
    assert sympy.simplify(theory.rate.expression - 2 * sympy.sqrt(2) * a * sympy.exp(-a / s.T) / (sympy.pi * s.gamma)) == 0
