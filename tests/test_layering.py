"""Dependencies point one way: theory <- numerics <- verify; theory uses SymPy and mpmath only."""

import ast
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
STANDARD_LIBRARY = set(sys.stdlib_module_names) | {"__future__"}

ALLOWED = {
    "theory": {"sympy", "mpmath"},
    "numerics": {"sympy", "mpmath", "numpy", "numba", "llvmlite", "scipy", "theory"},
    "verify": {"sympy", "mpmath", "numpy", "numba", "scipy", "theory", "numerics", "matplotlib"},
}
# The optional Dask backend (extra [distributed]), imported lazily by numerics._distributed only.
ALLOWED["numerics"] |= {"dask", "distributed"}
# The optional network experiment (extra [networks]): PyTorch and scikit-learn (the digits data set) in
# numerics/_network.py only, which numerics/__init__ does not import and `kramers network` loads lazily.
# The skill-learning MLPs (kramers skills modularity) import torch inside numerics/_skill_networks.py only.
ALLOWED_IN_FILE = {"numerics/_network.py": {"torch", "sklearn"}, "numerics/_skill_networks.py": {"torch"}}


def imported_packages(path: pathlib.Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    offending = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported_packages(path):
            allowed = ALLOWED[package] | ALLOWED_IN_FILE.get(path.relative_to(ROOT).as_posix(), set())
            if name not in STANDARD_LIBRARY and name not in allowed and name != package:
                offending.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    assert not offending, f"{package} imports outside its layer: {offending}"


# --- Library errors name parameters; command-line flags belong to verify/cli (which maps them).
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# Flags of other programs that a library message may quote: the Dask worker command line.
FOREIGN_FLAGS = {"numerics/_distributed.py": {"--nthreads"}}


def flags_in_strings(source: str) -> list[tuple[int, str]]:
    """(line, flag) of every command-line flag in a string literal of ``source``, docstrings excepted."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [(node.lineno, flag) for flag in FLAG.findall(node.value)]
    return found


def test_the_flag_scanner_finds_flags_in_messages_and_labels_only():
    source = '''
def f(digits, x):
    """Docstrings may show the command line: ``kramers mfpt --digits 20``."""
    # comments too: --digits
    if digits < 1:
        raise ValueError(f"--digits must be positive, got {digits}")
    return g(x, what="--from"), "a-b --c-d", "x--y", "-- not a flag"
'''
    assert sorted(flag for _, flag in flags_in_strings(source)) == ["--c-d", "--digits", "--from"]


@pytest.mark.parametrize("package", ["theory", "numerics"])
def test_library_strings_name_no_command_line_flags(package):
    offending = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        flags = [(line, flag) for line, flag in flags_in_strings(path.read_text())
                 if flag not in FOREIGN_FLAGS.get(name, set())]
        if flags:
            offending[name] = flags
    assert not offending, f"{package} names command-line flags (name the parameter; verify/cli maps it): {offending}"
