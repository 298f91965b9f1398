"""Counter-based random numbers keyed by (seed, trajectory, step).

A counter-based generator (Salmon, Moraes, Dror, Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3", SC'11) computes the n-th random word of a stream
as a pure function of a key and the counter n; there is no state to carry and
no order in which numbers must be drawn.  The trajectory of index i therefore
sees the same noise whatever thread runs it, however the ensemble is chunked
into batches, and it can be replayed on its own.

The bijection used here is the SplitMix64 output function (Steele, Lea, Flood
2014, "Fast splittable pseudorandom number generators", OOPSLA'14), i.e. the
"variant 13" 64-bit finaliser of MurmurHash3 tuned by Stafford:

    mix64(z) = f(f(f(z, 30) * 0xBF58476D1CE4E5B9, 27) * 0x94D049BB133111EB, 31),
    f(z, s) = z xor (z >> s),   arithmetic modulo 2**64.

Streams.  For the Gaussian noise of trajectory i under seed s

    key_normal(s, i) = mix64(mix64(s xor NORMAL_DOMAIN) + i * GOLDEN)
    word(key, m)     = mix64(key + m * GOLDEN),      GOLDEN = 0x9E3779B97F4A7C15,

which is SplitMix64 itself, started at the hashed key.  The uniform stream of
the Brownian-bridge test uses the same construction with a different domain
constant, so the two streams of one trajectory are unrelated.

Normals.  One 64-bit word gives two 32-bit uniforms, u1 = (hi + 1) / 2**32 in
(0, 1] and u2 = lo / 2**32 in [0, 1), and Box-Muller turns them into two
independent standard normals (both outputs are used):

    z_{2m}   = r cos(2 pi u2),   z_{2m+1} = r sin(2 pi u2),   r = sqrt(-2 log u1),

so step n of a trajectory uses word n // 2, output n % 2.

No libm in the loop.  ``log``, ``cos`` and ``sin`` are evaluated by short
polynomials instead of libm calls, so that the loop vectorises (Numba's LLVM has
no vector libm) and costs no call: log u1 = e ln 2 + ln m from the exponent e
and mantissa m in [sqrt(1/2), sqrt(2)) of (hi + 1) (bits read by
:mod:`numerics._intrinsics`), with ln m = 2 atanh(s), s = (m - 1)/(m + 1),
|s| < 0.172, summed to s**19 (truncation < 1e-17); for the angle the top three
bits of lo pick the octant and the remaining 29 bits the angle theta in
[0, pi/4] within it (mirrored in odd octants), and sin theta, cos theta are
Taylor polynomials to theta**15 and theta**16 (truncation < 1e-16).  The
normals differ from libm's Box-Muller by at most a few units in the last place
(a test bounds the difference by 1e-14 over 1e6 draws), twelve orders of
magnitude below any statistical error an ensemble reaches.  Because u1 >= 2**-32,
|z| <= sqrt(64 log 2) = 6.66: the tails beyond 6.66 sigma (probability 2.7e-11
per draw) are truncated, and 32-bit resolution of u1 discretises the far tail.
For escape problems the drift, not the extreme noise tail, carries the
particle over the barrier, so this bias is far below any statistical error the
ensembles reach.

The functions below are the *source* of the kernels: they are compiled by
:mod:`numerics._codegen` into the generated kernel module (where ``np`` is
NumPy and all integer arithmetic is ``uint64``).  They are not meant to be run
by the Python interpreter, where NumPy would warn about the (intended)
wrap-around; the pure-integer ``reference_*`` functions at the end are the
readable specification that the tests compare the compiled code with.
"""

from __future__ import annotations

import math
import struct

import numpy as np

__all__ = [
    "GOLDEN",
    "KERNEL_FUNCTIONS",
    "KERNEL_CONSTANTS",
    "mix64",
    "normal_stream_key",
    "uniform_stream_key",
    "normal_pair",
    "uniform_open",
    "reference_mix64",
    "reference_normal_pair",
    "reference_uniform",
    "normals",
    "uniforms",
    "MAXIMUM_NORMAL",
]

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd
MIX_MULTIPLIER_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_MULTIPLIER_2 = np.uint64(0x94D049BB133111EB)
NORMAL_DOMAIN = np.uint64(0x6E6F726D616C2121)  # "normal!!"
UNIFORM_DOMAIN = np.uint64(0x756E69666F726D3F)  # "uniform?"
LOW_32_BITS = np.uint64(0xFFFFFFFF)
TWO_TO_MINUS_32 = 2.0**-32
TWO_TO_MINUS_53 = 2.0**-53
TWO_PI = 2.0 * math.pi

