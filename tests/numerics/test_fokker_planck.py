"""The Fokker-Planck oracle against closed forms and the exact MFPT quadrature.

Independent references: the Boltzmann density (zero flux), the method of
images for free diffusion with an absorbing wall, S(t) = erf((b - x0) /
sqrt(4 int_0^t T ds / gamma)) (also for time-dependent T, where only the
integrated diffusivity enters), the lowest Dirichlet-Neumann eigenvalue
D (pi / 2l)^2 of free diffusion on an interval of length l, and
numerics.exit_time_statistics.  Tolerances are the measured second-order
convergence: errors must fall by 4 +- 0.4 per halving of h (and dt), and the
finest error must be covered by Roache's grid index 1.25 |f_2 - f_1| / (2^p - 1).
"""

import math

import numpy as np
import pytest
import sympy
from scipy.special import erf

from numerics import (
    exit_time_statistics,
    fokker_planck_eigenvalues,
    fokker_planck_grid,
    fokker_planck_mfpt,
    fokker_planck_survival,
    richardson,
)
from numerics._fokker_planck import _fluxes
from numerics._fokker_planck_2d import (
    fokker_planck_2d_eigenvalues, fokker_planck_2d_mfpt, fokker_planck_2d_survival, tensor_grid,
)
from theory import EscapeProblem, HalfSpace, InvalidParameter, Interval, Potential, symbols

FREE = Potential.from_string("0", variables=["x"])
QUARTIC = Potential.from_string("(x**2-1)**2")


def _problem(potential, start, target, temperature):
    return EscapeProblem(potential, start=start, absorbing=target, temperature=temperature)


def _order(errors):
    return [math.log2(abs(a) / abs(b)) for a, b in zip(errors, errors[1:])]


def test_scharfetter_gummel_flux_vanishes_on_the_boltzmann_density():
    for temperature in (1.0, 0.1, 0.02):
        grid = fokker_planck_grid(_problem(QUARTIC, -1, 1, temperature), cells=300)
        forward, backward = _fluxes(grid, temperature, 1.0)
        boltzmann = np.exp(-(grid.potential - grid.potential.min()) / temperature)
        flux = forward * boltzmann[:-1] - backward * boltzmann[1:]
        scale = forward * boltzmann[:-1]
        assert np.all(forward > 0) and np.all(backward > 0)  # M-matrix: positivity for any Peclet number
        assert np.max(np.abs(flux) / scale) < 1e-12


def test_free_diffusion_survival_matches_the_method_of_images_at_second_order():
    # reflecting end 12 diffusion lengths away: its image contributes erfc(12) ~ 1e-64
    errors = []
    for cells, steps in ((400, 200), (800, 400), (1600, 800)):
        curve = fokker_planck_survival(_problem(FREE, 0, 1, 1.0), horizon=2.0, reflect=-12, cells=cells, steps=steps,
                                       outputs=100)
        exact = erf(1 / np.sqrt(4 * curve.times[1:]))
        errors.append(np.max(np.abs(curve.survival[1:] - exact)))
        assert np.all(np.diff(curve.survival) <= 1e-15) and curve.survival.min() >= 0
    assert all(1.8 < order < 2.2 for order in _order(errors)), errors


def test_time_dependent_temperature_enters_through_its_integral_for_free_diffusion():
    temperature = sympy.Rational(1, 2) + sympy.Rational(2, 5) * sympy.sin(3 * symbols.t)
    errors = []
    for cells, steps in ((400, 200), (800, 400), (1600, 800)):
        curve = fokker_planck_survival(_problem(FREE, 0, 1, temperature), horizon=2.0, reflect=-12, cells=cells,
                                       steps=steps, outputs=100)
        integral = curve.times / 2 + 0.4 * (1 - np.cos(3 * curve.times)) / 3
        errors.append(np.max(np.abs(curve.survival[1:] - erf(1 / np.sqrt(4 * integral[1:])))))
        assert curve.temperatures[-1] == pytest.approx(0.5 + 0.4 * math.sin(6.0))
    assert all(1.8 < order < 2.2 for order in _order(errors)), errors


def test_lowest_eigenvalue_of_free_diffusion_is_the_dirichlet_neumann_mode():
    exact = (math.pi / 4) ** 2  # D = 1, interval [-1, 1]: l = 2
    problem = _problem(FREE, 0, 1, 1.0)
    values = [fokker_planck_eigenvalues(problem, reflect=-1, cells=n)[0] for n in (200, 400, 800)]
    order, _, index = richardson(*values)
    assert 1.8 < order < 2.2
    assert abs(values[-1] - exact) <= 1.25 * index


def test_mfpt_converges_to_the_exact_quadrature_at_second_order():
    temperature = 0.5
    problem = _problem(QUARTIC, -1, 1, temperature)
    reflect = fokker_planck_grid(problem).reflect
    exact = exit_time_statistics(QUARTIC, -1, 1, temperature, reflect=reflect).mfpt
    values = [fokker_planck_mfpt(problem, reflect=reflect, cells=n) for n in (500, 1000, 2000)]
    order, _, index = richardson(*values)
    assert 1.8 < order < 2.2
    assert abs(values[-1] - exact) <= 1.25 * index


