"""Underdamped Kramers theory: limits shown symbolically, the action against its closed form,
and the Mel'nikov-Meshkov factor's two limits."""

import math

import mpmath
import pytest
import sympy

from theory import (
    InvalidParameter, Potential, depopulation_factor, derivation, kramers_rate, mel_nikov_meshkov_rate,
    underdamped_energy_diffusion_rate, underdamped_escape, underdamped_spatial_diffusion_rate,
)
from theory._symbols import DeltaU, I_b, T, gamma, kappa_a, kappa_b, m

QUARTIC = Potential.from_string("(x**2-1)**2")


def test_spatial_diffusion_rate_tends_to_the_overdamped_rate_as_friction_grows():
    spatial = underdamped_spatial_diffusion_rate().expression
    overdamped = kramers_rate().expression
    assert sympy.limit(spatial / overdamped, gamma, sympy.oo) == 1


def test_spatial_diffusion_rate_tends_to_transition_state_theory_as_friction_vanishes():
    spatial = underdamped_spatial_diffusion_rate().expression
    transition_state = sympy.sqrt(kappa_a / m) / (2 * sympy.pi) * sympy.exp(-DeltaU / T)
    assert sympy.simplify(spatial.subs(gamma, 0) - transition_state) == 0


def test_quartic_frequencies_and_separatrix_action_have_their_closed_forms():
    # 1 - (x^2 - 1)^2 = x^2 (2 - x^2): I = 2 int_{-sqrt 2}^{0} sqrt(2 x^2 (2 - x^2)) dx, by SymPy
    x = sympy.Symbol("x", positive=True)
    closed = sympy.integrate(2 * sympy.sqrt(2) * x * sympy.sqrt(2 - x**2), (x, 0, sympy.sqrt(2)))
    assert closed == sympy.Rational(8, 3)
    theory = underdamped_escape(QUARTIC, -1, 1)
    assert float(theory.turning_point) == pytest.approx(-math.sqrt(2), rel=1e-15)
    assert float(theory.action(1)) == pytest.approx(8 / 3, rel=1e-15)
    assert float(theory.action(2)) == pytest.approx(math.sqrt(2) * 8 / 3, rel=1e-15)
    numbers = theory.numbers(0.2, 1, 1)
    assert numbers["omega_0"] == pytest.approx(math.sqrt(8)) and numbers["omega_b"] == pytest.approx(2)
    assert numbers["energy_loss"] == pytest.approx(40 / 3)


def test_action_on_an_asymmetric_well_equals_the_quadrature_written_out():
    # numeric stationary points and turning point: I(E_b) against the integral written out with mpmath
    potential = Potential.from_string("x**4/4 - x**2/2 + x/10")
    theory = underdamped_escape(potential, -1, "1.2")
    U = potential.mpmath_function(0)
    saddle = mpmath.findroot(lambda x: x**3 - x + mpmath.mpf(1) / 10, 0.1)
    turning = mpmath.findroot(lambda x: U(x) - U(saddle), -1.5)
    direct = 2 * mpmath.quad(lambda x: mpmath.sqrt(2 * max(U(saddle) - U(x), 0)), [turning, -1, saddle])
    assert float(theory.reduced_action) == pytest.approx(float(direct), rel=1e-12)


def test_depopulation_factor_tends_to_delta_with_the_zeta_correction():
    coefficient = mpmath.zeta(0.5) / mpmath.sqrt(mpmath.pi)
    for small in (1e-6, 1e-4):
        ratio = depopulation_factor(small) / small
        assert abs(ratio - 1 - coefficient * math.sqrt(small)) < 10 * small


def test_depopulation_factor_tends_to_one_for_large_delta():
    values = [depopulation_factor(d) for d in (1, 3, 10, 30)]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert 1 - values[-1] < 2e-4


