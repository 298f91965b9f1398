"""The chain of hops: the derived two-hop formula, the linear backward equation, the birth-death sum."""

import pytest
import sympy

from theory import InvalidParameter, chain_escape_time, chain_mean_first_passage_time
from theory._chain import k_AC, k_CA, k_CB


def test_two_hop_formula_is_the_stated_one():
    stated = (k_CA + k_CB) / (k_AC * k_CB) + 1 / k_CB
    assert sympy.simplify(chain_escape_time().expression - stated) == 0


def test_the_sum_matches_the_two_hop_formula_and_one_hop_is_kramers():
    assert float(chain_mean_first_passage_time([0.3], [7.0])) == pytest.approx(1 / 0.3, rel=1e-15)
    value = chain_mean_first_passage_time([0.01, 2.0], [5.0, 0.1])
    assert float(value) == pytest.approx((5.0 + 2.0) / (0.01 * 2.0) + 1 / 2.0, rel=1e-14)


def test_three_hops_by_hand():
    # tau_0 = 1/a0 + (1/a1)(1 + b0/a0 ... ): birth-death sum with k^+ = (1, 2, 4), k^- = (3, 5)
    up, down = [1.0, 2.0, 4.0], [3.0, 5.0, 99.0]
    by_hand = 1 / 1 + (1 / 2 + (1 / 1) * 3 / 2) + (1 / 4 + (1 / 2) * 5 / 4 + (1 / 1) * (3 / 2) * (5 / 4))
    assert float(chain_mean_first_passage_time(up, down)) == pytest.approx(by_hand, rel=1e-14)


def test_rates_a_hundred_decades_apart_keep_their_digits():
    # the sum has no cancellation: tau = 1/k_AC (1 + k_CA/k_CB) + 1/k_CB even with k_AC = 1e-46
    value = chain_mean_first_passage_time([1e-46, 50.0], [2.0, 7.0])
    assert float(value) == pytest.approx(1e46 * (1 + 2.0 / 50.0) + 1 / 50.0, rel=1e-14)


@pytest.mark.parametrize("forward, backward", [([], []), ([1.0], [1.0, 2.0]), ([0.0, 1.0], [1.0, 1.0]),
                                               ([1.0, 1.0], [-1.0, 1.0])])
def test_bad_rates_are_refused(forward, backward):
    with pytest.raises(InvalidParameter, match="rates"):
        chain_mean_first_passage_time(forward, backward)
