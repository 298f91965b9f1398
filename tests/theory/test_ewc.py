"""EWC barrier growth: the canonical closed form (docs/ewc.md), the series, N*, and bad inputs."""

import math

import pytest
import sympy

from theory import (
    InvalidParameter, KramersError, NoBarrierError, Potential, canonical_ewc, ewc_barrier, ewc_barrier_series, ewc_task,
    reduce_penalties, symbols as s,
)
from theory._ewc import N, fisher, lam

QUARTIC = Potential.from_string("(x**2-1)**2")
c = N * lam * fisher


def test_canonical_stationary_points_match_the_hand_formulas():
    ewc = canonical_ewc()
    escape = ewc.escape
    assert ewc.exact
    assert sympy.simplify(escape.saddle - (1 - sympy.sqrt(1 - c)) / 2) == 0
    assert escape.minimum == -1
    # the new-task minimum: the other root of U_N' = (s+1)(4 s^2 - 4 s + c)
    x = QUARTIC.variable
    derivative = sympy.diff(ewc.potential().expression, x)
    assert sympy.simplify(derivative.subs(x, (1 + sympy.sqrt(1 - c)) / 2)) == 0
    hand_barrier = ((escape.saddle**2 - 1) ** 2 + c / 2 * (escape.saddle + 1) ** 2)
    assert sympy.simplify(ewc.barrier - hand_barrier) == 0


def test_canonical_series_critical_count_and_slope():
    ewc = canonical_ewc()
    base, slope, curvature = ewc.series
    assert base == 1 and sympy.simplify(slope - lam * fisher / 2) == 0
    assert sympy.simplify(curvature - (lam * fisher) ** 2 / 8) == 0  # from d^2 dU/dc^2 = (s_b + 1) ds_b/dc = 1/4
    assert sympy.simplify(ewc.critical_tasks - 1 / (lam * fisher)) == 0
    # the series is the Taylor expansion of the exact closed form
    taylor = sympy.series(ewc.barrier, N, 0, 3).removeO()
    assert sympy.simplify(taylor - (base + slope * N + curvature * N**2)) == 0


def test_general_series_derivation_matches_the_canonical_case():
    series = ewc_barrier_series()
    values = {"DeltaU_0": 1, "q_a": 0, "q_b": sympy.Rational(1, 20), "g_a": 0, "g_b": sympy.Rational(1, 10),
              "kappa_a": 8, "kappa_b": 4, "N": 3}
    # canonical, lambda F = 1/10: q = (1/20)(s+1)^2, so q(-1) = 0, q(0) = 1/20, q'(-1) = 0, q'(0) = 1/10
    assert series.evaluate(values) == pytest.approx(1 + 3 / 20 + 9 / 800, rel=1e-15)


def test_plasticity_ratio_and_rate_in_the_canonical_case():
    ewc = canonical_ewc()
    values = {N: 4, lam: sympy.Rational(1, 10), fisher: 1, s.T: sympy.Rational(1, 4), s.gamma: 1}
    cc = 0.4
    saddle = (1 - math.sqrt(1 - cc)) / 2
    barrier = (saddle**2 - 1) ** 2 + cc / 2 * (saddle + 1) ** 2
    kappa_b = -(12 * saddle**2 - 4 + cc)
    kappa_a = 8 + cc
    rate = math.sqrt(kappa_a * kappa_b) / (2 * math.pi) * math.exp(-barrier / 0.25)
    rate0 = math.sqrt(32) / (2 * math.pi) * math.exp(-1 / 0.25)
    assert float(ewc.rate.expression.subs(values)) == pytest.approx(rate, rel=1e-13)
    assert float(ewc.plasticity_ratio.subs(values)) == pytest.approx(rate / rate0, rel=1e-13)
    assert float(ewc.plasticity_exponent.subs(values)) == pytest.approx(-(barrier - 1) / 0.25, rel=1e-13)