# Polynomial log and sin/cos of the Box-Muller transform (module docstring).
MANTISSA_MASK = np.uint64(0x000FFFFFFFFFFFFF)
EXPONENT_OF_ONE = np.uint64(0x3FF0000000000000)
SQRT_TWO = math.sqrt(2.0)
LN2_HIGH = 6.93147180369123816490e-01  # ln 2 = LN2_HIGH + LN2_LOW, LN2_HIGH with 32 trailing zero bits
LN2_LOW = 1.90821492927058770002e-10
OCTANT_MASK = np.uint64(0x1FFFFFFF)
OCTANT_SIZE = np.uint64(0x20000000)
OCTANT_ANGLE_UNIT = (math.pi / 4.0) * 2.0**-29
_LOG_COEFFICIENTS = {f"LOG_{k}": 1.0 / k for k in range(3, 20, 2)}
_SIN_COEFFICIENTS = {f"SIN_{k}": (-1.0) ** ((k - 1) // 2) / math.factorial(k) for k in range(3, 16, 2)}
_COS_COEFFICIENTS = {f"COS_{k}": (-1.0) ** (k // 2) / math.factorial(k) for k in range(2, 17, 2)}
_POLYNOMIAL_COEFFICIENTS = {**_LOG_COEFFICIENTS, **_SIN_COEFFICIENTS, **_COS_COEFFICIENTS}

#: The largest |z| that :func:`normal_pair` can return: sqrt(-2 log 2**-32).
MAXIMUM_NORMAL = math.sqrt(64.0 * math.log(2.0))


def mix64(z):
    """SplitMix64 finaliser: a bijection of 64-bit words with full avalanche."""
    z = (z ^ (z >> 30)) * MIX_MULTIPLIER_1
    z = (z ^ (z >> 27)) * MIX_MULTIPLIER_2
    return z ^ (z >> 31)


def normal_stream_key(seed, trajectory):
    """Key of the Gaussian stream of trajectory ``trajectory`` under ``seed``."""
    return mix64(mix64(np.uint64(seed) ^ NORMAL_DOMAIN) + np.uint64(trajectory) * GOLDEN)


def uniform_stream_key(seed, trajectory):
    """Key of the Brownian-bridge uniform stream (independent of the normal one)."""
    return mix64(mix64(np.uint64(seed) ^ UNIFORM_DOMAIN) + np.uint64(trajectory) * GOLDEN)


def log_unit_interval(high):
    """ln((high + 1) 2**-32) for a 32-bit ``high``, without libm (see the module docstring)."""
    value = float(high + np.uint64(1))
    bits = float_bits(value)  # noqa: F821 (numerics._intrinsics, in the generated module)
    exponent = float(bits >> np.uint64(52)) - 1055.0  # e - 1023 - 32
    mantissa = bits_float((bits & MANTISSA_MASK) | EXPONENT_OF_ONE)  # noqa: F821
    large = mantissa > SQRT_TWO
    mantissa = 0.5 * mantissa if large else mantissa
    exponent = exponent + 1.0 if large else exponent
    s = (mantissa - 1.0) / (mantissa + 1.0)
    s2 = s * s
    series = LOG_19
    series = series * s2 + LOG_17
    series = series * s2 + LOG_15
    series = series * s2 + LOG_13
    series = series * s2 + LOG_11
    series = series * s2 + LOG_9
    series = series * s2 + LOG_7
    series = series * s2 + LOG_5
    series = series * s2 + LOG_3
    log_mantissa = 2.0 * s + 2.0 * s * (s2 * series)
    return exponent * LN2_HIGH + (log_mantissa + exponent * LN2_LOW)


def sin_cos_turn(low):
    """(sin, cos) of 2 pi low 2**-32 for a 32-bit ``low``, without libm (see the module docstring)."""
    octant = low >> np.uint64(29)
    fraction = low & OCTANT_MASK
    odd = (octant & np.uint64(1)) == np.uint64(1)
    reduced = (OCTANT_SIZE - fraction) if odd else fraction
    quadrant = ((octant + np.uint64(1)) >> np.uint64(1)) & np.uint64(3)
    theta = float(reduced) * OCTANT_ANGLE_UNIT
    t2 = theta * theta
    sine = SIN_15
    sine = sine * t2 + SIN_13
    sine = sine * t2 + SIN_11
    sine = sine * t2 + SIN_9
    sine = sine * t2 + SIN_7
    sine = sine * t2 + SIN_5
    sine = sine * t2 + SIN_3
    sine = theta + theta * (t2 * sine)
    cosine = COS_16
    cosine = cosine * t2 + COS_14
    cosine = cosine * t2 + COS_12
    cosine = cosine * t2 + COS_10
    cosine = cosine * t2 + COS_8
    cosine = cosine * t2 + COS_6
    cosine = cosine * t2 + COS_4
    cosine = cosine * t2 + COS_2
    cosine = 1.0 + t2 * cosine
    sine = -sine if odd else sine
    swap = (quadrant & np.uint64(1)) == np.uint64(1)
    first = cosine if swap else sine
    second = sine if swap else cosine
    sin_out = -first if (quadrant & np.uint64(2)) == np.uint64(2) else first
    cos_out = -second if ((quadrant + np.uint64(1)) & np.uint64(2)) == np.uint64(2) else second
    return sin_out, cos_out


def normal_pair(key, pair_index):
    """The two standard normals of steps 2m and 2m+1 (m = ``pair_index``)."""
    word = mix64(key + np.uint64(pair_index) * GOLDEN)
    radius = math.sqrt(-2.0 * log_unit_interval(word >> np.uint64(32)))
    sine, cosine = sin_cos_turn(word & LOW_32_BITS)
    return radius * cosine, radius * sine


def fill_normal_block(key, first_pair, cosines, sines):
    """Pairs first_pair, first_pair + 1, ...: ``cosines[p]``, ``sines[p]`` = :func:`normal_pair` of pair first_pair + p.

    The same operations as :func:`normal_pair`, in a branch-free loop that LLVM
    vectorises (AVX-512: eight pairs per instruction), so the numbers are
    identical and several times cheaper; kernels draw their noise in such blocks.
    """
    for p in range(cosines.shape[0]):
        word = mix64(key + np.uint64(first_pair + p) * GOLDEN)
        radius = math.sqrt(-2.0 * log_unit_interval(word >> np.uint64(32)))
        sine, cosine = sin_cos_turn(word & LOW_32_BITS)
        cosines[p] = radius * cosine
        sines[p] = radius * sine


def uniform_open(key, counter):
    """A uniform number in (0, 1) with 53 random bits, for counter ``counter``."""
    word = mix64(key + np.uint64(counter) * GOLDEN)
    return (float(word >> 11) + 0.5) * TWO_TO_MINUS_53


def fill_normals(seed, trajectory, out):
    """Fill ``out`` with the normals of steps 0, 1, ... of one trajectory."""
    key = normal_stream_key(seed, trajectory)
    n = out.shape[0]
    for m in range((n + 1) // 2):
        z0, z1 = normal_pair(key, m)
        out[2 * m] = z0
        if 2 * m + 1 < n:
            out[2 * m + 1] = z1


def fill_uniforms(seed, trajectory, out):
    """Fill ``out`` with the bridge uniforms of steps 0, 1, ... of one trajectory."""
    key = uniform_stream_key(seed, trajectory)
    for n in range(out.shape[0]):
        out[n] = uniform_open(key, n)


#: Source of these functions is copied into generated kernel modules, in order.
KERNEL_FUNCTIONS = (
    mix64, normal_stream_key, uniform_stream_key, log_unit_interval, sin_cos_turn, normal_pair, fill_normal_block,
    uniform_open,
)

#: Module-level constants the kernel functions need (name -> Python source).
KERNEL_CONSTANTS = {
    "GOLDEN": "np.uint64(0x9E3779B97F4A7C15)",
    "MIX_MULTIPLIER_1": "np.uint64(0xBF58476D1CE4E5B9)",
    "MIX_MULTIPLIER_2": "np.uint64(0x94D049BB133111EB)",
    "NORMAL_DOMAIN": "np.uint64(0x6E6F726D616C2121)",
    "UNIFORM_DOMAIN": "np.uint64(0x756E69666F726D3F)",
    "LOW_32_BITS": "np.uint64(0xFFFFFFFF)",
    "TWO_TO_MINUS_32": repr(TWO_TO_MINUS_32),
    "TWO_TO_MINUS_53": repr(TWO_TO_MINUS_53),
    "TWO_PI": repr(TWO_PI),
    "MANTISSA_MASK": "np.uint64(0x000FFFFFFFFFFFFF)",
    "EXPONENT_OF_ONE": "np.uint64(0x3FF0000000000000)",
    "SQRT_TWO": repr(SQRT_TWO),
    "LN2_HIGH": repr(LN2_HIGH),
    "LN2_LOW": repr(LN2_LOW),
    "OCTANT_MASK": "np.uint64(0x1FFFFFFF)",
    "OCTANT_SIZE": "np.uint64(0x20000000)",
    "OCTANT_ANGLE_UNIT": repr(OCTANT_ANGLE_UNIT),
    **{name: repr(value) for name, value in _POLYNOMIAL_COEFFICIENTS.items()},
}


# --- readable pure-integer specification (used by the tests) -----------------

_MASK = (1 << 64) - 1


def reference_mix64(z: int) -> int:
    """:func:`mix64` on Python integers."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _reference_key(seed: int, trajectory: int, domain: int) -> int:
    return reference_mix64(reference_mix64(seed ^ domain) + trajectory * 0x9E3779B97F4A7C15)


def _reference_log_unit_interval(high: int) -> float:
    value = float(high + 1)
    bits = struct.unpack("<Q", struct.pack("<d", value))[0]
    exponent = float(bits >> 52) - 1055.0
    mantissa = struct.unpack("<d", struct.pack("<Q", (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000))[0]
    if mantissa > SQRT_TWO:
        mantissa, exponent = 0.5 * mantissa, exponent + 1.0
    s = (mantissa - 1.0) / (mantissa + 1.0)
    s2 = s * s
    series = _LOG_COEFFICIENTS["LOG_19"]
    for k in range(17, 2, -2):
        series = series * s2 + _LOG_COEFFICIENTS[f"LOG_{k}"]
    log_mantissa = 2.0 * s + 2.0 * s * (s2 * series)
    return exponent * LN2_HIGH + (log_mantissa + exponent * LN2_LOW)


def _reference_sin_cos_turn(low: int) -> tuple[float, float]:
    octant, fraction = low >> 29, low & 0x1FFFFFFF
    odd = octant & 1 == 1
    theta = float((0x20000000 - fraction) if odd else fraction) * OCTANT_ANGLE_UNIT
    t2 = theta * theta
    sine = _SIN_COEFFICIENTS["SIN_15"]
    for k in range(13, 2, -2):
        sine = sine * t2 + _SIN_COEFFICIENTS[f"SIN_{k}"]
    sine = theta + theta * (t2 * sine)
    cosine = _COS_COEFFICIENTS["COS_16"]
    for k in range(14, 1, -2):
        cosine = cosine * t2 + _COS_COEFFICIENTS[f"COS_{k}"]
    cosine = 1.0 + t2 * cosine
    if odd:
        sine = -sine
    quadrant = ((octant + 1) >> 1) & 3
    first, second = (cosine, sine) if quadrant & 1 else (sine, cosine)
    return (-first if quadrant & 2 else first), (-second if (quadrant + 1) & 2 else second)


def reference_normal_pair(seed: int, trajectory: int, pair_index: int) -> tuple[float, float]:
    """:func:`normal_pair` of trajectory ``trajectory`` on Python integers and floats."""
    key = _reference_key(seed, trajectory, int(NORMAL_DOMAIN))
    word = reference_mix64(key + pair_index * 0x9E3779B97F4A7C15)
    radius = math.sqrt(-2.0 * _reference_log_unit_interval(word >> 32))
    sine, cosine = _reference_sin_cos_turn(word & 0xFFFFFFFF)
    return radius * cosine, radius * sine


def reference_normal_pair_libm(seed: int, trajectory: int, pair_index: int) -> tuple[float, float]:
    """The same pair through libm's log, cos and sin (to bound the polynomials' error)."""
    key = _reference_key(seed, trajectory, int(NORMAL_DOMAIN))
    word = reference_mix64(key + pair_index * 0x9E3779B97F4A7C15)
    u1 = ((word >> 32) + 1.0) * TWO_TO_MINUS_32
    u2 = (word & 0xFFFFFFFF) * TWO_TO_MINUS_32
    radius = math.sqrt(-2.0 * math.log(u1))
    return radius * math.cos(TWO_PI * u2), radius * math.sin(TWO_PI * u2)


def reference_uniform(seed: int, trajectory: int, counter: int) -> float:
    """:func:`uniform_open` of trajectory ``trajectory`` on Python integers."""
    key = _reference_key(seed, trajectory, int(UNIFORM_DOMAIN))
    word = reference_mix64(key + counter * 0x9E3779B97F4A7C15)
    return ((word >> 11) + 0.5) * TWO_TO_MINUS_53


# --- compiled access ---------------------------------------------------------


def _random_module():
    from ._codegen import build_kernel_module

    return build_kernel_module(
        expressions={},
        functions=KERNEL_FUNCTIONS + (fill_normals, fill_uniforms),
        constants=KERNEL_CONSTANTS,
    )


def normals(seed: int, trajectory: int, count: int) -> np.ndarray:
    """The first ``count`` standard normals of trajectory ``trajectory`` (compiled)."""
    out = np.empty(int(count), dtype=np.float64)
    _random_module().fill_normals(int(seed), int(trajectory), out)
    return out


def uniforms(seed: int, trajectory: int, count: int) -> np.ndarray:
    """The first ``count`` bridge uniforms of trajectory ``trajectory`` (compiled)."""
    out = np.empty(int(count), dtype=np.float64)
    _random_module().fill_uniforms(int(seed), int(trajectory), out)
    return out
