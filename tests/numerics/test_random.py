"""The Philox4x32-10 streams: known answers, an independent implementation, the layout, statistics.

Error budgets (fixed seeds; each band is 5 standard errors, so a correct
generator fails one of them with probability below 1e-6 per statistic):

* N = 1e7 normals of one trajectory: mean 5 / sqrt(N) = 1.6e-3; variance
  5 sqrt(2 / N) = 2.2e-3; skewness 5 sqrt(6 / N) = 3.9e-3; excess kurtosis
  5 sqrt(24 / N) = 7.7e-3.  The 6.66-sigma truncation moves the variance by
  about 1e-9 and the fourth moment by 3e-7, far inside these.
* Anderson-Darling against the fully specified N(0, 1) (case 0 of Stephens
  1974): A^2 < 3.857, the asymptotic 1 % critical value (D'Agostino & Stephens
  1986, table 4.2); the truncation and the 32-bit grid of u1 shift A^2 by far
  less than 1 at this N.
* Correlations of two streams over N pairs of standard variables: the
  product moment z z' has standard error 1 / sqrt(N), and for squares
  (z^2 - 1)(z'^2 - 1) / 2 the same; bound 5 / sqrt(N).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from randomgen import Philox
from scipy import special, stats

from numerics import _random

# Random123, tests/kat_vectors (github.com/DEShawResearch/random123), the three
# "philox4x32 10" lines: counter (4 words), key (2 words), output (4 words).
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]

STREAMS = [(0, 0), (12345, 7), (2**63 - 1, 2**63 - 1), (2**40 + 3, 2**32 - 1), (5, 2**32)]


def module():
    return _random._random_module()


def uint64_key(key):
    """A compiled key passed back into compiled code keeps its uint64 type."""
    return tuple(np.uint64(word) for word in key)


@pytest.mark.parametrize("counter, key, expected", KNOWN_ANSWERS)
def test_philox_known_answer_vectors(counter, key, expected):
    assert _random.reference_philox4x32_10(counter, key) == expected
    words = module().philox4x32_10(*(np.uint64(w) for w in counter + key))
    assert tuple(int(w) for w in words) == expected


def randomgen_words(seed: int, trajectory: int, uniform: bool, first_block: int, blocks: int) -> list[int]:
    """Output words of blocks first_block, ... of a stream, from randomgen's Philox4x32-10.

    randomgen's counter is a 128-bit integer, little-endian in 32-bit words, and
    it is incremented before each block is produced.
    """
    counter = first_block + (trajectory << 64) + (int(uniform) << 127)
    generator = Philox(key=seed, counter=(counter - 1) % 2**128, number=4, width=32)
    return [int(word) for word in generator.random_raw(4 * blocks)]


@pytest.mark.parametrize("seed, trajectory", STREAMS)
def test_streams_are_randomgens_philox_under_the_documented_layout(seed, trajectory):
    words = randomgen_words(seed, trajectory, False, 0, 6)
    expected = [z for p in range(12) for z in _random.reference_box_muller(words[2 * p], words[2 * p + 1])]
    np.testing.assert_array_equal(_random.normals(seed, trajectory, 23), expected[:23])
    words = randomgen_words(seed, trajectory, True, 0, 5)
    expected = [(((words[4 * n] << 21) | (words[4 * n + 1] >> 11)) + 0.5) * 2.0**-53 for n in range(5)]
    np.testing.assert_array_equal(_random.uniforms(seed, trajectory, 5), expected)


def test_key_and_counter_words_are_the_documented_layout():
    seed, trajectory = 2**63 - 1 - 2**40, 2**62 + 2**33 + 5
    seed_words = (seed & 0xFFFFFFFF, seed >> 32)
    trajectory_words = (trajectory & 0xFFFFFFFF, trajectory >> 32)
    assert module().normal_stream_key(seed, trajectory) == seed_words + trajectory_words
    assert module().uniform_stream_key(seed, trajectory) == seed_words + (trajectory_words[0], trajectory_words[1] | 2**31)


@pytest.mark.parametrize("first_pair, count", [(0, 64), (1, 64), (7, 9), (2**33 - 3, 8), (2**33 - 2, 5), (0, 1)])
def test_block_fill_is_the_scalar_pair_bit_for_bit(first_pair, count):
    """Odd starts and ends, and a block index whose low word wraps (carry into counter word 1)."""
    kernels = module()
    key = uint64_key(kernels.normal_stream_key(99, 2**32 + 1))
    cosines, sines = np.empty(count), np.empty(count)
    kernels.fill_normal_block(key, first_pair, cosines, sines)
    pairs = np.array([kernels.normal_pair(key, first_pair + p) for p in range(count)])
    np.testing.assert_array_equal(cosines, pairs[:, 0])
    np.testing.assert_array_equal(sines, pairs[:, 1])
    reference = np.array([_random.reference_normal_pair(99, 2**32 + 1, first_pair + p) for p in range(count)])
    np.testing.assert_array_equal(pairs, reference)


def test_lane_fill_gives_each_lane_its_own_stream_bit_for_bit():
    """Row 4j + q, column l: normal 4 (b_l + j) + q of lane l's trajectory; trajectories and first blocks differ
    per lane (one above 2**32, one near 2**62), one first block's low word wraps (carry into counter word 1)."""
    kernels = module()
    seed = 2**40 + 3
    trajectories = np.array([0, 2**32 + 1, 7, 3, 2**62], dtype=np.int64)
    first_blocks = np.array([0, 3, 2**32 - 1, 17, 1], dtype=np.uint64)
    out = np.empty((12, len(trajectories)))
    kernels.fill_lane_normals(seed, trajectories, first_blocks, out)
    for lane, trajectory in enumerate(trajectories):
        expected = [_random.reference_normal_pair(seed, int(trajectory), 2 * int(first_blocks[lane]) + p)
                    for p in range(6)]
        np.testing.assert_array_equal(out[:, lane], np.ravel(expected))