def test_turnover_joins_energy_diffusion_and_spatial_diffusion():
    theory = underdamped_escape(QUARTIC, -1, 1)
    weak = theory.numbers(0.2, 1e-7, 1)   # Delta = 1.3e-6: correction 0.824 sqrt(Delta) = 1e-3
    assert weak["rate_turnover"] / weak["rate_energy_diffusion"] == pytest.approx(1, abs=2e-3)
    strong = theory.numbers(0.2, 10, 1)   # Delta = 133: 1 - A ~ e^{-Delta/4}
    assert strong["rate_turnover"] / strong["rate_spatial_diffusion"] == pytest.approx(1, abs=1e-12)


def test_turnover_derivation_evaluates_through_its_integral():
    value = mel_nikov_meshkov_rate().evaluate(T=0.2, gamma=0.1, m=1, DeltaU=1, kappa_a=8, kappa_b=4, I_b="8/3")
    spatial = underdamped_spatial_diffusion_rate().evaluate(T=0.2, gamma=0.1, m=1, DeltaU=1, kappa_a=8, kappa_b=4)
    assert value == pytest.approx(depopulation_factor(mpmath.mpf(4) / 3) * spatial, rel=1e-12)
    assert {"underdamped_spatial_diffusion_rate", "underdamped_energy_diffusion_rate",
            "mel_nikov_meshkov_rate"} <= {derivation(n).name for n in (
                "underdamped_spatial_diffusion_rate", "underdamped_energy_diffusion_rate", "mel_nikov_meshkov_rate")}
    assert "MelnikovMeshkov1986" in mel_nikov_meshkov_rate().references
    assert I_b in underdamped_energy_diffusion_rate().symbols and kappa_b not in underdamped_energy_diffusion_rate().symbols


def test_a_well_that_does_not_close_at_the_barrier_energy_is_refused():
    # U = (x^2-1)^2/(1+x^4) < 1 = U(0) for every x != 0: the orbit at the barrier energy never turns back
    potential = Potential.from_string("(x**2-1)**2/(1+x**4)")
    with pytest.raises(InvalidParameter, match="barrier energy"):
        underdamped_escape(potential, -1, 1).turning_point


def test_exact_weak_friction_time_against_an_independent_scipy_quadrature_and_its_scalings():
    # tau_ED = (m/(gamma T)) int dE [1 + e^{E/T}/(T I) int I e^{-E'/T}], I(E) by scipy on 800 energy steps
    import numpy as np
    from scipy import integrate, optimize

    def action(energy):
        if energy <= 0:
            return 0.0
        left = optimize.brentq(lambda x: (x * x - 1) ** 2 - energy, -math.sqrt(2) - 1e-12, -1)
        right = optimize.brentq(lambda x: (x * x - 1) ** 2 - energy, -1, 0)
        return 2 * integrate.quad(lambda x: math.sqrt(max(2 * (energy - (x * x - 1) ** 2), 0)), left, right)[0]

    temperature = 0.2
    energies = np.linspace(0, 1, 801)
    actions = np.array([action(e) for e in energies[:-1]] + [8 / 3])
    inner = integrate.cumulative_trapezoid(actions * np.exp(-(energies - 1) / temperature), energies, initial=0)
    outer = np.ones_like(energies)
    outer[1:] += np.exp((energies[1:] - 1) / temperature) / (temperature * actions[1:]) * inner[1:]
    reference = integrate.trapezoid(outer, energies) / temperature
    theory = underdamped_escape(QUARTIC, -1, 1)
    tau, error = theory.energy_diffusion_time(temperature, 1, 1, nodes=50)
    assert tau == pytest.approx(reference, abs=2 * error + 1e-4 * reference)
    assert theory.energy_diffusion_time(temperature, 0.5, 2, nodes=50)[0] == pytest.approx(4 * tau, rel=1e-12)
    # it tends to 1/k_ed only as T/dU -> 0: at T = 0.2 the asymptotic rate is 1/0.696 too fast
    assert 1 / (tau * theory.numbers(temperature, 1, 1)["rate_energy_diffusion"]) == pytest.approx(0.696, abs=2e-3)
