"""The temperature of an EscapeProblem: a number, a T(t), or a Schedule kept with its structure.

Every oracle but the adiabatic engine reads ``problem.temperature`` (a float or
T(t)); the adiabatic engine reads ``problem.temperature_schedule`` (baseline and
pulses).  Built from a Schedule or from the same T(t), a problem must look the
same to the first group (same T(t), same description, so the same kernels and
fingerprints) and differ only in the structure the second one reads.
"""

import dataclasses

import pytest
import sympy

from theory import (
    Constant, EscapeProblem, ExpressionPulse, GaussianSpike, InvalidParameter, Plateau, Potential, parse_schedule,
    symbols,
)

QUARTIC = Potential.from_string("(x**2-1)**2")
t = symbols.t


def problem(temperature):
    return EscapeProblem(QUARTIC, -1, 1, temperature)


def test_a_schedule_is_its_temperature_for_the_oracles_and_keeps_its_structure():
    spike = parse_schedule("spike:A=0.2,t0=5,sigma=1", "0.1")
    by_hand = sympy.Rational(1, 10) + sympy.Rational(1, 5) * sympy.exp(-(t - 5) ** 2 / 2)
    given_schedule, given_expression = problem(spike), problem(by_hand)
    assert given_schedule.temperature == by_hand and given_schedule.schedule == by_hand
    assert given_schedule.constant_temperature is None
    assert given_schedule.temperature_text == given_expression.temperature_text == str(by_hand)
    assert given_schedule.describe() == given_expression.describe()  # same fingerprint, same kernels
    assert given_schedule.temperature_schedule == GaussianSpike("0.1", "0.2", 5, 1)
    assert given_expression.temperature_schedule is None  # a bare T(t) has no baseline
    assert given_schedule != given_expression


def test_a_constant_temperature_is_a_float_and_its_schedule_the_constant():
    for temperature in (0.3, Constant("0.3"), Constant(sympy.Rational(3, 10)), sympy.Rational(3, 10)):
        constant = problem(temperature)
        assert constant.temperature == 0.3 and isinstance(constant.temperature, float)
        assert constant.constant_temperature == 0.3 and constant.schedule is None
        assert constant.temperature_schedule == Constant(sympy.Rational(3, 10))
        assert constant == problem(0.3) and hash(constant) == hash(problem(0.3))
    exact = problem(Constant("1/7")).temperature_schedule.baseline
    assert exact == sympy.Rational(1, 7)  # the schedule keeps T0 exactly, the oracles get its double
    assert problem(Constant("1/7")).temperature == 1 / 7


def test_with_temperature_replaces_the_schedule_too():
    plateau = Plateau("0.1", "0.05", 2, 3)
    hot = problem(0.1).with_temperature(plateau)
    assert hot.temperature_schedule is plateau and hot.temperature == plateau.temperature
    cold = hot.with_temperature(0.2)
    assert cold.temperature == 0.2 and cold.temperature_schedule == Constant("0.2")
    assert hot.with_temperature(plateau.temperature).temperature_schedule is None


@pytest.mark.parametrize("temperature, message", [
    (ExpressionPulse("0.1", "-0.2 + t"), "positive at t = 0"),
    ("0.5", "a SymPy expression in t or a theory.Schedule"),
    (0.0, "temperature must be positive"),
])
def test_bad_temperatures_name_the_parameter(temperature, message):
    with pytest.raises(InvalidParameter, match=message) as error:
        problem(temperature)
    assert error.value.parameter == "temperature"


def test_a_problem_with_an_evaluated_schedule_pickles():
    """Ensembles ship the problem to worker processes; the schedule's cached lambdified T(t) stays behind."""
    import pickle

    schedule = parse_schedule("spike:A=0.2,t0=5,sigma=1+plateau:h=0.1,start=1,duration=2", "0.1")
    original = problem(schedule)
    schedule.check_positive(10)  # evaluates T(t) and caches the lambdified function
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original and copy.describe() == original.describe()
    assert copy.temperature_schedule.temperature_at(5) == schedule.temperature_at(5)


def test_dataclasses_replace_keeps_the_schedule_while_it_is_the_temperature():
    plateau = parse_schedule("plateau:h=0.2,start=1,duration=5", "0.1")
    hot = EscapeProblem(QUARTIC, -1, 1, plateau)
    heavy = dataclasses.replace(hot, mass=2.0)
    assert heavy.temperature_schedule is plateau and heavy.mass == 2.0
    cooled = dataclasses.replace(hot, temperature=0.3)  # the old schedule no longer describes T
    assert cooled.temperature == 0.3 and cooled.temperature_schedule == Constant(0.3)
    bare = EscapeProblem(QUARTIC, -1, 1, plateau.temperature, temperature_schedule=Constant("0.2"))
    assert bare.temperature_schedule is None  # a schedule that is not this T(t) is not taken
