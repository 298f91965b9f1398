"""Compositional sparse parity (numerics._skill_networks): the labels realise the gated structures exactly."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numerics import COMPOSITIONAL_STRUCTURES  # noqa: E402
from numerics._skill_networks import _parity_data, compositional_parity_experiment, parity_tasks  # noqa: E402


def _labels(structure, points=4000, seed=3):
    spec = COMPOSITIONAL_STRUCTURES[structure]
    tasks = parity_tasks(spec["prerequisites"], len(spec["frequencies"]))
    x, y = _parity_data(torch, tasks, 16, points, torch.Generator().manual_seed(seed))
    return tasks, x.numpy().astype(int), y.numpy().astype(int)


def test_chain_links_add_one_bit_and_and_composites_xor_their_parents():
    _, x, y = _labels("chain")
    assert np.array_equal(y[:, 0], x[:, 0] ^ x[:, 1])
    assert np.array_equal(y[:, 1], y[:, 0] ^ x[:, 2]) and np.array_equal(y[:, 2], y[:, 1] ^ x[:, 3])
    _, x, y = _labels("and-tree")
    assert np.array_equal(y[:, 4], y[:, 0] ^ y[:, 1]) and np.array_equal(y[:, 6], y[:, 4] ^ y[:, 5])
    assert np.array_equal(y[:, 6], np.bitwise_xor.reduce(x[:, :8], axis=1))  # the 8-bit parity


def test_or_composites_are_one_bit_from_either_parent_and_the_tie_bit_looks_uniform():
    tasks, x, y = _labels("and-or-tree")
    assert np.array_equal(y[:, 5], y[:, 2] ^ x[:, 8]) and np.array_equal(y[:, 5], y[:, 3] ^ x[:, 9])  # X3 OR X4
    assert np.array_equal(y[:, 6], y[:, 4] ^ x[:, 10]) and np.array_equal(y[:, 6], y[:, 5] ^ x[:, 11])  # X5 OR X6
    # a tie is a relation of order |S_a| + |S_b| + 2 = 6 (X6) and 9 (X7): the tie bits are fair coins, and
    # uncorrelated with each single bit; 4000 points, 4 standard errors of 1/(2 sqrt(4000)) = 0.032
    for bit in (9, 11):
        assert abs(x[:, bit].mean() - 0.5) < 0.032
        assert np.all(np.abs((x[:, bit, None] ^ x[:, :8]).mean(axis=0) - 0.5) < 0.032)
    assert tasks[5].support == {4, 5, 8}


def test_parity_experiment_is_reproducible_and_independent_of_the_batch():
    spec = COMPOSITIONAL_STRUCTURES["chain"]
    options = {"steps": 30, "batch": 64, "hidden": (8,), "seed": 5}
    two = compositional_parity_experiment(spec["frequencies"], spec["prerequisites"], runs=2, **options)
    again = compositional_parity_experiment(spec["frequencies"], spec["prerequisites"], runs=2, **options)
    assert np.array_equal(two.levels, again.levels)
    one = compositional_parity_experiment(spec["frequencies"], spec["prerequisites"], runs=1, **options)
    assert np.allclose(one.levels[0], two.levels[0], atol=2 / 64 + 1e-6)  # one point of rounding at most
    assert two.levels.shape == (2, 4, 3) and np.all(np.abs(two.levels) <= 1)


def test_a_prerequisite_must_be_an_earlier_skill():
    from theory._errors import InvalidParameter

    with pytest.raises(InvalidParameter, match="prerequisites of skill 0"):
        parity_tasks({0: (1,)}, 2)
