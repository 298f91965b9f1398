"""Reinterpreting the bits of a float64 as a uint64 and back, inside Numba kernels.

The polynomial logarithm of :mod:`numerics._random` splits a double into its
exponent and mantissa by looking at its bits, as every libm does; Numba has no
scalar bit cast, so these two LLVM ``bitcast`` intrinsics provide one.  They
compile to no instruction at all and vectorise.  Imported by every generated
kernel module (see :mod:`numerics._codegen`); importing this module imports
Numba.
"""

from __future__ import annotations

from numba import types
from numba.extending import intrinsic

__all__ = ["float_bits", "bits_float"]


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
