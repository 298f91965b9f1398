r"""Counter-based random numbers: Philox4x32-10 keyed by the seed, counted by (trajectory, draw).

A counter-based generator (Salmon, Moraes, Dror, Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3", SC'11) computes the n-th random block of a stream
as a pure function of a key and a counter; there is no state to carry and no
order in which numbers must be drawn.  The trajectory of index i therefore
sees the same noise whatever thread runs it, however the ensemble is chunked
into batches, and it can be replayed on its own.

Philox4x32-10.  The bijection is Philox4x32 with 10 rounds, the generator of
Random123, cuRAND and oneMKL (Salmon et al. 2011, section 3.2).  A counter of
four 32-bit words (c0, c1, c2, c3) and a key of two, (k0, k1), give four
32-bit output words by ten rounds of

    (c0, c1, c2, c3) <- (hi(M1 c2) ^ c1 ^ k0,  lo(M1 c2),  hi(M0 c0) ^ c3 ^ k1,  lo(M0 c0)),

hi and lo the upper and lower halves of the 64-bit product, M0 = 0xD2511F53,
M1 = 0xCD9E8D57, with the key bumped between rounds by the Weyl increments
k0 += 0x9E3779B9, k1 += 0xBB67AE85 (mod 2**32).  For a fixed key the map is a
bijection of the 2**128 counters; it passes BigCrush with a safety margin
(Philox4x32-7 already does).  The compiled rounds are checked against the
published known-answer vectors of Random123 and against randomgen's Philox.

Streams.  Philox4x32 has a 64-bit key and a 128-bit counter, so the seed s
(0 <= s < 2**63) is the key and the trajectory i (0 <= i < 2**63) goes into
the counter, with one bit that tells the Gaussian stream from the uniform one:

    key     = (s mod 2**32,  floor(s / 2**32)),
    counter = (b mod 2**32,  floor(b / 2**32),  i mod 2**32,  floor(i / 2**32) + 2**31 delta),

b the block index (0 <= b < 2**64) and delta = 0 for the normals, 1 for the
bridge uniforms.  That is, counter = b + 2**64 i + 2**127 delta as a 128-bit
number.  Because i < 2**63 and b < 2**64, distinct (trajectory, domain, block)
triples are distinct counters, and distinct seeds are distinct keys: no two
streams, and no two draws of one stream, ever share a Philox block.  Streams
cannot overlap by construction, however many trajectories and steps a run has
(the SplitMix64 windows this replaces could: about N**2 M / 2**64 overlapping
pairs for N trajectories of M steps).

Normals.  Normal number n of a trajectory (the engine's counter: step times
dimension plus coordinate) is output n mod 2 of Box-Muller pair m = floor(n / 2),
and pair m uses the words (c0', c1') of block floor(m / 2) when m is even and
(c2', c3') when m is odd, where (c0', c1', c2', c3') is the Philox output: one
block gives four normals.  Of the two words of a pair, h gives
u1 = (h + 1) / 2**32 in (0, 1] and l gives u2 = l / 2**32 in [0, 1), and

    z_{2m}   = r cos(2 pi u2),   z_{2m+1} = r sin(2 pi u2),   r = sqrt(-2 log u1)

are two independent standard normals (Box and Muller 1958).

No libm in the loop.  ``log``, ``cos`` and ``sin`` are evaluated by short
polynomials instead of libm calls, so that the loop vectorises (Numba's LLVM has
no vector libm) and costs no call: log u1 = e ln 2 + ln m from the exponent e
and mantissa m in [sqrt(1/2), sqrt(2)) of (h + 1) (bits read by
:mod:`numerics._intrinsics`), with ln m = 2 atanh(q), q = (m - 1)/(m + 1),
|q| < 0.172; for the angle the top three bits of l pick the octant and the
remaining 29 bits the angle theta in [0, pi/4] within it (mirrored in odd
octants).  The polynomials for atanh, sin and cos on these ranges are fdlibm's
minimax ones (Sun Microsystems 1993; e_log.c, k_sin.c, k_cos.c), of degree 15
in q and 13 and 14 in theta, whose approximation errors (in exact arithmetic,
against mpmath; tested) are below 4e-18 relative for atanh and sin and 1e-18
absolute for cos: seven, six and seven terms where Taylor series need nine,
seven and eight for the same accuracy (the fill is 7 % to 9 % faster).  Horner's
rule runs in explicit fused multiply-adds (``fused_multiply_add``, one
rounding each), not in whatever the ``contract`` fast-math flag lets LLVM fuse:
the normals are then the same numbers in scalar and vector code and under any
fast-math flags, and equal, bit for bit, to the pure-Python specification
below.  Integers below 2**52 become doubles exactly by the exponent trick
(bits 0x4330000000000000 | n read as a double, minus 2**52), which vectorises
without AVX-512.

Error of the transform.  The normals differ from libm's Box-Muller of the same
words by at most a few units in the last place (measured: 2.0e-15 over 4e4
draws; a test bounds it by 1e-14), twelve orders of magnitude below any
statistical error an ensemble reaches.  Because u1 >= 2**-32,
|z| <= sqrt(64 log 2) = 6.66: the tails beyond 6.66 sigma (probability 2.7e-11
per draw) are cut, and the 32-bit resolution of u1 discretises the far tail.
For escape problems the drift, not the extreme noise tail, carries the
particle over the barrier, so this bias is far below any statistical error the
ensembles reach.  The transform is exactly odd: angle words l and l + 2**31
give opposite normals, so the mean is zero by construction.

Uniforms.  Bridge uniform number n of a trajectory is block n of its uniform
stream: the 53 upper bits of the 64-bit word c0' 2**32 + c1', as
(bits + 1/2) 2**-53 in (0, 1).  Words c2', c3' are unused (a uniform is drawn
only near the boundary, where its cost does not matter).

Speed.  :func:`fill_normal_block` loops over consecutive blocks: every 32-bit
word lives in a 64-bit lane, so the 32 x 32 -> 64-bit products are the
unsigned even-lane multiply (``vpmuludq``) that AVX2 has, and the whole loop --
ten rounds, the polynomial logarithm and sine -- compiles to vector code, four
(AVX2) or eight (AVX-512) blocks per instruction.  Kernels draw their noise in
such blocks of :data:`NORMAL_BLOCK` pairs.
:func:`numerics._bench.normals_per_second` measures it against NumPy's
``standard_normal`` in the same run (docs/random.md gives the figures).

The functions below are the *source* of the kernels: they are compiled by
:mod:`numerics._codegen` into the generated kernel module (where ``np`` is
NumPy and all integer arithmetic is ``uint64``).  They are not meant to be run
by the Python interpreter, where NumPy would warn about the (intended)
wrap-around; the pure-integer ``reference_*`` functions at the end are the
readable specification that the tests compare the compiled code with.  A
stream key is an opaque tuple of four words: kernels only pass it on.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import numpy as np

__all__ = [
    "KERNEL_FUNCTIONS",
    "KERNEL_CONSTANTS",
    "KERNEL_INLINE",
    "NORMAL_BLOCK",
    "MAXIMUM_NORMAL",
    "MAXIMUM_SEED",
    "MAXIMUM_TRAJECTORY",
    "philox4x32_10",
    "normal_stream_key",
    "uniform_stream_key",
    "normal_pair",
    "fill_normal_block",
    "fill_lane_normals",
    "uniform_open",
    "reference_philox4x32_10",
    "reference_box_muller",
    "reference_normal_pair",
    "reference_normal_pair_libm",
    "reference_uniform",
    "normals",
    "uniforms",
]

# Philox4x32 (Salmon et al. 2011, table 2 and section 3.2).
PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = np.uint64(0x9E3779B9)  # 2**32 / golden ratio
PHILOX_W1 = np.uint64(0xBB67AE85)  # 2**32 (sqrt(3) - 1)
LOW_32_BITS = np.uint64(0xFFFFFFFF)
THIRTY_TWO = np.uint64(32)
ONE = np.uint64(1)
NORMAL_DOMAIN = np.uint64(0)
UNIFORM_DOMAIN = np.uint64(0x80000000)  # bit 31 of counter word 3: bit 127 of the counter

#: Seeds and trajectory indices must be below these (module docstring: streams).
MAXIMUM_SEED = 2**63 - 1
MAXIMUM_TRAJECTORY = 2**63 - 1

#: Box-Muller pairs that kernels draw at once with :func:`fill_normal_block`.
NORMAL_BLOCK = 256

TWO_TO_MINUS_32 = 2.0**-32
TWO_TO_MINUS_53 = 2.0**-53
TWO_TO_21 = 2.0**21
ELEVEN = np.uint64(11)
TWO_PI = 2.0 * math.pi

# Exact integer -> double conversion below 2**52, and the polynomial log and
# sin/cos of the Box-Muller transform (module docstring).
EXPONENT_OF_TWO_TO_52 = np.uint64(0x4330000000000000)
TWO_TO_52 = 2.0**52
MANTISSA_MASK = np.uint64(0x000FFFFFFFFFFFFF)
EXPONENT_OF_ONE = np.uint64(0x3FF0000000000000)
EXPONENT_SHIFT = np.uint64(52)
SQRT_TWO = math.sqrt(2.0)
LN2_HIGH = 6.93147180369123816490e-01  # ln 2 = LN2_HIGH + LN2_LOW, LN2_HIGH with 32 trailing zero bits
LN2_LOW = 1.90821492927058770002e-10
OCTANT_SHIFT = np.uint64(29)
OCTANT_MASK = np.uint64(0x1FFFFFFF)
OCTANT_SIZE = np.uint64(0x20000000)
OCTANT_ANGLE_UNIT = (math.pi / 4.0) * 2.0**-29
# The polynomials of fdlibm 5.3 (Sun Microsystems 1993: e_log.c, k_sin.c, k_cos.c), minimax on the
# same ranges as ours and one or two terms shorter than the Taylor series of equal accuracy (fdlibm's bounds):
#   ln((1 + q)/(1 - q)) = 2q + q R(q**2),  R(z) = LG1 z + ... + LG7 z**7,   |q| <= 0.1716, error < 2**-58.45;
#   sin t = t + t**3 (S1 + S2 t**2 + ... + S6 t**10),                       0 <= t <= pi/4, error < 2**-58;
#   cos t = 1 - t**2/2 + t**4 (C1 + C2 t**2 + ... + C6 t**10),              0 <= t <= pi/4, error < 2**-58.
FDLIBM_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
             2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
             1.479819860511658591e-01)
FDLIBM_S = (-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
            2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10)
FDLIBM_C = (4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
            -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11)
# Horner coefficients, highest power first, in q**2 or t**2, of (atanh(q)/q - 1)/q**2 = R/(2 q**2) (halving is
# exact), of (sin(t)/t - 1)/t**2 and of (cos(t) - 1)/t**2: the leading terms are added exactly.
LOG_SERIES = tuple(c / 2.0 for c in reversed(FDLIBM_LG))
SIN_SERIES = tuple(reversed(FDLIBM_S))
COS_SERIES = tuple(reversed(FDLIBM_C)) + (-0.5,)

#: The largest |z| that :func:`normal_pair` can return: sqrt(-2 log 2**-32).
MAXIMUM_NORMAL = math.sqrt(64.0 * math.log(2.0))


def philox_round(c0, c1, c2, c3, k0, k1):
    """One Philox4x32 round on 32-bit words held in uint64 lanes (module docstring)."""
    product0 = PHILOX_M0 * c0
    product1 = PHILOX_M1 * c2
    return (
        (product1 >> THIRTY_TWO) ^ c1 ^ k0,
        product1 & LOW_32_BITS,
        (product0 >> THIRTY_TWO) ^ c3 ^ k1,
        product0 & LOW_32_BITS,
    )


def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1), all 32-bit words."""
    for _ in range(9):
        c0, c1, c2, c3 = philox_round(c0, c1, c2, c3, k0, k1)
        k0, k1 = (k0 + PHILOX_W0) & LOW_32_BITS, (k1 + PHILOX_W1) & LOW_32_BITS
    return philox_round(c0, c1, c2, c3, k0, k1)