@pytest.mark.parametrize("first, count", [(0, 1), (5, 37), (2**32 - 3, 8)])
def test_uniform_block_fill_is_the_scalar_uniform_bit_for_bit(first, count):
    """The vectorised uniforms (two exact halves of the 53-bit integer) are uniform_open's, across a low-word carry."""
    kernels = module()
    key = uint64_key(kernels.uniform_stream_key(17, 3))
    out = np.empty(count)
    kernels.fill_uniform_block(key, first, out)
    np.testing.assert_array_equal(out, [kernels.uniform_open(key, first + i) for i in range(count)])
    np.testing.assert_array_equal(out[:3], [_random.reference_uniform(17, 3, first + i) for i in range(min(3, count))])


def test_contraction_flags_do_not_change_the_numbers():
    """The polynomials use explicit fused multiply-adds: with or without 'contract' a kernel draws the same normals."""
    from numerics._codegen import build_kernel_module
    from numerics._jit import DEFAULT_FASTMATH_FLAGS

    reference = [z for m in range(50) for z in _random.reference_normal_pair(2024, 3, m)][:99]
    for flags in (DEFAULT_FASTMATH_FLAGS - {"contract"}, DEFAULT_FASTMATH_FLAGS | {"contract"}):
        kernels = build_kernel_module(
            {}, _random.KERNEL_FUNCTIONS + (_random.fill_normals,), constants=_random.KERNEL_CONSTANTS,
            inline=_random.KERNEL_INLINE, fastmath=flags,
        )
        out = np.empty(99)
        kernels.fill_normals(2024, 3, out)
        np.testing.assert_array_equal(out, reference)


def test_streams_are_deterministic_and_distinct():
    first = _random.normals(3, 5, 1000)
    np.testing.assert_array_equal(first, _random.normals(3, 5, 1000))
    assert not np.array_equal(first, _random.normals(3, 6, 1000))
    assert not np.array_equal(first, _random.normals(4, 5, 1000))


def test_ten_million_normals_pass_anderson_darling_and_their_moments():
    count = 10_000_000
    z = _random.normals(2024, 0, count)
    assert np.abs(z).max() <= _random.MAXIMUM_NORMAL
    assert abs(z.mean()) < 5 / math.sqrt(count)
    assert abs(z.var() - 1.0) < 5 * math.sqrt(2 / count)
    assert abs(stats.skew(z)) < 5 * math.sqrt(6 / count)
    assert abs(stats.kurtosis(z)) < 5 * math.sqrt(24 / count)
    z.sort()
    weights = np.arange(1, 2 * count, 2, dtype=np.float64)
    # A^2 = -n - (1/n) sum_i (2i - 1) [ln F(z_(i)) + ln(1 - F(z_(n+1-i)))]
    statistic = -count - np.dot(weights, special.log_ndtr(z) + special.log_ndtr(-z[::-1])) / count
    assert statistic < 3.857


def pooled_correlations(first: np.ndarray, second: np.ndarray) -> tuple[float, float, int]:
    """Correlations of z z' and of (z^2 - 1)(z'^2 - 1) / 2 over all pairs, in units of their standard error."""
    n = first.size
    product = float(np.dot(first.ravel(), second.ravel())) / n
    squares = float(np.dot(first.ravel() ** 2 - 1.0, second.ravel() ** 2 - 1.0)) / (2.0 * n)
    return product * math.sqrt(n), squares * math.sqrt(n), n


