"""Verification: every derivation against an independent measurement.

Imports ``theory`` and ``numerics``; nothing imports it back.

The public names load on first use (PEP 562 module ``__getattr__``): ``import verify``
and the command line (``verify.cli``) start without SymPy, NumPy or Numba, and the
checks register when the registry is first asked for (``CHECKS``, ``run_checks``;
see :func:`verify._check.load_checks`).
"""

from __future__ import annotations

import importlib

#: Public name -> the module that defines it.
_PUBLIC = {
    "Comparison": "_budget",
    "ErrorBudget": "_budget",
    "CHECKS": "_check",
    "FULL": "_check",
    "QUICK": "_check",
    "Check": "_check",
    "CheckResult": "_check",
    "register": "_check",
    "run_checks": "_check",
    "format_table": "_report",
    "results_json": "_report",
    "Estimate": "_statistics",
    "exponential_rate": "_statistics",
    "mean_first_passage": "_statistics",
    "KolmogorovSmirnov": "_statistics",
    "SurvivalEstimate": "_statistics",
    "kaplan_meier": "_statistics",
    "kolmogorov_smirnov": "_statistics",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_PUBLIC[name]}")
    if name == "CHECKS":  # the registry, complete; not cached, so a test's swapped registry shows through
        return module.load_checks()
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
