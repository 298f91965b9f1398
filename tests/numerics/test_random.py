"""The counter-based generator: agreement with its specification, determinism, statistics.

Error budgets (N = 1e6 normals, fixed seed; each bound is a 5-sigma band, so a
correct generator fails one of them with probability below 1e-5):
mean: 5 / sqrt(N) = 5e-3; variance: 5 sqrt(2 / N) = 7.1e-3;
correlation of the two Box-Muller outputs of one word: 5 / sqrt(N/2) = 7.1e-3;
Kolmogorov-Smirnov: sqrt(N) D < 1.95 (the 0.1 % point of Kolmogorov's law).
The 6.66-sigma truncation moves the variance by about 1e-9, far inside these.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from numerics import _random

COUNT = 1_000_000


def test_mix64_is_splitmix64():
    # First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation):
    # next() = mix64(state += GOLDEN).
    golden = 0x9E3779B97F4A7C15
    expected = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert [_random.reference_mix64(golden * (k + 1)) for k in range(3)] == expected


@pytest.mark.parametrize("seed, trajectory", [(0, 0), (12345, 7), (2**63 - 1, 10**12)])
def test_compiled_streams_match_the_reference(seed, trajectory):
    normals = _random.normals(seed, trajectory, 11)
    reference = [z for m in range(6) for z in _random.reference_normal_pair(seed, trajectory, m)][:11]
    np.testing.assert_array_equal(normals, reference)
    uniforms = _random.uniforms(seed, trajectory, 5)
    np.testing.assert_array_equal(uniforms, [_random.reference_uniform(seed, trajectory, n) for n in range(5)])


def test_streams_are_deterministic_and_distinct():
    first = _random.normals(3, 5, 1000)
    np.testing.assert_array_equal(first, _random.normals(3, 5, 1000))
    assert not np.array_equal(first, _random.normals(3, 6, 1000))
    assert not np.array_equal(first, _random.normals(4, 5, 1000))
    # The uniform stream is not a transform of the normal stream's words.
    uniforms = _random.uniforms(3, 5, 1000)
    assert abs(np.corrcoef(uniforms, first)[0, 1]) < 5 / math.sqrt(1000)


def test_normals_statistics_within_budget():
    z = _random.normals(2024, 0, COUNT)
    assert abs(z.mean()) < 5 / math.sqrt(COUNT)
    assert abs(z.var() - 1.0) < 5 * math.sqrt(2 / COUNT)
    assert abs(np.corrcoef(z[0::2], z[1::2])[0, 1]) < 5 / math.sqrt(COUNT / 2)
    assert np.abs(z).max() <= _random.MAXIMUM_NORMAL
    statistic = stats.kstest(z, "norm").statistic
    assert math.sqrt(COUNT) * statistic < 1.95


def test_normals_across_trajectories_are_independent():
    # Step 0 of 20 000 trajectories: the per-trajectory keys must look random too.
    first_steps = np.array([_random.normals(99, i, 1)[0] for i in range(0, 20_000)])
    assert abs(first_steps.mean()) < 5 / math.sqrt(first_steps.size)
    assert math.sqrt(first_steps.size) * stats.kstest(first_steps, "norm").statistic < 1.95


def test_uniforms_statistics_within_budget():
    u = _random.uniforms(77, 3, COUNT)
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / COUNT)
    assert math.sqrt(COUNT) * stats.kstest(u, "uniform").statistic < 1.95


def test_polynomial_box_muller_is_libm_box_muller_to_a_few_ulps():
    """The libm-free log and sin/cos change each normal by < 1e-14 (statistical errors are >= 1e-4)."""
    pairs = 50_000
    compiled = _random.normals(31, 4, 2 * pairs)
    libm = np.array([z for m in range(pairs) for z in _random.reference_normal_pair_libm(31, 4, m)])
    assert np.max(np.abs(compiled - libm)) < 1e-14


@pytest.mark.parametrize("high", [0, 1, 2, 3, 1000, 2**31 - 2, 2**31 - 1, 2**31, 2**32 - 3, 2**32 - 2, 2**32 - 1])
def test_polynomial_log_at_the_ends_of_every_binade(high):
    module = _random._random_module()
    exact = math.log((high + 1) * 2.0**-32)
    assert abs(module.log_unit_interval(np.uint64(high)) - exact) <= 4e-16 * max(1.0, abs(exact))


@pytest.mark.parametrize("octant", range(8))
@pytest.mark.parametrize("offset", [0, 1, 2**28, 2**29 - 1])
def test_polynomial_sin_cos_across_octant_boundaries(octant, offset):
    module = _random._random_module()
    low = octant * 2**29 + offset
    sine, cosine = module.sin_cos_turn(np.uint64(low))
    angle = 2 * math.pi * low * 2.0**-32
    assert abs(sine - math.sin(angle)) < 1e-15 and abs(cosine - math.cos(angle)) < 1e-15  # 4.5 ulp at 1
