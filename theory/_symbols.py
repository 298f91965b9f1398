"""The canonical symbols of escape-rate theory.

One SymPy symbol per physical quantity, created once here with its
assumptions and reused by every derivation (SymPy's advice: never two symbols
of one name with different assumptions).  Names are plain ASCII so that
``derivation.evaluate(T=0.5)`` reads naturally; :data:`LATEX_NAMES` gives the
typeset form used by :meth:`theory.Derivation.latex`.
"""

from __future__ import annotations

import sympy

__all__ = [
    "T", "gamma", "DeltaU", "kappa_a", "kappa_b", "k", "tau", "tau_K",
    "U3_a", "U4_a", "U5_a", "U6_a", "U3_b", "U4_b", "U5_b", "U6_b",
    "c_a", "c_b", "t", "x0", "b", "L", "m", "I_b", "LATEX_NAMES", "RESERVED_NAMES",
]

T = sympy.Symbol("T", positive=True)
gamma = sympy.Symbol("gamma", positive=True)
DeltaU = sympy.Symbol("DeltaU", positive=True)
kappa_a = sympy.Symbol("kappa_a", positive=True)
kappa_b = sympy.Symbol("kappa_b", positive=True)
k = sympy.Symbol("k", positive=True)
tau = sympy.Symbol("tau", positive=True)
tau_K = sympy.Symbol("tau_K", positive=True)
c_a = sympy.Symbol("c_a", real=True)
c_b = sympy.Symbol("c_b", real=True)
U3_a, U4_a, U5_a, U6_a = sympy.symbols("U3_a U4_a U5_a U6_a", real=True)
U3_b, U4_b, U5_b, U6_b = sympy.symbols("U3_b U4_b U5_b U6_b", real=True)
t = sympy.Symbol("t", real=True)  # time, the argument of temperature schedules T(t)
x0 = sympy.Symbol("x_0", real=True)
b = sympy.Symbol("b", real=True)
L = sympy.Symbol("L", real=True)
m = sympy.Symbol("m", positive=True)          # mass (underdamped dynamics)
I_b = sympy.Symbol("I_b", positive=True)      # action of the well's orbit at the barrier energy

LATEX_NAMES = {
    DeltaU: r"\Delta U",
    I_b: r"I(E_b)",
    kappa_a: r"U''(a)",
    kappa_b: r"|U''(b)|",
    tau_K: r"\tau_{\mathrm{K}}",
    U3_a: r"U'''(a)", U4_a: r"U^{(4)}(a)", U5_a: r"U^{(5)}(a)", U6_a: r"U^{(6)}(a)",
    U3_b: r"U'''(b)", U4_b: r"U^{(4)}(b)", U5_b: r"U^{(5)}(b)", U6_b: r"U^{(6)}(b)",
}

#: Names a user potential may not use for its own parameters: they denote the
#: temperature and the friction in every derivation.
RESERVED_NAMES = frozenset({"T", "gamma"})

#: The potential and its two points, for meanings written in words and mathematics.
U = sympy.Function("U")
a = sympy.Symbol("a", real=True)
k_B = sympy.Symbol("k_B", positive=True)
