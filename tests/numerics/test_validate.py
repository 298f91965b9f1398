"""A run whose arrays would not fit in memory is refused before it starts, naming what it needs."""

import pytest

from numerics import langevin_first_passage
from numerics._validate import available_memory, check_memory, ensemble_bytes
from theory import EscapeProblem, InvalidParameter, Potential


def test_the_estimate_counts_the_kernel_arrays_twice():
    # exit time 8 + outcome 1 + step count 8 + state 8 per coordinate, chunks and merged sample alive together
    assert ensemble_bytes(1000, 1) == 2 * 1000 * 25
    assert ensemble_bytes(10, 4) == 2 * 10 * (17 + 32)


def test_check_memory_names_the_parameter_and_the_memory():
    check_memory("trajectories", 10, 500, available=1000)
    with pytest.raises(InvalidParameter, match=r"trajectories = 10\*\*9 needs about 4.66 GiB of memory .* the "
                                               r"1 GiB available; lower trajectories"):
        check_memory("trajectories", "10**9", 5 * 10**9, available=2**30)


def test_available_memory_is_a_positive_byte_count():
    assert available_memory() > 2**20


def test_an_ensemble_too_large_for_memory_is_refused_before_compiling():
    problem = EscapeProblem(Potential.from_string("(x**2-1)**2"), -1.0, 1.0, 0.5)
    with pytest.raises(InvalidParameter, match=r"trajectories = 100000000000000 needs about .* PiB"):
        langevin_first_passage(problem, dt=0.01, trajectories=10**14, seed=1)


def test_reals_are_numbers_or_constant_expressions_parsed_never_evaluated():
    """One check for every oracle's real parameters: numbers, NumPy scalars, SymPy constants and their text."""
    import numpy as np
    import sympy

    from numerics._validate import finite_real, positive_real

    assert finite_real("reflect", -1) == -1.0 and finite_real("reflect", np.float32(0.5)) == 0.5
    assert finite_real("reflect", "-6/5") == -1.2 and positive_real("horizon", sympy.pi / 4) == float(sympy.pi / 4)
    for value, message in ((True, "reflect must be a real number"), ("x + 1", "reflect must be a real number"),
                           (float("inf"), "reflect must be finite"), ("1/0", "reflect must be")):
        with pytest.raises(InvalidParameter, match=message):
            finite_real("reflect", value)
    with pytest.raises(InvalidParameter, match="horizon must be positive and finite"):
        positive_real("horizon", "-1/2")
    with pytest.raises(InvalidParameter):
        finite_real("reflect", "__import__('os').system('true')")