def stream_key(seed, trajectory, domain):
    """The stream (seed, trajectory, domain): Philox key words and the upper counter words."""
    seed = np.uint64(seed)
    trajectory = np.uint64(trajectory)
    return (seed & LOW_32_BITS, seed >> THIRTY_TWO, trajectory & LOW_32_BITS, (trajectory >> THIRTY_TWO) | domain)


def normal_stream_key(seed, trajectory):
    """Key of the Gaussian stream of trajectory ``trajectory`` under ``seed``."""
    return stream_key(seed, trajectory, NORMAL_DOMAIN)


def uniform_stream_key(seed, trajectory):
    """Key of the Brownian-bridge uniform stream (a different counter range from the normal one)."""
    return stream_key(seed, trajectory, UNIFORM_DOMAIN)


def philox_block(key, block):
    """The four output words of block ``block`` (a uint64) of the stream ``key``."""
    return philox4x32_10(block & LOW_32_BITS, block >> THIRTY_TWO, key[2], key[3], key[0], key[1])


def integer_float(n):
    """The double equal to the integer ``n`` < 2**52 (exact; vectorises without AVX-512)."""
    return bits_float(n | EXPONENT_OF_TWO_TO_52) - TWO_TO_52  # noqa: F821 (numerics._intrinsics)