@pytest.mark.parametrize("seed, first_trajectory", [(11, 0), (11, 2**32 - 100)])
def test_neighbouring_trajectories_are_uncorrelated(seed, first_trajectory):
    """Trajectories i and i + 1 differ in one counter bit or, across 2**32, in a carry into the top word."""
    trajectories, steps = 201, 20_000
    z = np.stack([_random.normals(seed, first_trajectory + i, steps) for i in range(trajectories)])
    for first, second in ((z[:-1], z[1:]), (z[:-1, :-1], z[1:, 1:])):  # same step, and one step apart
        product, squares, _ = pooled_correlations(first, second)
        assert abs(product) < 5 and abs(squares) < 5


def test_neighbouring_seeds_are_uncorrelated():
    z = np.stack([_random.normals(seed, 0, 20_000) for seed in range(1000, 1201)])
    product, squares, _ = pooled_correlations(z[:-1], z[1:])
    assert abs(product) < 5 and abs(squares) < 5


def test_normal_and_uniform_streams_of_a_trajectory_are_uncorrelated():
    """Uniform block b against the four normals of normal block b (the same counter but the domain bit)."""
    blocks = 500_000
    z = _random.normals(8, 123, 4 * blocks).reshape(blocks, 4)
    u = (_random.uniforms(8, 123, blocks) - 0.5) * math.sqrt(12.0)
    for k in range(4):
        product, _, _ = pooled_correlations(z[:, k], u)
        assert abs(product) < 5


def test_uniforms_are_uniform_on_the_open_interval():
    count = 1_000_000
    u = _random.uniforms(77, 3, count)
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / count)
    assert math.sqrt(count) * stats.kstest(u, "uniform").statistic < 1.95  # 0.1 % point of Kolmogorov's law


def test_polynomial_box_muller_is_libm_box_muller_to_a_few_ulps():
    """The libm-free log and sin/cos change each normal by < 1e-14 (statistical errors are >= 1e-4)."""
    pairs = 20_000
    compiled = _random.normals(31, 4, 2 * pairs)
    libm = np.array([z for m in range(pairs) for z in _random.reference_normal_pair_libm(31, 4, m)])
    assert np.max(np.abs(compiled - libm)) < 1e-14


def test_fdlibm_polynomials_approximate_atanh_sin_cos_to_a_few_1e_18_on_their_ranges():
    """The coefficients as stored (doubles), evaluated in 40-digit arithmetic against mpmath on 2001 points of
    |q| <= 0.1716 and 0 <= t <= pi/4: fdlibm's minimax bounds (2**-58) hold up to the rounding of the coefficients."""
    import mpmath

    def polynomial(x, coefficients):
        value = mpmath.mpf(coefficients[0])
        for coefficient in coefficients[1:]:
            value = value * x + coefficient
        return value

    worst = [mpmath.mpf(0)] * 3
    with mpmath.workdps(40):
        for i in range(1, 2001):
            q = mpmath.mpf("0.1716") * i / 2000
            exact = mpmath.atanh(q)
            worst[0] = max(worst[0], abs(q + q * q**2 * polynomial(q**2, _random.LOG_SERIES) - exact) / exact)
            t = mpmath.pi / 4 * i / 2000
            worst[1] = max(worst[1], abs((t + t * t**2 * polynomial(t**2, _random.SIN_SERIES)) / mpmath.sin(t) - 1))
            worst[2] = max(worst[2], abs(1 + t**2 * polynomial(t**2, _random.COS_SERIES) - mpmath.cos(t)))
    assert worst[0] < 4e-18 and worst[1] < 4e-18 and worst[2] < 4e-18, worst


@pytest.mark.parametrize("high", [0, 1, 2, 3, 1000, 2**31 - 2, 2**31 - 1, 2**31, 2**32 - 3, 2**32 - 2, 2**32 - 1])
def test_polynomial_log_at_the_ends_of_every_binade(high):
    exact = math.log((high + 1) * 2.0**-32)
    assert abs(module().log_unit_interval(np.uint64(high)) - exact) <= 4e-16 * max(1.0, abs(exact))


@pytest.mark.parametrize("octant", range(8))
@pytest.mark.parametrize("offset", [0, 1, 2**28, 2**29 - 1])
def test_polynomial_sin_cos_across_octant_boundaries(octant, offset):
    low = octant * 2**29 + offset
    sine, cosine = module().sin_cos_turn(np.uint64(low))
    angle = 2 * math.pi * low * 2.0**-32
    assert abs(sine - math.sin(angle)) < 1e-15 and abs(cosine - math.cos(angle)) < 1e-15  # 4.5 ulp at 1


def test_the_normals_benchmark_reports_its_keys_without_timing_anything_in_the_test():
    from numerics._bench import normals_per_second

    report = normals_per_second(normals=4 * 2 * _random.NORMAL_BLOCK, repeats=1)
    assert report["normals"] == 4 * 2 * _random.NORMAL_BLOCK
    for key in ("philox_normals_per_second", "numpy_normals_per_second", "ratio_vs_numpy", "ratio_vs_numpy_cpu"):
        assert report[key] > 0.0
