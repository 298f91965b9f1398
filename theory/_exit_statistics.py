"""Splitting probability, exit-time moments and conditional exit times in one dimension.

For overdamped diffusion dx = -U'/gamma dt + sqrt(2T/gamma) dW every exit-time
statistic u solves the backward equation L u = -f,
L = (T/gamma) d^2/dx^2 - (U'/gamma) d/dx, with u = 0 at absorbing ends and
u' = 0 at a reflecting end (Gardiner 2009, sections 5.2.7-5.2.8):

* f = 0 with u(A) = 0, u(B) = 1: the probability pi_R of leaving the
  interval (A, B) through B (eq. 5.2.189), a ratio of integrals of
  psi = e^{U/T};
* f = n T_{n-1}, T_0 = 1: the n-th moment T_n of the exit time, so that the
  variance is T_2 - T_1^2 (eq. 5.2.156 with its recursion); with a reflecting
  end L the n-th moment is the double integral of :func:`theory.exact_mfpt`
  with n T_{n-1} under the inner integral;
* f = pi_R: the product pi_R T_R of the splitting probability and the mean
  exit time conditioned on leaving through B (eqs. 5.2.190-5.2.193); with
  S(x) = int_A^x psi and Sbar(x) = int_x^B psi the Green's function of two
  absorbing ends gives the sum of positive integrals written below.

The numerical evaluation (panels of Gauss-Legendre nodes in log space) is
:func:`numerics.exit_time_statistics`.
"""

from __future__ import annotations

import sympy

from ._derivation import Derivation, Intermediate, ValidityRegime
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._symbols import LATEX_NAMES, L, T, b, gamma, x0
from ._typeset import Prose, written_product, written_ratio, written_sum

__all__ = ["splitting_probability", "exit_time_moments", "conditional_exit_time"]

_U = sympy.Function("U")
_y, _z = sympy.symbols("y z", real=True)
_A = sympy.Symbol("A", real=True)
_n = sympy.Symbol("n", integer=True, positive=True)
_T_previous = sympy.Function("T_{n-1}")
_pi_R = sympy.Symbol(r"\pi_R", nonnegative=True)
_T_n = sympy.Symbol("T_n", positive=True)
_theta = sympy.Symbol("theta_R", positive=True)  # theta_R = pi_R T_R
#: Names in the words of the meanings and titles (T_0 = 1, T_1 the mean first-passage time, T_R).
_T_0, _T_1, _T_R = sympy.symbols("T_0 T_1 T_R", positive=True)
#: The scale function's increments in the readable forms: S(x_0), Sbar(x_0) = S(b) - S(x_0), S(b).
_S_start, _S_bar_start, _S_end = sympy.symbols("S_x0 Sbar_x0 S_b", positive=True)
LATEX_NAMES.update({_S_start: r"S(x_0)", _S_bar_start: r"\bar S(x_0)", _S_end: r"S(b)"})

_ENDS = {
    x0: "starting point",
    _A: Prose("left absorbing end (", sympy.Lt(_A, x0, evaluate=False), ")"),
    b: Prose("right absorbing end (", sympy.Lt(x0, b, evaluate=False), ")"),
    T: _KRAMERS_MEANINGS[T],
    gamma: _KRAMERS_MEANINGS[gamma],
}


def _scale(lower, upper, variable=_y):
    """int_lower^upper e^{U/T}: the scale function's increment."""
    return sympy.Integral(sympy.exp(_U(variable) / T), (variable, lower, upper))


def splitting_probability() -> Derivation:
    """pi_R(x0) = int_A^x0 e^{U/T} / int_A^b e^{U/T}."""
    return Derivation(
        name="splitting_probability",
        title="Splitting probability between two absorbing ends (overdamped, one dimension)",
        quantity=_pi_R,
        expression=_scale(_A, x0) / _scale(_A, b),
        symbols={key: value for key, value in _ENDS.items() if key not in (gamma,)},
        conditions=(sympy.Lt(_A, x0, evaluate=False), sympy.Lt(x0, b, evaluate=False)),
        validity=ValidityRegime("exact for any temperature and barrier"),
        references=("Gardiner2009",),
        notes="L pi = 0 with pi(A) = 0, pi(b) = 1: (e^{-U/T} pi')' = 0, so pi' is proportional to e^{U/T}.",
    )