def horner(x, coefficients):
    """The polynomial with ``coefficients`` (highest power first) at x, by Horner's rule in fused multiply-adds."""
    value = coefficients[0]
    for k in range(1, len(coefficients)):
        value = fused_multiply_add(value, x, coefficients[k])  # noqa: F821 (numerics._intrinsics)
    return value


def log_unit_interval(high):
    """ln((high + 1) 2**-32) for a 32-bit ``high``, without libm (see the module docstring)."""
    value = integer_float(high + ONE)
    bits = float_bits(value)  # noqa: F821 (numerics._intrinsics, in the generated module)
    exponent = integer_float(bits >> EXPONENT_SHIFT) - 1055.0  # e - 1023 - 32
    mantissa = bits_float((bits & MANTISSA_MASK) | EXPONENT_OF_ONE)  # noqa: F821
    large = mantissa > SQRT_TWO
    mantissa = 0.5 * mantissa if large else mantissa
    exponent = exponent + 1.0 if large else exponent
    s = (mantissa - 1.0) / (mantissa + 1.0)
    s2 = s * s
    series = horner(s2, LOG_SERIES)
    two_s = 2.0 * s
    log_mantissa = fused_multiply_add(two_s, s2 * series, two_s)  # noqa: F821
    return fused_multiply_add(exponent, LN2_HIGH, fused_multiply_add(exponent, LN2_LOW, log_mantissa))  # noqa: F821


