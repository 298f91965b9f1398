"""Dependencies point one way: theory <- numerics <- verify; theory uses SymPy and mpmath only."""

import ast
import pathlib
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
# The optional PyTorch extra [networks], imported lazily inside numerics._skill_networks only.
ALLOWED["numerics"] |= {"torch"}


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
            if name not in STANDARD_LIBRARY and name not in ALLOWED[package] and name != package:
                offending.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    assert not offending, f"{package} imports outside its layer: {offending}"