def test_past_the_critical_count_there_is_no_barrier():
    ewc = ewc_barrier(QUARTIC, -1, 1, tasks=12, strength="0.1", fisher_matrix=1, anchor=-1)
    with pytest.raises(NoBarrierError, match="N\\* = 10"):
        ewc.barrier
    numbers = ewc.numbers(0.25)
    assert numbers["barrier"] is None and numbers["rate"] is None and "merged" in numbers["reason"]
    # the reason names the parameter N = tasks and quotes the start-basin error with its parameter in backquotes
    assert numbers["reason"].startswith("tasks: no barrier") and "(`target`: no barrier" in numbers["reason"]
    assert numbers["critical_tasks"] == pytest.approx(10)


def test_numeric_landscape_tracks_the_points_and_finds_n_star():
    # an anchor off the minimum: U_N' is a cubic without a rational root, so the points are numeric
    potential = Potential.from_string("x**4/4 - x**2/2 + x/10")
    ewc = ewc_barrier(potential, -1, "1.2", tasks=1, strength="0.1", fisher_matrix=1, anchor="-0.9")
    numbers = ewc.numbers(0.1)
    assert numbers["barrier"] > numbers["barrier_zero"]
    star = numbers["critical_tasks"]
    below = ewc_barrier(potential, -1, "1.2", tasks=0.999 * star, strength="0.1", fisher_matrix=1, anchor="-0.9")
    assert below.numbers()["barrier"] > 0
    above = ewc_barrier(potential, -1, "1.2", tasks=1.001 * star, strength="0.1", fisher_matrix=1, anchor="-0.9")
    assert above.numbers()["barrier"] is None
    # independent: at N* the cubic U_N' has a double root, so its discriminant vanishes
    x = potential.variable
    cubic = sympy.Poly(sympy.diff(potential.expression, x) + N * sympy.Rational(1, 10) * (x + sympy.Rational(9, 10)), x)
    discriminant = sympy.discriminant(cubic)
    assert float(discriminant.subs(N, star)) == pytest.approx(0, abs=1e-10 * abs(float(sympy.diff(discriminant, N).subs(N, star))))


def test_reduction_of_several_tasks_in_two_dimensions():
    x, y = sympy.symbols("x y", real=True)
    tasks = [ewc_task([-1, 0], [[2, 1], [1, 1]], 2), ewc_task(["1/2", 1], [1, 3], 2), ewc_task([0, 0], 0, 2)]
    reduced = reduce_penalties(tasks, sympy.Rational(1, 3), (x, y))
    assert reduced.stiffness == sympy.Rational(1, 3) * sympy.Matrix([[3, 1], [1, 4]])
    direct = sum(sympy.Rational(1, 6) * ((sympy.Matrix([x, y]) - sympy.Matrix(t.anchor)).T * t.fisher
                                         * (sympy.Matrix([x, y]) - sympy.Matrix(t.anchor)))[0, 0] for t in tasks)
    assert sympy.expand(reduced.expression((x, y)) - direct) == 0


def test_tasks_list_gives_n_copies_of_the_average_task():
    ewc = ewc_barrier(QUARTIC, -1, 1, strength="0.1", task_list=[(-1, 1), (-1, 3)])
    assert ewc.tasks == 2
    # two tasks anchored at -1 with F = 1 and 3: as N = 2 copies of F = 2
    assert ewc.numbers()["barrier"] == pytest.approx(
        float(canonical_ewc().barrier.subs({N: 2, lam: sympy.Rational(1, 10), fisher: 2})), rel=1e-14)


@pytest.mark.parametrize("kwargs, message, parameter", [
    (dict(tasks=2, strength="-0.1", fisher_matrix=1, anchor=-1), "^strength .*lambda.* must be non-negative",
     "strength"),
    (dict(tasks=2, strength="x", fisher_matrix=1, anchor=-1), "^strength .*unknown name 'x'", "strength"),
    (dict(tasks=-1, strength="0.1", fisher_matrix=1, anchor=-1), "^tasks \\(N\\) must be non-negative", "tasks"),
    (dict(strength="0.1", fisher_matrix=1, anchor=-1), "^tasks \\(N\\): the number of consolidated tasks", "tasks"),
    (dict(tasks=2, strength="0.1", anchor=-1), "^anchor and `fisher_matrix`: both are needed", "anchor"),
    (dict(strength="0.1", task_list=[]), "^task_list: the list of tasks is empty", "task_list"),
    (dict(strength="0.1", task_list=[(-1, 1)], anchor=-1), "^task_list: give either", "task_list"),
    (dict(tasks=2, strength="0.1", fisher_matrix=-1, anchor=-1),
     "^task 1 \\(`anchor`, `fisher_matrix`\\): Fisher matrix.*not positive semi-definite", None),
    (dict(strength="0.1", task_list=[(-1, 1), (-1, -2)]), "^task 2.*not positive semi-definite", None),
])
def test_bad_inputs_are_refused(kwargs, message, parameter):
    """Errors name ewc_barrier's parameters (other parameters in backquotes), never command-line flags."""
    with pytest.raises(InvalidParameter, match=message) as error:
        ewc_barrier(QUARTIC, -1, 1, **kwargs)
    assert error.value.parameter == parameter


