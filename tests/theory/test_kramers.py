"""Kramers theory derived by Laplace's method, against hand derivations and the exact MFPT."""

import mpmath
import pytest
import sympy

from numerics import exit_time_statistics
from theory import (
    Potential, escape_time_series, kramers_correction, kramers_escape, kramers_escape_time, kramers_rate,
    laplace_series, symbols as s,
)


def test_leading_order_is_kramers_law_as_stated_in_the_literature():
    # Kramers (1940), docs/kramers.md: k = sqrt(U''(a)|U''(b)|)/(2 pi gamma) exp(-dU/T)
    hand = sympy.sqrt(s.kappa_a * s.kappa_b) / (2 * sympy.pi * s.gamma) * sympy.exp(-s.DeltaU / s.T)
    assert sympy.simplify(kramers_rate().expression - hand) == 0
    assert sympy.simplify(kramers_escape_time().expression * hand - 1) == 0


def test_first_order_coefficients_match_the_hand_laplace_expansion():
    # c_a = 5 U'''(a)^2/(24 U''(a)^3) - U''''(a)/(8 U''(a)^2); c_b = 5 U'''(b)^2/(24|U''(b)|^3) + U''''(b)/(8 U''(b)^2)
    c_a = 5 * s.U3_a**2 / (24 * s.kappa_a**3) - s.U4_a / (8 * s.kappa_a**2)
    c_b = 5 * s.U3_b**2 / (24 * s.kappa_b**3) + s.U4_b / (8 * s.kappa_b**2)
    assert sympy.simplify(laplace_series(1, at_saddle=False)[1] - c_a) == 0
    assert sympy.simplify(laplace_series(1, at_saddle=True)[1] - c_b) == 0
    assert sympy.simplify(escape_time_series(1)[2] - (c_a + c_b)) == 0
    correction = kramers_correction().expression
    assert sympy.simplify(correction - s.tau_K * (1 + s.T * (c_a + c_b))) == 0


def test_laplace_series_against_direct_quadrature():
    # int exp(-(kappa s^2/2 + u3 s^3/6 + u4 s^4/24)/T) ds for a confining quartic, at small T
    kappa, u3, u4, T = 2, mpmath.mpf("0.9"), 3, mpmath.mpf("0.01")
    with mpmath.workdps(30):
        exact = mpmath.quad(lambda x: mpmath.exp(-(kappa * x**2 / 2 + u3 * x**3 / 6 + u4 * x**4 / 24) / T),
                            [-mpmath.inf, 0, mpmath.inf])
        series = laplace_series(2, at_saddle=False)
        values = {s.kappa_a: kappa, s.U3_a: u3, s.U4_a: u4, s.U5_a: 0, s.U6_a: 0}
        c1, c2 = (mpmath.mpf(sympy.N(c.subs(values), 30)) for c in series[1:])
        leading = mpmath.sqrt(2 * mpmath.pi * T / kappa)
        residual = exact / leading - (1 + c1 * T + c2 * T**2)
    # the first neglected term is O(T^3) = 1e-6 times a coefficient of order one
    assert abs(residual) < 10 * T**3


def test_canonical_double_well_correction_is_three_eighths():
    theory = kramers_escape(Potential.from_string("(x**2-1)**2"), -1, 1)
    assert theory.correction_coefficient(1) == sympy.Rational(3, 8)


def test_second_order_coefficient_against_exact_mfpt():
    # Independent of the series: (tau k_K - 1 - 3T/8)/T^2 from exact quadrature, extrapolated to T = 0
    # linearly (its next term is O(T)), reproduces the derived C_2.
    potential = Potential.from_string("(x**2-1)**2")
    theory = kramers_escape(potential, -1, 1)
    C2 = float(theory.correction_coefficient(2))
    estimates = []
    for temperature in (0.025, 0.0125):
        tau = exit_time_statistics(potential, -1, 1, temperature).mfpt
        rate = float(theory.rate.expression.subs({s.T: temperature, s.gamma: 1}))
        estimates.append((tau * rate - 1 - 3 * temperature / 8) / temperature**2)
    extrapolated = 2 * estimates[1] - estimates[0]
    # remaining error O(T^2) of the extrapolation: the two estimates differ by 0.013, so 0.01 bounds it
    assert C2 == pytest.approx(57 / 128)
    assert extrapolated == pytest.approx(C2, abs=0.01)


def test_parametric_landscape_rate_in_closed_form():
    a = sympy.Symbol("a", real=True)
    theory = kramers_escape(Potential.from_string("x**4/4 - a*x**2/2", parameters={"a": "0.7"}), -1, 1)
    # U''(-sqrt a) = 2a, |U''(0)| = a, dU = a^2/4
    # (the closed form holds where the two wells exist, a > 0)
    positive = sympy.Symbol("a", positive=True)
    hand = sympy.sqrt(2 * a * a) / (2 * sympy.pi * s.gamma) * sympy.exp(-a**2 / (4 * s.T))
    assert sympy.simplify((theory.rate.expression - hand).subs(a, positive)) == 0
    numbers = theory.numbers(temperature=0.05, friction=2)
    assert numbers["rate"] == pytest.approx(float(hand.subs({a: 0.7, s.T: 0.05, s.gamma: 2})), rel=1e-14)
    assert numbers["barrier"] == pytest.approx(0.1225, rel=1e-14)


def test_absorbing_at_the_saddle_halves_the_time():
    # tau(-1 -> 0) k_K -> 1/2 as T -> 0 (half of the arrivals at the saddle fall back)
    potential = Potential.from_string("(x**2-1)**2")
    theory = kramers_escape(potential, -1, 1)
    ratios = []
    for temperature in (0.02, 0.01):
        tau = exit_time_statistics(potential, -1, 0, temperature).mfpt
        ratios.append(tau * float(theory.rate.expression.subs({s.T: temperature, s.gamma: 1})))
    # the half-Gaussian at the saddle leaves an O(sqrt(T)) correction: sqrt(2 T/(pi |U''(b)|)) to leading order
    for temperature, ratio in zip((0.02, 0.01), ratios):
        assert ratio == pytest.approx(0.5, abs=2 * (temperature / 4) ** 0.5)
    assert abs(ratios[1] - 0.5) < abs(ratios[0] - 0.5)