def sin_cos_turn(low):
    """(sin, cos) of 2 pi low 2**-32 for a 32-bit ``low``, without libm (see the module docstring)."""
    octant = low >> OCTANT_SHIFT
    fraction = low & OCTANT_MASK
    odd = (octant & ONE) == ONE
    reduced = (OCTANT_SIZE - fraction) if odd else fraction
    quadrant = ((octant + ONE) >> ONE) & np.uint64(3)
    theta = integer_float(reduced) * OCTANT_ANGLE_UNIT
    t2 = theta * theta
    sine = horner(t2, SIN_SERIES)
    sine = fused_multiply_add(theta, t2 * sine, theta)  # noqa: F821
    cosine = horner(t2, COS_SERIES)
    cosine = fused_multiply_add(t2, cosine, 1.0)  # noqa: F821
    sine = -sine if odd else sine
    swap = (quadrant & ONE) == ONE
    first = cosine if swap else sine
    second = sine if swap else cosine
    sin_out = -first if (quadrant & np.uint64(2)) == np.uint64(2) else first
    cos_out = -second if ((quadrant + ONE) & np.uint64(2)) == np.uint64(2) else second
    return sin_out, cos_out


def box_muller(high, low):
    """The Box-Muller pair (r cos, r sin) of the radius word ``high`` and the angle word ``low`` (module docstring)."""
    radius = math.sqrt(-2.0 * log_unit_interval(high))
    sine, cosine = sin_cos_turn(low)
    return radius * cosine, radius * sine


def normal_pair(key, pair_index):
    """The two standard normals of numbers 2m and 2m+1 (m = ``pair_index``) of the stream ``key``."""
    pair = np.uint64(pair_index)
    w0, w1, w2, w3 = philox_block(key, pair >> ONE)
    odd = (pair & ONE) == ONE
    return box_muller(w2 if odd else w0, w3 if odd else w1)


