"""Minimum-energy paths: saddles against hand derivations and published values, the old seed's failure, hops."""

import math

import numpy as np
import pytest
import sympy

from numerics import string_method, transition_path
from theory import InvalidParameter, NoBarrierError, Potential, critical_point, kramers_escape, symbols as s
from verify._checks_paths import BANANA, MULLER_BROWN, MULLER_BROWN_POINTS, TRIPLE_WELL, banana_by_hand


def segment_seed(potential, start, target, samples=400):
    """The old heuristic: the highest interior local maximum of U on the straight segment start -> target."""
    energy = sympy.lambdify(potential.variables, potential.numeric, modules="mpmath")
    a, b = np.array(start, dtype=float), np.array(target, dtype=float)
    points = [a + (b - a) * j / samples for j in range(samples + 1)]
    heights = [float(energy(*p)) for p in points]
    peaks = [j for j in range(1, samples) if heights[j - 1] <= heights[j] >= heights[j + 1]]
    return tuple(float(c) for c in points[max(peaks, key=lambda j: heights[j])])


def test_the_segment_seed_fails_on_the_bent_double_well_and_the_path_finds_the_saddle():
    potential = Potential.from_string(BANANA, "x,y")
    # the straight segment crosses the ring's centre, a maximum of U (index 2): Newton from there stays on it
    with pytest.raises(InvalidParameter, match="index 2"):
        critical_point(potential, segment_seed(potential, (-1, 0), (1, 0)), what="saddle", index=1)
    path = transition_path(potential, (-1, 0), (1, 0))
    hand = banana_by_hand(0.1)
    (saddle,) = path.numbers(0.1)["saddles"]
    assert saddle["point"] == [0.0, pytest.approx(hand["saddle_y"], rel=1e-14)]
    assert saddle["negative_eigenvalue"] == pytest.approx(hand["negative_eigenvalue"], rel=1e-13)
    assert path.numbers(0.1)["hops"][0]["rate"] == pytest.approx(hand["rate"], rel=1e-12)
    assert path.escape_time(0.1) == pytest.approx(1 / hand["rate"], rel=1e-12)  # one hop: the chain is 1/k
    # the converged string leaves the segment: its highest image sits near the saddle, far above y = 0
    top = path.string.images[np.argmax(path.string.energies)]
    assert top[1] == pytest.approx(hand["saddle_y"], abs=0.05)


def test_mueller_brown_stationary_points_match_the_published_ones():
    path = transition_path(Potential.from_string(MULLER_BROWN, "x,y"), (-0.5, 1.5), (0.6, 0.0), exact=False)
    numbers = path.numbers()
    assert len(path.hops) == 2  # A -> C -> B through the shallow intermediate minimum
    for kind in ("minima", "saddles"):
        for found, (location, energy) in zip(numbers[kind], MULLER_BROWN_POINTS[kind], strict=True):
            assert found["point"] == pytest.approx(list(location), abs=5e-4)  # published to three decimals
            assert found["energy"] == pytest.approx(energy, abs=5e-3)  # and two
    assert all(z["negative_eigenvalue"] < 0 for z in numbers["saddles"])


def test_the_segment_seed_fails_on_mueller_brown_as_the_issue_reports():
    # the user's report: Newton from the top of the segment A -> B does not converge (the path bends round C)
    potential = Potential.from_string(MULLER_BROWN, "x,y")
    a, b = (-0.558223634633024, 1.441725841804669), (0.623499404930877, 0.028037758528686)
    with pytest.raises(InvalidParameter, match="did not converge"):
        critical_point(potential, segment_seed(potential, a, b), what="saddle", index=1, exact=False)