def exit_time_moments() -> Derivation:
    """T_n(x0) = (n gamma/T) int_x0^b dy e^{U(y)/T} int_L^y dz e^{-U(z)/T} T_{n-1}(z), T_0 = 1."""
    inner = sympy.Integral(sympy.exp(-_U(_z) / T) * _T_previous(_z), (_z, L, _y))
    return Derivation(
        name="exit_time_moments",
        title=Prose("Moments of the exit time, reflecting end", L, "(overdamped, one dimension)"),
        quantity=_T_n,
        expression=(_n * gamma / T) * sympy.Integral(sympy.exp(_U(_y) / T) * inner, (_y, x0, b)),
        symbols={
            x0: "starting point",
            b: Prose("absorbing end (", sympy.Gt(b, x0, evaluate=False), ")"),
            L: Prose("reflecting end (may be", -sympy.oo, ")"),
            _n: Prose("order of the moment (", sympy.Eq(_T_0, 1, evaluate=False), ",", _T_1,
                      "the mean first-passage time)"),
            T: _KRAMERS_MEANINGS[T], gamma: _KRAMERS_MEANINGS[gamma],
        },
        conditions=(sympy.Lt(L, x0, evaluate=False), sympy.Lt(x0, b, evaluate=False)),
        validity=ValidityRegime("exact for any temperature and barrier"),
        references=("Gardiner2009",),
        notes="L T_n = -n T_{n-1} with T_n(b) = 0 and T_n'(L) = 0; the variance is T_2 - T_1^2.",
        readable=written_product(written_ratio(written_product(_n, gamma), T), sympy.Integral(written_product(
            sympy.exp(_U(_y) / T), sympy.Integral(written_product(_T_previous(_z), sympy.exp(-_U(_z) / T)),
                                                  (_z, L, _y))), (_y, x0, b))),
    )


def conditional_exit_time() -> Derivation:
    """pi_R T_R from the Green's function of two absorbing ends with source pi_R."""
    total = _scale(_A, b)
    left = _scale(x0, b) / total * sympy.Integral(
        _scale(_A, _z) * sympy.exp(-_U(_z) / T) * _scale(_A, _z) / total, (_z, _A, x0))
    right = _scale(_A, x0) / total * sympy.Integral(
        _scale(_z, b) * sympy.exp(-_U(_z) / T) * _scale(_A, _z) / total, (_z, x0, b))
    prefactor = written_product(T, _S_end**2)
    readable = written_sum(
        written_product(written_ratio(written_product(gamma, _S_bar_start), prefactor), sympy.Integral(
            written_product(sympy.exp(-_U(_z) / T), _scale(_A, _z) ** 2), (_z, _A, x0))),
        written_product(written_ratio(written_product(gamma, _S_start), prefactor), sympy.Integral(
            written_product(sympy.exp(-_U(_z) / T), _scale(_A, _z), _scale(_z, b)), (_z, x0, b))),
    )
    return Derivation(
        name="conditional_exit_time",
        title=Prose(sympy.Eq(_theta, written_product(_pi_R, _T_R), evaluate=False),
                    ": mean exit time given the exit through", b, ", times its probability"),
        quantity=_theta,
        expression=(gamma / T) * (left + right),
        symbols=_ENDS,
        conditions=(sympy.Lt(_A, x0, evaluate=False), sympy.Lt(x0, b, evaluate=False)),
        validity=ValidityRegime("exact for any temperature and barrier"),
        references=("Gardiner2009", "Hanggi1990"),
        notes=(
            "L(pi_R T_R) = -pi_R with zero at both ends; G(x, z) = (gamma/T) e^{-U(z)/T} S(min) Sbar(max) / S(b), "
            "S(x) = int_A^x e^{U/T}, Sbar(x) = int_x^b e^{U/T}, is positive, so every term is. The left "
            "conditional time follows with pi_L = 1 - pi_R in place of pi_R."
        ),
        readable=readable,
        intermediates=(
            Intermediate(_S_start, _scale(_A, x0), "increment of the scale function from the left end to the start"),
            Intermediate(_S_bar_start, _scale(x0, b), "increment of the scale function from the start to the right end"),
            Intermediate(_S_end, _scale(_A, b), "increment of the scale function across the interval"),
        ),
    )