def fill_normal_block(key, first_pair, cosines, sines):
    """Pairs first_pair, first_pair + 1, ...: ``cosines[p]``, ``sines[p]`` = :func:`normal_pair` of pair first_pair + p.

    The same :func:`box_muller` as :func:`normal_pair`, one Philox block (two pairs) per
    iteration of a branch-free loop that LLVM vectorises, so the numbers are
    those of :func:`normal_pair` and several times cheaper; kernels draw their
    noise in such blocks.  :func:`philox_block` and :func:`philox4x32_10` are
    compiled ``inline="always"`` (:data:`KERNEL_INLINE`): Numba copies the ten
    rounds into the loop, which a call would keep scalar (a test holds this loop
    equal to :func:`normal_pair` bit for bit).  An odd first pair or an odd count
    is done by :func:`normal_pair` at the ends.
    """
    count = cosines.shape[0]
    done = 0
    if count > 0 and first_pair & 1 == 1:
        cosines[0], sines[0] = normal_pair(key, first_pair)
        done = 1
    first_block = np.uint64((first_pair + done) >> 1)
    blocks = (count - done) >> 1
    for j in range(blocks):
        w0, w1, w2, w3 = philox_block(key, first_block + np.uint64(j))
        cosines[done + 2 * j], sines[done + 2 * j] = box_muller(w0, w1)
        cosines[done + 2 * j + 1], sines[done + 2 * j + 1] = box_muller(w2, w3)
    if done + 2 * blocks < count:
        cosines[count - 1], sines[count - 1] = normal_pair(key, first_pair + count - 1)


