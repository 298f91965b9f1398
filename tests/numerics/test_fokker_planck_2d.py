"""The 2-D Fokker-Planck oracle against one-dimensional exact results.

Independent references: for U(x, y) = U1(x) + k y^2/2 and an absorbing set that
depends on x only, the 2-D first-passage problem is the 1-D one in x exactly
(the y motion is independent and never absorbed), so the MFPT equals
theory.mean_first_passage_time of U1 with the same reflecting end, and the
survival under any T(t) equals the 1-D survival.  A rotation by 45 degrees
(absorbing half-plane x + y >= 0, oblique to the grid) checks the cut faces.
Tolerances are the measured convergence: the observed order on three grids
must be 2 +- 0.3 and the finest error within Roache's grid index
1.25 |f_2 - f_1| / (2^p - 1) (for the oblique boundary, whose cut fractions
change with h, the errors against the exact value must fall by 4 +- 1.3).
"""

import math

import numpy as np
import pytest
import sympy

from numerics import absorbing_set_from_condition, fokker_planck_survival, richardson
from numerics._fokker_planck_2d import (
    fokker_planck_2d_eigenvalues, fokker_planck_2d_mfpt, fokker_planck_2d_survival, tensor_grid,
)
from theory import EscapeProblem, InvalidParameter, Potential, mean_first_passage_time, parse_schedule

SEPARABLE = Potential.from_string("(x**2-1)**2 + y**2", variables=["x", "y"])
ROTATED = Potential.from_string("((x+y)**2/2-1)**2 + (x-y)**2/2", variables=["x", "y"])
QUARTIC = Potential.from_string("(x**2-1)**2")


def _half_plane(potential, text):
    return absorbing_set_from_condition(text, potential.variables)


def _problem(potential, start, absorbing, temperature):
    return EscapeProblem(potential, start, absorbing, temperature)


def _ladder_covers(values, exact):
    order, _, error = richardson(*values)
    assert 1.7 < order < 2.3, values
    assert abs(values[-1] - exact) <= 1.25 * error, (values, exact)
    return order


def test_separable_mfpt_equals_the_exact_one_dimensional_mfpt_at_second_order():
    problem = _problem(SEPARABLE, (-1, 0), _half_plane(SEPARABLE, "x >= 0"), 0.2)
    box = tensor_grid(problem).box
    exact = float(mean_first_passage_time(QUARTIC, -1, 0, 0.2, reflect=box[0][0]).value)
    values = [fokker_planck_2d_mfpt(problem, box=box, cells=n) for n in (32, 64, 128)]
    _ladder_covers(values, exact)


def test_oblique_half_plane_is_second_order_through_the_cut_faces():
    problem = _problem(ROTATED, (-1 / math.sqrt(2), -1 / math.sqrt(2)), _half_plane(ROTATED, "x + y >= 0"), 0.25)
    exact = float(mean_first_passage_time(QUARTIC, -1, 0, 0.25).value)  # the box walls are 30 T up: e^-30
    errors = [fokker_planck_2d_mfpt(problem, cells=n) - exact for n in (32, 64, 128)]
    # the cut fractions change with h, so the error is not a clean C h^2 (measured: 0.128, 0.0285, 0.0072):
    # each halving must still divide it by 4 +- 1.3 (order 2 +- 0.5), and the finest is 2e-4 relative
    assert all(1.5 < math.log2(a / b) < 2.5 for a, b in zip(errors, errors[1:])), errors
    assert abs(errors[-1]) < 3e-4 * exact


def test_lowest_eigenvalue_is_the_inverse_mfpt_at_high_barrier():
    # T = dU/10: lambda_1 tau = 1 up to the relaxation term (lambda_1/lambda_2) ln(lambda_2/lambda_1)
    problem = _problem(SEPARABLE, (-1, 0), _half_plane(SEPARABLE, "x >= 0"), 0.1)
    lowest, second = fokker_planck_2d_eigenvalues(problem, cells=64, count=2)
    mfpt = fokker_planck_2d_mfpt(problem, cells=64)
    assert lowest * mfpt == pytest.approx(1, abs=lowest / second * math.log(second / lowest))
    assert second == pytest.approx(min(8.0, 2.0), rel=0.05)  # well curvature 8 in x, 2 in y: the y mode


def test_survival_under_a_spike_equals_the_one_dimensional_survival():
    temperature = parse_schedule("spike:A=0.2,t0=6,sigma=1", sympy.Rational(3, 20)).temperature
    problem = _problem(SEPARABLE, (-1, 0), _half_plane(SEPARABLE, "x >= 0"), temperature)
    curves = [fokker_planck_2d_survival(problem, horizon=12, cells=n, steps=200, outputs=4) for n in (16, 32)]
    reference = fokker_planck_survival(_problem(QUARTIC, -1, 0, temperature), horizon=12, cells=2000, steps=200,
                                       outputs=4, reflect=curves[-1].grid.box[0][0])
    grid_error = np.max(np.abs(curves[1].survival - curves[0].survival))  # second order: bounds the finer grid's
    assert np.max(np.abs(curves[1].survival - reference.survival)) <= grid_error
    assert np.all(np.diff(curves[1].survival) <= 1e-15) and curves[1].survival[-1] < 0.9


def test_mass_is_conserved_and_positive_with_a_ball_condition():
    absorbing = absorbing_set_from_condition("(x-1)**2 + y**2 < 0.04", SEPARABLE.variables)
    curve = fokker_planck_2d_survival(_problem(SEPARABLE, (-1, 0), absorbing, 0.4), horizon=20, cells=32, steps=100,
                                      outputs=10)
    assert np.all(curve.survival <= 1) and np.all(np.diff(curve.survival) <= 1e-15)
    assert np.all(curve.hazard_rate[1:] > 0)


@pytest.mark.parametrize("arguments, fragment", [
    (dict(cells=4), "cells must be at least 8"),
    (dict(box=((0, -1), (-1, 1))), "x0 < x1"),
    (dict(box=((-0.5, 1), (-1, 1))), "outside the box"),
    (dict(box=((-3, -0.5), (-1, 1))), "no cell centre of the box lies in the absorbing set"),
])
def test_bad_input_names_the_parameter(arguments, fragment):
    options = dict(cells=16, box=None)
    options.update(arguments)
    with pytest.raises(InvalidParameter, match=fragment):
        tensor_grid(_problem(SEPARABLE, (-1, 0), _half_plane(SEPARABLE, "x >= 0"), 0.2), **options)


@pytest.mark.parametrize("start, fragment", [
    ((1, 0), "already contains the start"),
    ((-1,), "start must have 2 finite coordinates"),
])
def test_a_bad_start_is_refused_by_the_problem(start, fragment):
    with pytest.raises(InvalidParameter, match=fragment):
        _problem(SEPARABLE, start, _half_plane(SEPARABLE, "x >= 0"), 0.2)
