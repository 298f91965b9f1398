"""The command line starts light: building the parser imports no numerical library.

``kramers --help`` and the argparse registration of every subcommand must not
import SymPy, NumPy, Numba, SciPy, matplotlib, Dask or PyTorch; a command imports
what it needs when it runs (deterministic: the set of loaded modules, no timing;
the timings are in docs/performance.md).
"""

import subprocess
import sys

HEAVY = ("sympy", "mpmath", "numpy", "numba", "scipy", "matplotlib", "dask", "torch", "theory", "numerics")

PROBE = """
import sys
import verify.cli
verify.cli.build_parser()
try:
    verify.cli.main(["--help"])
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)  # stdout has the help
"""


def test_help_imports_no_numerical_library():
    completed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(completed.stderr.split())
    assert "verify" in loaded  # the probe ran
    assert not loaded & set(HEAVY), f"verify.cli imported {sorted(loaded & set(HEAVY))} at start-up"


def test_registry_loads_every_check_on_first_use():
    probe = ("import sys, verify\n"
             "assert 'verify._checks_kramers' not in sys.modules\n"
             "from verify import CHECKS\n"
             "from verify._check import CHECK_MODULES\n"
             "assert all(f'verify.{m}' in sys.modules for m in CHECK_MODULES)\n"
             "print(' '.join(CHECKS))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    # one check from the first and one from the last of the check modules
    assert {"kramers_vs_exact", "ewc_critical_tasks_on_path"} <= set(completed.stdout.split())


def test_list_from_a_warm_index_imports_no_numerical_library():
    """``kramers list`` reads the catalogue index (verify._listing); only building it needs SymPy."""
    probe = ("import sys, verify.cli\n"
             "verify.cli.main(['list'])\n"
             "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})), file=sys.stderr)")
    for _ in range(2):  # the first listing of this session's cache may build the index, the second reads it
        completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
        assert "kramers_rate" in completed.stdout
    heavy = set(completed.stderr.split()) & (set(HEAVY) - {"theory"})  # theory._cache is standard library only
    assert not heavy, f"a warm kramers list imported {sorted(heavy)}"