def fill_lane_normals(seed, trajectories, first_block, out):
    """``out[4 j + q, l]`` = normal 4 (first_block[l] + j) + q of trajectory ``trajectories[l]`` under ``seed``.

    The noise of the lane kernels: lane l of a group runs trajectory
    ``trajectories[l]`` and needs its normals from block ``first_block[l]`` on;
    row r of ``out`` holds normal r of every lane's window, the row that a
    vector step over the lanes reads at once.  The inner loop runs over the
    lanes, so LLVM vectorises it with one lane per SIMD slot (its own counter
    words) and stores each row contiguously: no transposition and no scatter.
    The seed is the Philox key and the same for every lane, so the key
    schedule of the ten rounds is computed once, outside the loops.  The
    numbers are those of :func:`normal_pair` (block b holds pairs 2b and
    2b + 1), bit for bit (tested).
    """
    for j in range(out.shape[0] // 4):
        for lane in range(out.shape[1]):
            key = normal_stream_key(seed, trajectories[lane])
            w0, w1, w2, w3 = philox_block(key, first_block[lane] + np.uint64(j))
            out[4 * j, lane], out[4 * j + 1, lane] = box_muller(w0, w1)
            out[4 * j + 2, lane], out[4 * j + 3, lane] = box_muller(w2, w3)


def uniform_open(key, counter):
    """A uniform number in (0, 1) with 53 random bits: block ``counter`` of the stream ``key``."""
    w0, w1, w2, w3 = philox_block(key, np.uint64(counter))
    bits = (w0 << np.uint64(21)) | (w1 >> np.uint64(11))
    return (float(bits) + 0.5) * TWO_TO_MINUS_53


def fill_uniform_block(key, first, out):
    """``out[i]`` = :func:`uniform_open` of counter first + i, bit for bit, in a loop that LLVM vectorises.

    As in :func:`fill_normal_block` the Philox rounds are inlined, and the 53-bit
    integer w0 2**21 + (w1 >> 11) is converted as two exact halves (each below 2**52,
    :func:`integer_float`), whose sum is exact: the same double as ``float(bits)``.
    """
    for i in range(out.shape[0]):
        w0, w1, w2, w3 = philox_block(key, np.uint64(first) + np.uint64(i))
        out[i] = (integer_float(w0) * TWO_TO_21 + integer_float(w1 >> ELEVEN) + 0.5) * TWO_TO_MINUS_53


def fill_normals(seed, trajectory, out):
    """Fill ``out`` with the normals number 0, 1, ... of one trajectory."""
    key = normal_stream_key(seed, trajectory)
    n = out.shape[0]
    pairs = (n + 1) // 2
    cosines = np.empty(pairs)
    sines = np.empty(pairs)
    fill_normal_block(key, 0, cosines, sines)
    for m in range(pairs):
        out[2 * m] = cosines[m]
        if 2 * m + 1 < n:
            out[2 * m + 1] = sines[m]


def draw_normal_blocks(seed, trajectory, blocks, cosines, sines):
    """Draw ``blocks`` consecutive blocks of ``cosines.shape[0]`` pairs into the same buffers, as kernels do (benchmark)."""
    key = normal_stream_key(seed, trajectory)
    for block in range(blocks):
        fill_normal_block(key, block * cosines.shape[0], cosines, sines)


def fill_uniforms(seed, trajectory, out):
    """Fill ``out`` with the bridge uniforms number 0, 1, ... of one trajectory."""
    key = uniform_stream_key(seed, trajectory)
    for n in range(out.shape[0]):
        out[n] = uniform_open(key, n)


#: Source of these functions is copied into generated kernel modules, in order.
KERNEL_FUNCTIONS = (
    philox_round, philox4x32_10, stream_key, normal_stream_key, uniform_stream_key, philox_block, integer_float, horner,
    log_unit_interval, sin_cos_turn, box_muller, normal_pair, fill_normal_block, fill_lane_normals, uniform_open,
    fill_uniform_block,
)

#: Kernel functions compiled ``inline="always"`` (:func:`numerics._codegen.build_kernel_module`): the
#: ten Philox rounds, which the vectorised fill loops need copied into their bodies.
KERNEL_INLINE = ("philox4x32_10", "philox_block")

#: Module-level constants the kernel functions need (name -> Python source).
KERNEL_CONSTANTS = {
    "PHILOX_M0": "np.uint64(0xD2511F53)",
    "PHILOX_M1": "np.uint64(0xCD9E8D57)",
    "PHILOX_W0": "np.uint64(0x9E3779B9)",
    "PHILOX_W1": "np.uint64(0xBB67AE85)",
    "LOW_32_BITS": "np.uint64(0xFFFFFFFF)",
    "THIRTY_TWO": "np.uint64(32)",
    "ONE": "np.uint64(1)",
    "NORMAL_DOMAIN": "np.uint64(0)",
    "UNIFORM_DOMAIN": "np.uint64(0x80000000)",
    "NORMAL_BLOCK": repr(NORMAL_BLOCK),
    "TWO_TO_MINUS_32": repr(TWO_TO_MINUS_32),
    "TWO_TO_MINUS_53": repr(TWO_TO_MINUS_53),
    "TWO_TO_21": repr(TWO_TO_21),
    "ELEVEN": "np.uint64(11)",
    "TWO_PI": repr(TWO_PI),
    "EXPONENT_OF_TWO_TO_52": "np.uint64(0x4330000000000000)",
    "TWO_TO_52": repr(TWO_TO_52),
    "MANTISSA_MASK": "np.uint64(0x000FFFFFFFFFFFFF)",
    "EXPONENT_OF_ONE": "np.uint64(0x3FF0000000000000)",
    "EXPONENT_SHIFT": "np.uint64(52)",
    "SQRT_TWO": repr(SQRT_TWO),
    "LN2_HIGH": repr(LN2_HIGH),
    "LN2_LOW": repr(LN2_LOW),
    "OCTANT_SHIFT": "np.uint64(29)",
    "OCTANT_MASK": "np.uint64(0x1FFFFFFF)",
    "OCTANT_SIZE": "np.uint64(0x20000000)",
    "OCTANT_ANGLE_UNIT": repr(OCTANT_ANGLE_UNIT),
    "LOG_SERIES": repr(LOG_SERIES),
    "SIN_SERIES": repr(SIN_SERIES),
    "COS_SERIES": repr(COS_SERIES),
}


# --- readable pure-integer specification (used by the tests) -----------------

_WORD = 0xFFFFFFFF


def reference_philox4x32_10(counter: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, int, int, int]:
    """Philox4x32-10 on Python integers, written from Salmon et al. (2011), section 3.2."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for round_index in range(10):
        if round_index > 0:
            k0, k1 = (k0 + 0x9E3779B9) & _WORD, (k1 + 0xBB67AE85) & _WORD
        product0, product1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (product1 >> 32) ^ c1 ^ k0, product1 & _WORD, (product0 >> 32) ^ c3 ^ k1, product0 & _WORD
    return c0, c1, c2, c3


def reference_stream_block(seed: int, trajectory: int, uniform: bool, block: int) -> tuple[int, int, int, int]:
    """The Philox output of block ``block`` of a stream (module docstring: the layout)."""
    counter = (block & _WORD, block >> 32, trajectory & _WORD, (trajectory >> 32) | (0x80000000 if uniform else 0))
    return reference_philox4x32_10(counter, (seed & _WORD, seed >> 32))


def _fma(a: float, b: float, c: float) -> float:
    """a b + c rounded once: exact rational arithmetic, then Python's correctly rounded int / int."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _reference_horner(x: float, coefficients: tuple[float, ...]) -> float:
    value = coefficients[0]
    for coefficient in coefficients[1:]:
        value = _fma(value, x, coefficient)
    return value


def _reference_log_unit_interval(high: int) -> float:
    value = float(high + 1)
    bits = struct.unpack("<Q", struct.pack("<d", value))[0]
    exponent = float(bits >> 52) - 1055.0
    mantissa = struct.unpack("<d", struct.pack("<Q", (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000))[0]
    if mantissa > SQRT_TWO:
        mantissa, exponent = 0.5 * mantissa, exponent + 1.0
    s = (mantissa - 1.0) / (mantissa + 1.0)
    s2 = s * s
    series = _reference_horner(s2, LOG_SERIES)
    log_mantissa = _fma(2.0 * s, s2 * series, 2.0 * s)
    return _fma(exponent, LN2_HIGH, _fma(exponent, LN2_LOW, log_mantissa))


def _reference_sin_cos_turn(low: int) -> tuple[float, float]:
    octant, fraction = low >> 29, low & 0x1FFFFFFF
    odd = octant & 1 == 1
    theta = float((0x20000000 - fraction) if odd else fraction) * OCTANT_ANGLE_UNIT
    t2 = theta * theta
    sine = _reference_horner(t2, SIN_SERIES)
    sine = _fma(theta, t2 * sine, theta)
    cosine = _reference_horner(t2, COS_SERIES)
    cosine = _fma(t2, cosine, 1.0)
    if odd:
        sine = -sine
    quadrant = ((octant + 1) >> 1) & 3
    first, second = (cosine, sine) if quadrant & 1 else (sine, cosine)
    return (-first if quadrant & 2 else first), (-second if (quadrant + 1) & 2 else second)


def reference_box_muller(radius_word: int, angle_word: int) -> tuple[float, float]:
    """The Box-Muller pair of :func:`normal_pair` from its two words, on Python integers and floats."""
    radius = math.sqrt(-2.0 * _reference_log_unit_interval(radius_word))
    sine, cosine = _reference_sin_cos_turn(angle_word)
    return radius * cosine, radius * sine


def _pair_words(seed: int, trajectory: int, pair_index: int) -> tuple[int, int]:
    words = reference_stream_block(seed, trajectory, False, pair_index >> 1)
    return words[2:] if pair_index & 1 else words[:2]


def reference_normal_pair(seed: int, trajectory: int, pair_index: int) -> tuple[float, float]:
    """:func:`normal_pair` of trajectory ``trajectory`` on Python integers and floats."""
    return reference_box_muller(*_pair_words(seed, trajectory, pair_index))


def reference_normal_pair_libm(seed: int, trajectory: int, pair_index: int) -> tuple[float, float]:
    """The same pair through libm's log, cos and sin (to bound the polynomials' error)."""
    radius_word, angle_word = _pair_words(seed, trajectory, pair_index)
    radius = math.sqrt(-2.0 * math.log((radius_word + 1.0) * TWO_TO_MINUS_32))
    angle = TWO_PI * angle_word * TWO_TO_MINUS_32
    return radius * math.cos(angle), radius * math.sin(angle)


def reference_uniform(seed: int, trajectory: int, counter: int) -> float:
    """:func:`uniform_open` of trajectory ``trajectory`` on Python integers."""
    w0, w1, _, _ = reference_stream_block(seed, trajectory, True, counter)
    return (((w0 << 21) | (w1 >> 11)) + 0.5) * TWO_TO_MINUS_53


# --- compiled access ---------------------------------------------------------


def _random_module():
    from ._codegen import build_kernel_module

    return build_kernel_module(
        expressions={},
        functions=KERNEL_FUNCTIONS + (fill_normals, fill_uniforms, draw_normal_blocks),
        constants=KERNEL_CONSTANTS,
        inline=KERNEL_INLINE,
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