def test_reserved_names_and_a_landscape_without_barrier_name_the_parameter():
    with pytest.raises(InvalidParameter, match="^parameters: names \\['N'\\] are reserved") as error:
        ewc_barrier(Potential.from_string("(x**2-1)**2 + N*x", parameters={"N": 1}), -1, 1, tasks=1, strength="0.1",
                    fisher_matrix=1, anchor=-1)
    assert error.value.parameter == "parameters"
    ewc = ewc_barrier(Potential.from_string("x**2"), -1, 1, tasks=1, strength="0.1", fisher_matrix=1, anchor=-1)
    with pytest.raises(NoBarrierError, match="^potential: there is no barrier .* even at N = 0") as error:
        ewc.critical_tasks_value
    assert error.value.parameter == "potential"


def test_indefinite_and_asymmetric_fisher_matrices_are_refused():
    with pytest.raises(InvalidParameter, match="task 3: Fisher matrix \\[\\[1, 2\\], \\[2, 1\\]\\] is not positive"):
        ewc_task([0, 0], [[1, 2], [2, 1]], 2, name="task 3")
    with pytest.raises(InvalidParameter, match="not symmetric"):
        ewc_task([0, 0], [1, 2, 0, 1], 2)
    with pytest.raises(InvalidParameter, match="principal minor"):
        ewc_task([0, 0], [[0, 1], [1, 1]], 2)  # leading minor 0 >= 0, but det -1


def test_two_dimensions_need_a_saddle_seed_or_finder():
    potential = Potential.from_string("(x**2-1)**2 + y**2/2", "x,y")
    ewc = ewc_barrier(potential, (-1, 0), (1, 0), tasks=1, strength="0.1", fisher_matrix=[1, 2], anchor=(-1, 0))
    with pytest.raises(InvalidParameter, match="saddle"):
        ewc.critical_tasks_value


def test_continuation_from_a_fixed_seed_on_the_separable_landscape_reaches_the_hand_critical_count():
    # x sees the canonical case c = N lambda F_x: N* = 1/(lambda F_x) = 10; y only stiffens
    potential = Potential.from_string("(x**2-1)**2 + y**2/2", "x,y")
    ewc = ewc_barrier(potential, (-1, 0), (1, 0), tasks=4, strength="0.1", fisher_matrix=[1, 2], anchor=(-1, 0),
                      saddle=(0.1, 0.1))
    assert ewc.critical_tasks_value == pytest.approx(10, rel=1e-10)
    c = 0.4
    saddle = (1 - (1 - c) ** 0.5) / 2
    assert ewc.numbers()["barrier"] == pytest.approx((saddle**2 - 1) ** 2 + c / 2 * (saddle + 1) ** 2, rel=1e-12)


def test_a_fixed_seed_cannot_follow_the_path_when_it_changes_saddles():
    # on the ring with a coupled Fisher matrix the upper saddle meets the centre's maximum before N*; the
    # minimum-energy path moves below the ring, which only a finder (the path itself) can follow
    potential = Potential.from_string("(x**2 + y**2 - 1)**2 + y**2 - 3/10*y**3", "x,y")
    ewc = ewc_barrier(potential, (-1, 0), (1, 0), tasks=1, strength="0.1", fisher_matrix=[1, "1/2", "1/2", 1],
                      anchor=(-1, 0), saddle=(0, 0.83))
    with pytest.raises(KramersError, match="without meeting the new-task minimum"):
        ewc.critical_tasks_value
