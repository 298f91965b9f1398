"""Stationary points: exact where SymPy solves U' = 0, numeric otherwise, with clear errors."""

import mpmath
import numpy as np
import pytest
import sympy

from theory import (
    DegenerateStationaryPoint, InvalidParameter, NoBarrierError, Potential, basin_minimum, escape_points,
)


def test_double_well_is_exact():
    points = escape_points(Potential.from_string("(x**2-1)**2"), -1, 1)
    assert points.minimum.exact and points.saddle.exact
    assert (points.minimum.location, points.saddle.location) == (-1, 0)
    assert (points.minimum.curvature, points.saddle.curvature) == (8, -4)
    assert points.barrier == 1


def test_start_anywhere_in_the_basin_finds_its_minimum():
    potential = Potential.from_string("(x**2-1)**2")
    for start in (-2.5, -1.3, -0.2):
        assert escape_points(potential, start, 1.5).minimum.location == -1
    assert escape_points(potential, 0.4, -1).minimum.location == 1


def test_symbolic_parameter_gives_closed_forms():
    potential = Potential.from_string("x**4/4 - a*x**2/2", parameters={"a": "0.7"})
    points = escape_points(potential, -1, 1)
    a = sympy.Symbol("a", real=True)
    assert points.minimum.location == -sympy.sqrt(a)
    assert points.saddle.location == 0
    assert sympy.simplify(points.barrier - a**2 / 4) == 0
    assert points.minimum.curvature == 2 * a and points.saddle.curvature == -a


def test_tilted_well_numeric_roots_agree_with_numpy():
    # U' = x^3 - x + 0.1: a cubic in the casus irreducibilis, so the roots stay numeric
    potential = Potential.from_string("x**4/4 - x**2/2 + x/10")
    points = escape_points(potential, -1, 1.2)
    roots = np.sort(np.roots([1, 0, -1, 0.1]).real)
    assert not points.minimum.exact
    assert float(points.minimum.location) == pytest.approx(roots[0], rel=1e-14)
    assert float(points.saddle.location) == pytest.approx(roots[1], rel=1e-14)
    # refined to 30 digits: U' vanishes there far below double precision
    with mpmath.workdps(40):
        assert abs(potential.mpmath_function(1)(mpmath.mpf(str(points.saddle.location)))) < 1e-25


def test_transcendental_landscape():
    potential = Potential.from_string("cos(x) + x**2/10")
    points = escape_points(potential, 3, -3)
    assert abs(float(points.saddle.location)) < 1e-25
    assert float(points.saddle.curvature) == pytest.approx(-0.8, abs=1e-25)
    # minimum: sin(x) = x/5
    assert float(sympy.sin(points.minimum.location) - points.minimum.location / 5) == pytest.approx(0, abs=1e-25)


def test_degenerate_extremum_is_an_error():
    with pytest.raises(DegenerateStationaryPoint, match="degenerate"):
        escape_points(Potential.from_string("x**4 - x**6/10"), 0.5, 3)


def test_no_barrier_is_an_error():
    potential = Potential.from_string("(x**2-1)**2")
    with pytest.raises(NoBarrierError, match="^target: no barrier") as error:
        escape_points(potential, -1, -0.5)
    assert error.value.parameter == "target"
    with pytest.raises(NoBarrierError, match="^target: no barrier") as error:
        escape_points(Potential.from_string("x**2"), 1, -3)
    assert error.value.parameter == "target"


def test_unbounded_below_is_an_error():
    with pytest.raises(NoBarrierError, match="^start: walking downhill.*unbounded below") as error:
        basin_minimum(Potential.from_string("-x**3"), 1)
    assert error.value.parameter == "start"


def test_start_on_a_maximum_is_an_error():
    with pytest.raises(InvalidParameter, match="^start: the start point 0 is a maximum") as error:
        basin_minimum(Potential.from_string("(x**2-1)**2"), 0)
    assert error.value.parameter == "start"
