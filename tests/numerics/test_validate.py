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
