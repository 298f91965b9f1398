"""Bit casts and the fused multiply-add, inside Numba kernels.

The polynomial logarithm of :mod:`numerics._random` splits a double into its
exponent and mantissa by looking at its bits, as every libm does; Numba has no
scalar bit cast, so two LLVM ``bitcast`` intrinsics provide one.  They compile
to no instruction at all and vectorise.

Its polynomials are evaluated by Horner's rule in fused multiply-adds,
fma(a, b, c) = a b + c rounded once (IEEE 754-2008), written out rather than
left to the ``contract`` fast-math flag: an explicit ``llvm.fma`` rounds the
same way in scalar and vector code and under any flags, so the normals are the
same numbers in every kernel that inlines them.  x86-64 has had the
instruction since Haswell (2013; FMA3), where it vectorises; without it LLVM
calls libm's correctly rounded ``fma`` (same numbers, slower).

Imported by every generated kernel module (see :mod:`numerics._codegen`);
importing this module imports Numba.
"""

from __future__ import annotations

from numba import types
from numba.extending import intrinsic

__all__ = ["float_bits", "bits_float", "fused_multiply_add"]


@intrinsic
def float_bits(typing_context, value):
    """The IEEE-754 bits of a float64, as a uint64."""
    if value != types.float64:
        return None

    def codegen(context, builder, signature, arguments):
        return builder.bitcast(arguments[0], context.get_value_type(types.uint64))

    return types.uint64(types.float64), codegen


@intrinsic
def bits_float(typing_context, value):
    """The float64 whose IEEE-754 bits are the uint64 ``value``."""
    if value != types.uint64:
        return None

    def codegen(context, builder, signature, arguments):
        return builder.bitcast(arguments[0], context.get_value_type(types.float64))

    return types.float64(types.uint64), codegen


@intrinsic
def fused_multiply_add(typing_context, a, b, c):
    """a b + c with one rounding (``llvm.fma.f64``), for float64 arguments."""
    if not (a == types.float64 and b == types.float64 and c == types.float64):
        return None

    def codegen(context, builder, signature, arguments):
        return builder.fma(*arguments)

    return types.float64(types.float64, types.float64, types.float64), codegen
