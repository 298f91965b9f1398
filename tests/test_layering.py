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
