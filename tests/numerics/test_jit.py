"""The compilation gate: safe fast-math only, lazy Numba, counted compilations."""

from __future__ import annotations

import subprocess
import sys

import pytest

from numerics import SAFE_FASTMATH_FLAGS, compilation_statistics, jit
from theory._errors import InvalidParameter


@pytest.mark.parametrize("flags", [True, "fast", {"nnan"}, {"ninf", "nsz"}, {"fast"}])
def test_unsafe_fastmath_is_refused(flags):
    with pytest.raises(InvalidParameter, match="fastmath"):
        jit(lambda x: x, fastmath=flags)


def test_safe_fastmath_compiles_and_is_counted():
    def add_one(x):
        return x + 1.0

    before = compilation_statistics()
    compiled = jit(add_one, cache=False, fastmath=SAFE_FASTMATH_FLAGS)
    assert compiled(1.0) == 2.0
    after = compilation_statistics()
    assert after.dispatchers == before.dispatchers + 1
    assert after.compiled == before.compiled + 1


def test_importing_numerics_does_not_import_numba():
    code = "import sys, numerics; assert 'numba' not in sys.modules, 'numba imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