def test_intermediate_minimum_gives_two_hops_with_the_hand_derived_points():
    # V = 5 [x^2 (x^2-1)^2 + h (1-x^2)^2], h = 1/10: V' = 10 x (x^2-1)(3x^2 - 1 + 2h), so minima 0, +-1 and
    # saddles x^2 = (1 - 2h)/3 = 4/15; V(0) = 5h, V(saddle) = 5 (4/15)(11/15)^2 + 5 h (11/15)^2
    path = transition_path(Potential.from_string(TRIPLE_WELL, "x,y"), (-1, 0), (1, 0))
    numbers = path.numbers(0.1)
    assert [m["point"] for m in numbers["minima"]] == [[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]
    x_s = math.sqrt(4 / 15)
    assert [z["point"][0] for z in numbers["saddles"]] == [pytest.approx(-x_s, rel=1e-14), pytest.approx(x_s, rel=1e-14)]
    height = 5 * (4 / 15) * (11 / 15) ** 2 + 0.5 * (11 / 15) ** 2
    assert [h["barrier"] for h in numbers["hops"]] == [pytest.approx(height, rel=1e-14), pytest.approx(height - 0.5)]
    # the chain formula with the hop rates read back from the payload
    k_ac, k_cb = (h["rate"] for h in numbers["hops"])
    k_ca = numbers["hops"][0]["return_rate"]
    assert numbers["escape_time"] == pytest.approx((k_ca + k_cb) / (k_ac * k_cb) + 1 / k_cb, rel=1e-12)
    assert numbers["rate"] == pytest.approx(1 / numbers["escape_time"], rel=1e-15)


def test_separable_path_is_one_dimensional_kramers_exactly():
    path = transition_path(Potential.from_string("(x**2-1)**2 + y**2/2", "x,y"), (-1, 0), (1, 0))
    one = kramers_escape(Potential.from_string("(x**2-1)**2"), -1, 1)
    (hop,) = path.hops
    assert hop.forward.exact and sympy.simplify(hop.forward.rate.expression - one.rate.expression) == 0
    assert path.string.images[:, 1] == pytest.approx(0, abs=1e-12)


def test_one_variable_path_is_the_segment():
    potential = Potential.from_string("x**4/4 - x**2/2 + x/10")
    path = transition_path(potential, -1, "1.2")
    one = kramers_escape(potential, -1, "1.2")
    values = {s.T: sympy.Rational(1, 10), s.gamma: 1}
    ours = path.hops[0].forward.rate.expression.subs(values)
    assert abs(float((ours - one.rate.expression.subs(values)) / ours)) < 1e-25


def test_string_method_converges_to_the_curved_path():
    # from the unit circle the string relaxes into the ring's valley: perpendicular gradient small, the energy
    # rising to one maximum (at x = 0 by the landscape's x -> -x symmetry) and falling again
    potential = Potential.from_string(BANANA, "x,y")
    bent = np.array([[math.cos(t), math.sin(t)] for t in np.linspace(math.pi, 0, 31)])
    string = string_method(potential, (-1, 0), (1, 0), images=31, initial=bent)
    assert string.residual < 0.05
    top = int(np.argmax(string.energies))
    assert top == 15 and abs(string.images[top][0]) < 1e-12
    assert np.all(np.diff(string.energies[: top + 1]) > 0) and np.all(np.diff(string.energies[top:]) < 0)


@pytest.mark.parametrize("images", [2, 0, 2.5, True])
def test_too_few_images_are_refused(images):
    with pytest.raises(InvalidParameter, match="images"):
        transition_path(Potential.from_string(BANANA, "x,y"), (-1, 0), (1, 0), images=images)


def test_target_in_the_start_basin_is_no_barrier():
    with pytest.raises(NoBarrierError, match="^target: the target lies in the basin of the start") as error:
        transition_path(Potential.from_string("(x**2-1)**2 + y**2", "x,y"), (-1, 0), (-0.9, 0.1))
    assert error.value.parameter == "target"


def test_wrong_dimension_names_the_parameter():
    with pytest.raises(InvalidParameter, match="^target: expected 2 coordinates") as error:
        transition_path(Potential.from_string(BANANA, "x,y"), (-1, 0), (1,))
    assert error.value.parameter == "target"