def test_mirrored_problem_gives_the_mirrored_answer():
    tilted = Potential.from_string("x**4/4 - x**2/2 + x/10")
    mirror = Potential.from_string("x**4/4 - x**2/2 - x/10")
    assert fokker_planck_mfpt(_problem(tilted, 1, -1, 0.3), cells=400) == pytest.approx(
        fokker_planck_mfpt(_problem(mirror, -1, 1, 0.3), cells=400), rel=1e-12)


def test_hazard_rate_settles_on_the_lowest_eigenvalue_at_constant_temperature():
    problem = _problem(QUARTIC, -1, 1, 0.5)
    rate = fokker_planck_eigenvalues(problem, cells=1000)[0]
    curve = fokker_planck_survival(problem, horizon=40.0, cells=1000, steps=4000, outputs=40)
    # after ~100 relaxation times the rest of the spectrum (lambda_2 = 3.4) is gone: e^{-3.4 * 20} ~ 1e-30
    late = curve.hazard_rate[curve.times > 20]
    assert np.max(np.abs(late / rate - 1)) < 1e-6
    assert curve.hazard[-1] == pytest.approx(-math.log(curve.survival[-1]))


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(temperature=sympy.Rational(1, 2) - symbols.t), "must be positive and finite, but T"),
        (dict(horizon=0), "horizon"),
        (dict(cells=3), "cells"),
    ],
)
def test_bad_input_is_refused_with_the_parameter_named(arguments, message):
    call = {"temperature": 0.5, "horizon": 1.0, **arguments}
    problem = _problem(QUARTIC, -1, 1, call.pop("temperature"))
    with pytest.raises(InvalidParameter, match=message):
        fokker_planck_survival(problem, **call)


@pytest.mark.parametrize(
    "arguments, parameter, message",
    [
        (dict(temperature=-1.0), "temperature", "temperature must be positive"),
        (dict(temperature=symbols.t - 1), "temperature", "positive at t = 0"),
        (dict(temperature=sympy.Symbol("s") + 1), "temperature", "only the time t"),
        (dict(target=-1), "absorbing", "is the start"),
    ],
)
def test_a_bad_problem_is_refused_before_any_solve(arguments, parameter, message):
    call = {"potential": QUARTIC, "start": -1, "target": 1, "temperature": 0.5, **arguments}
    with pytest.raises(InvalidParameter, match=message) as error:
        _problem(**call)
    assert error.value.parameter == parameter


# --- the call: an EscapeProblem and keyword options, in one and two dimensions ---------------------

SEPARABLE = Potential.from_string("(x**2-1)**2 + y**2", variables=["x", "y"])
SOLVERS = {
    1: (fokker_planck_grid, fokker_planck_mfpt, fokker_planck_eigenvalues,
        lambda problem, **options: fokker_planck_survival(problem, horizon=1.0, **options)),
    2: (tensor_grid, fokker_planck_2d_mfpt, fokker_planck_2d_eigenvalues,
        lambda problem, **options: fokker_planck_2d_survival(problem, horizon=1.0, **options)),
}


def _overdamped(dimension, **fields):
    if dimension == 1:
        return EscapeProblem(QUARTIC, -1.0, 1.0, **{"temperature": 0.5, **fields})
    return EscapeProblem(SEPARABLE, (-1.0, 0.0), HalfSpace((1.0, 0.0), 0.0), **{"temperature": 0.5, **fields})


def _refusal(solver, argument, parameter, fragment, **options):
    """The solver refuses ``argument`` with a one-line InvalidParameter naming ``parameter``."""
    with pytest.raises(InvalidParameter, match=fragment) as error:
        solver(argument, cells=8, **options)
    assert error.value.parameter == parameter
    assert "\n" not in str(error.value) and str(error.value).startswith(parameter)


@pytest.mark.parametrize("dimension", [1, 2])
def test_every_solver_refuses_what_is_not_an_escape_problem(dimension):
    for solver in SOLVERS[dimension]:
        for argument in (QUARTIC, SEPARABLE, None, (-1.0, 1.0, 0.5)):
            _refusal(solver, argument, "problem", "problem must be a theory.EscapeProblem .* got ")


@pytest.mark.parametrize("dimension", [1, 2])
def test_every_solver_refuses_an_underdamped_problem(dimension):
    for solver in SOLVERS[dimension]:
        _refusal(solver, _overdamped(dimension, mass=1.0), "mass", "overdamped dynamics .*mass 1")


@pytest.mark.parametrize("dimension", [1, 2])
def test_a_problem_of_the_other_dimension_is_refused(dimension):
    for solver in SOLVERS[dimension]:
        _refusal(solver, _overdamped(3 - dimension), "potential", f"solver is {('one', 'two')[dimension - 1]}-dim")


def test_the_one_dimensional_solver_refuses_two_absorbing_ends():
    interval = EscapeProblem(QUARTIC, 0.0, Interval(-1.0, 1.0), 0.5)
    for solver in SOLVERS[1]:
        _refusal(solver, interval, "absorbing", "needs a half-line in one dimension")


@pytest.mark.parametrize("dimension", [1, 2])
def test_the_stationary_solves_refuse_a_schedule(dimension):
    grid, mfpt, eigenvalues, survival = SOLVERS[dimension]
    spike = _overdamped(dimension, temperature=sympy.Rational(1, 2) + sympy.exp(-symbols.t))
    for solver in (mfpt, eigenvalues):
        _refusal(solver, spike, "temperature", "need a constant temperature, the problem has the schedule")
    assert survival(spike, cells=16, steps=8).temperatures[0] == pytest.approx(1.5)
    assert grid(spike, cells=16).cells
