"""SymPy -> Numba code generation and the on-disk kernel cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
import sympy

from numerics import build_kernel_module, cache_directory
from numerics._codegen import generate_module_source, print_scalar_function
from theory._errors import InvalidParameter

x = sympy.Symbol("x", real=True)
a = sympy.Symbol("a", positive=True)


def test_printer_writes_math_scalar_code():
    source = print_scalar_function("potential", sympy.exp(-x**2) + sympy.sqrt(2) * sympy.cos(x), (x,))
    assert "math.exp" in source and "math.cos" in source and "math.sqrt" in source
    assert "numpy" not in source


def test_free_symbols_are_refused_by_name():
    with pytest.raises(InvalidParameter, match=r"free symbols a"):
        generate_module_source({"gradient": (a * x, (x,))})


def test_hash_depends_on_expression_and_flags_only():
    first, _ = generate_module_source({"gradient": (4 * x**3 - 4 * x, (x,))})
    again, _ = generate_module_source({"gradient": (4 * x**3 - 4 * x, (x,))})
    other, _ = generate_module_source({"gradient": (4 * x**3 - 3 * x, (x,))})
    flagged, _ = generate_module_source({"gradient": (4 * x**3 - 4 * x, (x,))}, fastmath={"nsz"})
    assert first == again
    assert len({first, other, flagged}) == 3


def test_inline_functions_are_compiled_inline_always_and_change_the_hash():
    helper = "def twice(v):\n    return 2.0 * v\n"
    caller = "def call(v):\n    return twice(v) + 1.0\n"
    plain, plain_source = generate_module_source({}, (helper, caller))
    inlined, source = generate_module_source({}, (helper, caller), inline=("twice",))
    assert plain != inlined
    decorators = [line for line in source.splitlines() if line.startswith("@jit")]
    assert decorators[0].endswith('inline="always")') and "inline" not in decorators[1]
    assert "inline" not in plain_source.split("FASTMATH =")[1]
    with pytest.raises(InvalidParameter, match=r"inline names \['missing'\]"):
        generate_module_source({}, (helper,), inline=("missing",))


def test_expressions_take_their_own_fastmath_flags_and_the_hash_sees_them():
    """The engine compiles grad U without `contract` inside kernels with it: each expression's decorator says so."""
    caller = "def call(v):\n    return gradient(v) * 2.0\n"
    expression = {"gradient": (4 * x**3 - 4 * x, (x,))}
    same, same_source = generate_module_source(expression, (caller,), fastmath={"nsz", "contract"})
    split, source = generate_module_source(expression, (caller,), fastmath={"nsz", "contract"},
                                           expression_fastmath={"nsz"})
    assert same != split
    assert "EXPRESSION_FASTMATH = frozenset(['nsz'])" in source
    decorators = {line.split("def ")[1].split("(")[0]: line for line in source.split("@jit")[1:]}
    assert "fastmath=EXPRESSION_FASTMATH" in decorators["gradient"] and "fastmath=FASTMATH" in decorators["call"]
    assert "EXPRESSION_FASTMATH = frozenset(['contract', 'nsz'])" in same_source  # the default: the same flags


def test_latex_symbol_names_compile():
    weird = sympy.Symbol(r"\Delta x")
    module = build_kernel_module({"doubled": (2 * weird + sympy.Rational(1, 2), (weird,))})
    assert module.doubled(1.0) == 2.5


def test_module_file_lives_in_the_cache_directory(kernel_cache_directory):
    assert cache_directory() == kernel_cache_directory
    module = build_kernel_module({"square": (x**2, (x,))})
    assert module.square(3.0) == 9.0
    assert os.path.dirname(module.__file__) == str(kernel_cache_directory / "kernels")
    assert build_kernel_module({"square": (x**2, (x,))}) is module  # in-process cache


_CHILD = textwrap.dedent(
    """
    import json, time
    began = time.perf_counter()
    from numerics import compilation_statistics, langevin_first_passage
    from theory import EscapeProblem, Potential
    problem = EscapeProblem(Potential.from_string("(x**2-1)**2"), -1.0, 0.0, 0.5)
    sample = langevin_first_passage(problem, dt=1e-3, trajectories=8, seed=7)
    print(json.dumps(dict(compilation_statistics().as_dict(),
                          seconds=time.perf_counter() - began,
                          times=sample.times.tolist())))
    """
)


def _run_child(cache: str) -> dict:
    environment = dict(os.environ, KRAMERS_CACHE_DIR=cache)
    result = subprocess.run(
        [sys.executable, "-c", _CHILD], env=environment, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_second_process_loads_without_compiling(tmp_path):
    cache = str(tmp_path / "fresh-cache")
    cold = _run_child(cache)
    warm = _run_child(cache)
    assert cold["compiled"] > 0 and cold["loaded"] == 0
    assert warm["compiled"] == 0, warm
    assert warm["loaded"] > 0, warm
    assert warm["times"] == cold["times"]
    print(f"cold process {cold['seconds']:.2f} s, warm process {warm['seconds']:.2f} s")
