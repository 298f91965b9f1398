"""SymPy expressions and kernel source -> one generated, disk-cached Numba module.

Following devito's practice, a kernel is generated as Python source text, the
file is named by a content hash, and every function in it is compiled with
``cache=True`` through :func:`numerics._jit.jit`.  A second process that needs
the same kernel finds the same file (same hash, same time stamp, because the
file is never rewritten), imports it, and Numba loads the machine code from its
cache next to the file instead of compiling.

The hash covers everything that changes the machine code: the ``sympy.srepr``
of each expression and its argument order, the fast-math and parallel flags,
the module constants, the text of the kernel functions, and the versions of
Python, NumPy, SymPy and Numba.

Expressions are printed by SymPy's ``PythonCodePrinter`` as scalar ``math.``
code (``math.exp(x)``), which Numba compiles to plain libm calls; an expression
may contain no free symbol other than its arguments.

Cache directory: :func:`theory._cache.cache_directory` (``$KRAMERS_CACHE_DIR``, else
``$XDG_CACHE_HOME/kramers``, else ``~/.cache/kramers``); the generated files live in
its ``kernels/`` folder.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import keyword
import os
import platform
import sys
import tempfile
import textwrap
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import ModuleType

import sympy

from theory._cache import cache_directory
from theory._errors import CompilationError, InvalidParameter
from theory._parse import as_expression

from ._jit import DEFAULT_FASTMATH_FLAGS, validate_fastmath

__all__ = [
    "GENERATOR_VERSION",
    "cache_directory",
    "print_scalar_function",
    "generate_module_source",
    "build_kernel_module",
]

#: Bumped whenever the layout of generated files changes.
GENERATOR_VERSION = "3"

_lock = threading.Lock()
_loaded_modules: dict[str, ModuleType] = {}


def _check_name(name: str, what: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise InvalidParameter(f"{what} name {name!r} is not a public Python identifier.")


def print_scalar_function(name: str, expression: sympy.Expr, arguments: Sequence[sympy.Symbol]) -> str:
    """Python source of ``def name(arg0, ...): return float(<expression>)`` using ``math``."""
    _check_name(name, "expression")
    expression = as_expression(expression, what="expression")
    arguments = tuple(arguments)
    for argument in arguments:
        if not isinstance(argument, sympy.Symbol):
            raise InvalidParameter(f"argument {argument!r} of {name!r} is not a SymPy Symbol.")
    if len(set(arguments)) != len(arguments):
        raise InvalidParameter(f"arguments of {name!r} contain a repeated symbol: {arguments}.")
    extra = expression.free_symbols - set(arguments)
    if extra:
        names = ", ".join(sorted(str(symbol) for symbol in extra))
        raise InvalidParameter(
            f"expression {name!r} has free symbols {names} besides its arguments "
            f"{[str(a) for a in arguments]}: substitute numbers for every parameter first."
        )
    placeholders = [sympy.Symbol(f"arg{index}") for index in range(len(arguments))]
    renamed = expression.xreplace(dict(zip(arguments, placeholders)))
    from sympy.printing.pycode import PythonCodePrinter

    printer = PythonCodePrinter({"standard": "python3", "fully_qualified_modules": True})
    code = printer.doprint(renamed)
    unsupported = getattr(printer, "_not_supported", set())
    if unsupported:
        raise InvalidParameter(
            f"expression {name!r} contains functions that cannot be compiled: "
            f"{', '.join(sorted(map(str, unsupported)))}."
        )
    signature = ", ".join(str(p) for p in placeholders)
    return f"def {name}({signature}):\n    return float({code})\n"


@functools.lru_cache(maxsize=256)
def _function_source(function: Callable | str) -> tuple[str, str]:
    """(name, dedented source without decorators) of a kernel function (memoised)."""
    if isinstance(function, str):
        source = textwrap.dedent(function)
    else:
        source = textwrap.dedent(inspect.getsource(function))
    lines = source.splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    source = "\n".join(lines) + "\n"
    if not source.startswith("def "):
        raise InvalidParameter("kernel source must be a single top-level 'def' function.")
    name = source[4 : source.index("(")].strip()
    return name, source


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    from importlib.metadata import version

    return (
        f"python={platform.python_version()} numpy={version('numpy')} "
        f"sympy={version('sympy')} numba={version('numba')}"
    )


def generate_module_source(
    expressions: Mapping[str, tuple[sympy.Expr, Sequence[sympy.Symbol]]],
    functions: Sequence[Callable | str] = (),
    *,
    constants: Mapping[str, str] | None = None,
    parallel: Collection[str] = (),
    inline: Collection[str] = (),
    fastmath=DEFAULT_FASTMATH_FLAGS,
    expression_fastmath=None,
) -> tuple[str, str]:
    """Return ``(content_hash, source)`` of the kernel module; nothing is written."""
    flags = validate_fastmath(fastmath)
    expression_flags = flags if expression_fastmath is None else validate_fastmath(expression_fastmath)
    constants = dict(constants or {})
    key_material: list[str] = [f"generator={GENERATOR_VERSION}", _versions(), f"fastmath={sorted(flags)}",
                               f"expression fastmath={sorted(expression_flags)}"]
    blocks: list[str] = []
    names: list[str] = []
    for name in sorted(expressions):
        expression, arguments = expressions[name]
        expression = as_expression(expression, what="expression")
        blocks.append(print_scalar_function(name, expression, arguments))
        names.append(name)
        key_material.append(
            f"expression {name}: {sympy.srepr(expression)} args {[sympy.srepr(a) for a in arguments]}"
        )
    kernel_sources: list[str] = []
    for function in functions:
        name, source = _function_source(function)
        names.append(name)
        kernel_sources.append(source)
        blocks.append(source)
    duplicates = {n for n in names if names.count(n) > 1} | (set(names) & set(constants))
    if duplicates:
        raise InvalidParameter(f"kernel module names defined twice: {sorted(duplicates)}.")
    unknown_parallel = set(parallel) - set(names)
    if unknown_parallel:
        raise InvalidParameter(f"parallel names {sorted(unknown_parallel)} are not functions of the module.")
    unknown_inline = set(inline) - set(names)
    if unknown_inline:
        raise InvalidParameter(f"inline names {sorted(unknown_inline)} are not functions of the module.")
    key_material.append("parallel=" + ",".join(sorted(parallel)))
    key_material.append("inline=" + ",".join(sorted(inline)))
    key_material.append("constants=" + repr(sorted(constants.items())))
    key_material.append("kernels=" + hashlib.sha256("\n".join(kernel_sources).encode()).hexdigest())
    content_hash = hashlib.sha256("\n".join(key_material).encode()).hexdigest()[:32]

    header = [
        f"# Generated by kramers (numerics._codegen, generator {GENERATOR_VERSION}); do not edit.",
        f"# content hash {content_hash}",
        "# " + _versions(),
        "import math",
        "",
        "import numpy as np",
        "from numba import prange",
        "",
        "from numerics._intrinsics import bits_float, float_bits, fused_multiply_add",
        "from numerics._jit import jit",
        "",
        f"FASTMATH = frozenset({sorted(flags)!r})",
        f"EXPRESSION_FASTMATH = frozenset({sorted(expression_flags)!r})",
    ]
    header += [f"{name} = {value}" for name, value in constants.items()]
    body = []
    for name, block in zip(names, blocks):
        # error_model="numpy": 1/0 gives inf (caught as a non-finite state), not an exception.
        options = ', inline="always"' if name in inline else ""
        math_flags = "EXPRESSION_FASTMATH" if name in expressions else "FASTMATH"
        decorator = (f'@jit(cache=True, parallel={name in parallel}, fastmath={math_flags}, error_model="numpy"'
                     f'{options})')
        body.append(decorator + "\n" + block)
    source = "\n".join(header) + "\n\n\n" + "\n\n".join(body)
    return content_hash, source


def _write_atomically(path: Path, source: str) -> None:
    """Create ``path`` with ``source`` unless it exists; never rewrite it.

    The file is written to a temporary name and then hard-linked into place, so a
    concurrent reader sees either no file or the whole file, and an existing file
    keeps its time stamp (which keys Numba's cache index).
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(source)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:  # file systems without hard links
            if not path.exists():
                os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def build_kernel_module(
    expressions: Mapping[str, tuple[sympy.Expr, Sequence[sympy.Symbol]]],
    functions: Sequence[Callable | str] = (),
    *,
    constants: Mapping[str, str] | None = None,
    parallel: Collection[str] = (),
    inline: Collection[str] = (),
    fastmath=DEFAULT_FASTMATH_FLAGS,
    expression_fastmath=None,
) -> ModuleType:
    """Generate (or find) the kernel module on disk and import it; cached in-process.

    ``expressions`` maps a function name to ``(expression, arguments)``; each becomes
    a compiled scalar function of its arguments.  ``functions`` are kernel functions
    (or their source text) copied verbatim; names listed in ``parallel`` are compiled
    with ``parallel=True`` (their loops may use ``prange``); those in ``inline`` with
    ``inline="always"``, so that Numba copies them into every caller before LLVM sees
    the code (LLVM itself inlines only small functions, and a call keeps a loop scalar).  ``constants`` maps
    module-level names to Python source.  ``fastmath`` are the fast-math flags of the
    kernel functions, ``expression_fastmath`` those of the expressions (default: the
    same).  LLVM keeps the flags of each instruction when it inlines a function, so an
    expression compiled without ``contract`` rounds alike in every caller, whatever
    that caller's flags let LLVM fuse around it.  Compilation happens at the first call
    of each function; Numba's cache makes it a load in every later process.
    """
    content_hash, source = generate_module_source(
        expressions, functions, constants=constants, parallel=parallel, inline=inline, fastmath=fastmath,
        expression_fastmath=expression_fastmath,
    )
    with _lock:
        module = _loaded_modules.get(content_hash)
        if module is not None:
            return module
        path = cache_directory() / "kernels" / f"kernel_{content_hash}.py"
        try:
            _write_atomically(path, source)
        except OSError as error:
            raise CompilationError(f"cannot write the kernel file {path}: {error}.") from error
        module_name = f"kramers_kernel_{content_hash}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise CompilationError(f"cannot import the generated kernel file {path}.")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[module_name]
            raise CompilationError(
                f"the generated kernel file {path} failed to import ({error}); delete it and retry."
            ) from error
        _loaded_modules[content_hash] = module
        return module
