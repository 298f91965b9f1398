"""Kramers escape with inertia: spatial diffusion, energy diffusion and the turnover between them.

Underdamped Langevin dynamics with mass m and friction gamma,

    dx = v dt,    m dv = -U'(x) dt - gamma v dt + sqrt(2 gamma T) dW,

escapes from the well of a minimum a over the saddle b, barrier dU = U(b) - U(a),
with the frequencies omega_0^2 = U''(a)/m and omega_b^2 = |U''(b)|/m.  Kramers
(1940) found two regimes (Hanggi, Talkner, Borkovec 1990, sections IV and V):

* Spatial diffusion (moderate to strong friction).  Near the saddle the
  linearised dynamics has the unstable rate
  lambda_+ = sqrt(gamma^2/(4 m^2) + omega_b^2) - gamma/(2 m); the flux over the
  saddle in the quasi-equilibrium of the well is transmitted with the factor
  lambda_+/omega_b of transition-state theory (Grote-Hynes for white noise):

      k_sd = lambda_+ / omega_b * omega_0/(2 pi) * e^{-dU/T}.

  As gamma -> infinity, lambda_+ -> m omega_b^2/gamma, and k_sd tends to the
  overdamped rate omega_0 omega_b m/(2 pi gamma) e^{-dU/T}
  = sqrt(U''(a)|U''(b)|)/(2 pi gamma) e^{-dU/T} (theory._kramers; the limit is a
  test); as gamma -> 0 it tends to transition-state theory omega_0/(2 pi) e^{-dU/T}.
* Energy diffusion (weak friction).  The energy E changes slowly against the
  period; it diffuses with coefficient (gamma/m) T I(E) per unit time (I(E) =
  the action, the integral of p dq over the orbit of energy E), and escape
  happens when E reaches E_b = U(b):

      k_ed = (gamma/m) I(E_b)/T * omega_0/(2 pi) * e^{-dU/T},

  I(E_b) = 2 int_{x_t}^{b} sqrt(2 m (E_b - U(x))) dx over the orbit of one well
  at the barrier energy (x_t the far turning point).  For U = (x^2 - 1)^2 and
  m = 1 it is 8/3: 1 - (x^2 - 1)^2 = x^2 (2 - x^2), so
  I = 2 sqrt(2) int_0^sqrt(2) x sqrt(2 - x^2) dx = 2 sqrt(2) 2^{3/2}/3.
* The turnover (Mel'nikov and Meshkov 1986).  With the energy lost per period
  at the barrier energy in units of T, Delta = gamma I(E_b)/(m T),

      k = A(Delta) k_sd,
      A(Delta) = exp[(1/(2 pi)) int_{-inf}^{inf} ln(1 - e^{-Delta (x^2 + 1/4)}) dx/(x^2 + 1/4)],

  equivalently exp[(1/pi) int ln(1 - e^{-Delta (1 + y^2)/4}) dy/(1 + y^2)]
  with y = 2x, Mel'nikov and Meshkov's form.  (With 1/pi in front of the x
  form A would tend to Delta^2 instead of Delta.)  For Delta -> 0,
  A(Delta) = Delta [1 + zeta(1/2)/sqrt(pi) sqrt(Delta) + O(Delta)]
  (zeta(1/2)/sqrt(pi) = -0.824), and since k_sd -> omega_0/(2 pi) e^{-dU/T} as
  gamma -> 0 the product tends to k_ed; for Delta -> infinity A -> 1
  exponentially and k -> k_sd.  Both limits are tests.

The exact weak-friction limit.  The energy-diffusion equation itself (not
only its Arrhenius asymptote) has a mean first-passage time in closed
quadrature form, exact for gamma -> 0 at any barrier:
:meth:`UnderdampedEscape.energy_diffusion_time`.  On (x^2 - 1)^2 it shows the
finite-barrier error of k_ed: 1/(tau_ED k_ed) = 1 - 1.7 T/dU + ...

What "rate" means here.  Every rate is 1/tau for the mean first-passage time
from the well to a point well past the saddle (in a double well: the other
well's minimum), which is also the decay rate of the well's population when
nothing comes back.  Absorbing exactly at the saddle instead gives 1/(2 k) in
the spatial-diffusion regime at strong friction (half of the arrivals fall
back, as in the overdamped case) but about 1/k in the energy-diffusion regime
(an orbit that reaches the barrier energy reaches the saddle).  And in a
symmetric double well the rate of settling in the other well, rather than
leaving this one, is smaller at weak friction: an orbit above the barrier that
loses its energy is trapped in either well with equal chances, so the
well-to-well rate is A(Delta)^2/A(2 Delta) k_sd (Mel'nikov 1991), k_ed/2 in the
energy-diffusion limit.  The ensembles of the checks absorb at the other
minimum, so they measure the rate defined here.

Validity: dU/T >> 1 in all three (relative corrections O(T/dU)); spatial
diffusion also needs Delta >> 1 (its error against the turnover is 1 - A(Delta),
exponentially small), energy diffusion Delta << 1 (error O(sqrt(Delta))).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from typing import Any

import mpmath
import sympy

from ._derivation import Derivation, Intermediate, ValidityRegime
from ._errors import InvalidParameter, OutOfRegimeWarning
from ._kramers import _MEANINGS as _KRAMERS_MEANINGS
from ._kramers import KramersEscape, kramers_escape
from ._potential import Potential
from ._symbols import U as _U, b as _b
from ._symbols import LATEX_NAMES, DeltaU, I_b, T, gamma, k, kappa_a, kappa_b, m
from ._typeset import Prose, much_greater, tends_to, written_product, written_ratio, written_root, written_sum

__all__ = [
    "depopulation_factor",
    "energy_loss",
    "underdamped_spatial_diffusion_rate",
    "underdamped_energy_diffusion_rate",
    "mel_nikov_meshkov_rate",
    "UnderdampedEscape",
    "underdamped_escape",
]

_REFERENCES = ("Kramers1940", "Hanggi1990", "MelnikovMeshkov1986", "Melnikov1991")
#: Names in the words of the meanings and regimes: frequencies, the energy loss, the action's integrand.
_omega_0, _omega_b, _Delta = sympy.symbols("omega_0 omega_b Delta", positive=True)
_E_b, _p, _q = sympy.symbols("E_b p q", real=True)
_A = sympy.Function("A")
#: Delta = gamma I(E_b) / (m T), as the regimes write it.
_LOSS = sympy.Eq(_Delta, written_ratio(written_product(gamma, I_b), written_product(m, T)), evaluate=False)
_MEANINGS = {
    T: _KRAMERS_MEANINGS[T],
    gamma: _KRAMERS_MEANINGS[gamma],
    m: "mass",
    DeltaU: _KRAMERS_MEANINGS[DeltaU],
    kappa_a: _KRAMERS_MEANINGS[kappa_a],
    kappa_b: _KRAMERS_MEANINGS[kappa_b],
    I_b: Prose("action", sympy.Integral(_p, _q), "of the well's orbit at the barrier energy",
               sympy.Eq(_E_b, _U(_b), evaluate=False)),
}
#: Integration variable of the depopulation factor (bound, never free).
_y = sympy.Symbol("y", real=True)

# The readable forms: the rates as Kramers and Mel'nikov-Meshkov write them, through named pieces.
_unstable, _k_sd, _factor = sympy.symbols("lambda_+ k_sd A_Delta", positive=True)
_kernel = sympy.Symbol("Phi_Delta", negative=True)
LATEX_NAMES.update({_k_sd: r"k_{\mathrm{sd}}", _factor: r"A(\Delta)", _kernel: r"\Phi(\Delta)"})
_OMEGA_0 = Intermediate(_omega_0, written_root(written_ratio(kappa_a, m)), "angular frequency of the well")
_OMEGA_B = Intermediate(_omega_b, written_root(written_ratio(kappa_b, m)),
                        "angular frequency of the unstable motion at the saddle")
_UNSTABLE = Intermediate(
    _unstable, written_sum(written_root(written_sum(written_ratio(gamma**2, 4 * m**2), _omega_b**2)),
                           -written_ratio(gamma, 2 * m)),
    "unstable rate of the linearised dynamics at the saddle")
_ENERGY_LOSS = Intermediate(_Delta, _LOSS.rhs, "energy lost per period at the barrier energy, in units of the "
                                               "temperature")
_SPATIAL_READABLE = written_product(written_ratio(_unstable, _omega_b), written_ratio(_omega_0, 2 * sympy.pi),
                                    sympy.exp(-DeltaU / T))


def energy_loss() -> sympy.Expr:
    """Delta = gamma I(E_b) / (m T): the energy lost per period at the barrier energy, in units of T."""
    return gamma * I_b / (m * T)


def _omega(curvature: sympy.Expr) -> sympy.Expr:
    return sympy.sqrt(curvature / m)


def _spatial_expression() -> sympy.Expr:
    omega_0, omega_b = _omega(kappa_a), _omega(kappa_b)
    unstable = sympy.sqrt(gamma**2 / (4 * m**2) + omega_b**2) - gamma / (2 * m)
    return unstable / omega_b * omega_0 / (2 * sympy.pi) * sympy.exp(-DeltaU / T)


def underdamped_spatial_diffusion_rate() -> Derivation:
    """k_sd = [sqrt(gamma^2/(4m^2) + omega_b^2) - gamma/(2m)]/omega_b * omega_0/(2 pi) e^{-dU/T}."""
    return Derivation(
        name="underdamped_spatial_diffusion_rate",
        title="Kramers rate with inertia, spatial-diffusion regime (moderate to strong friction)",
        quantity=k,
        expression=_spatial_expression(),
        symbols={s: _MEANINGS[s] for s in (T, gamma, m, DeltaU, kappa_a, kappa_b)},
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(kappa_b, 0, evaluate=False),
                    sympy.Gt(DeltaU, 0, evaluate=False)),
        validity=ValidityRegime(
            Prose("barrier large compared with the temperature, and friction above the turnover:",
                  much_greater(_Delta, 1), "with", _LOSS, "(its error against the Mel'nikov-Meshkov rate is",
                  written_sum(1, -_A(_Delta)), ", exponentially small); absorbing well past the saddle"),
            small_parameter=T / DeltaU,
            error_order=T / DeltaU,
        ),
        references=_REFERENCES,
        notes="Unstable rate of the linearised dynamics at the saddle over omega_b times the transition-state "
              "flux out of the well; tends to the overdamped Kramers rate as gamma grows.",
        readable=_SPATIAL_READABLE,
        intermediates=(_OMEGA_0, _OMEGA_B, _UNSTABLE),
    )


def underdamped_energy_diffusion_rate() -> Derivation:
    """k_ed = (gamma/m) I(E_b)/T * omega_0/(2 pi) e^{-dU/T}."""
    return Derivation(
        name="underdamped_energy_diffusion_rate",
        title="Kramers rate with inertia, energy-diffusion regime (weak friction)",
        quantity=k,
        expression=energy_loss() * _omega(kappa_a) / (2 * sympy.pi) * sympy.exp(-DeltaU / T),
        symbols={s: _MEANINGS[s] for s in (T, gamma, m, DeltaU, kappa_a, I_b)},
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(DeltaU, 0, evaluate=False)),
        validity=ValidityRegime(
            Prose("barrier large compared with the temperature (corrections in", T / DeltaU,
                  ") and weak friction; the leading correction is",
                  written_ratio(written_product(sympy.zeta(sympy.Rational(1, 2)), written_root(_Delta)),
                                written_root(sympy.pi)),
                  "(about", written_product(sympy.Float("-0.824", 3), written_root(_Delta)),
                  ") from the Mel'nikov-Meshkov factor"),
            small_parameter=energy_loss(),
            error_order=sympy.sqrt(energy_loss()),
        ),
        references=_REFERENCES,
        notes="Energy diffuses with coefficient (gamma/m) T I(E) at weak friction; the flux of energy through "
              "the barrier energy in the quasi-equilibrium of the well.",
        readable=written_product(_Delta, written_ratio(_omega_0, 2 * sympy.pi), sympy.exp(-DeltaU / T)),
        intermediates=(_OMEGA_0, _ENERGY_LOSS),
    )


def depopulation_factor(energy_loss_value: Any, digits: int = 15) -> mpmath.mpf:
    """A(Delta) = exp[(1/pi) int_0^inf ln(1 - e^{-Delta (y^2 + 1/4)}) dy/(y^2 + 1/4)] by tanh-sinh quadrature."""
    with mpmath.workdps(digits + 5):
        value = mpmath.mpf(energy_loss_value)
        if not value > 0:
            raise InvalidParameter(f"Delta must be positive, got {energy_loss_value!r}")
        quarter = mpmath.mpf(1) / 4
        integrand = lambda y: mpmath.log(-mpmath.expm1(-value * (y * y + quarter))) / (y * y + quarter)  # noqa: E731
        # the integrand varies on the scale y ~ 1/sqrt(Delta) (small Delta) and y ~ 1 (large Delta)
        breaks = sorted({mpmath.mpf(0), mpmath.mpf(1), 1 / mpmath.sqrt(value), mpmath.inf})
        return mpmath.exp(mpmath.quad(integrand, breaks) / mpmath.pi)


def _depopulation_integral(loss: sympy.Expr) -> sympy.Expr:
    """int_0^inf ln(1 - e^{-Delta (y^2 + 1/4)}) dy/(y^2 + 1/4), with ``loss`` for Delta."""
    quarter = sympy.Rational(1, 4)
    return sympy.Integral(sympy.log(1 - sympy.exp(-loss * (_y**2 + quarter))) / (_y**2 + quarter), (_y, 0, sympy.oo))


def _turnover_expression() -> sympy.Expr:
    return sympy.exp(_depopulation_integral(energy_loss()) / sympy.pi) * _spatial_expression()


def _turnover_evaluator(values, digits):
    spatial = sympy.lambdify((T, gamma, m, DeltaU, kappa_a, kappa_b), _spatial_expression(), "mpmath")
    loss = values[gamma] * values[I_b] / (values[m] * values[T])
    return depopulation_factor(loss, digits) * spatial(
        values[T], values[gamma], values[m], values[DeltaU], values[kappa_a], values[kappa_b])


def mel_nikov_meshkov_rate() -> Derivation:
    """k = A(Delta) k_sd, Delta = gamma I(E_b)/(m T): the turnover from energy to spatial diffusion."""
    return Derivation(
        name="mel_nikov_meshkov_rate",
        title="Mel'nikov-Meshkov turnover rate (all frictions)",
        quantity=k,
        expression=_turnover_expression(),
        symbols={s: _MEANINGS[s] for s in (T, gamma, m, DeltaU, kappa_a, kappa_b, I_b)},
        conditions=(sympy.Gt(kappa_a, 0, evaluate=False), sympy.Gt(kappa_b, 0, evaluate=False),
                    sympy.Gt(DeltaU, 0, evaluate=False)),
        validity=ValidityRegime(
            Prose("barrier large compared with the temperature, any friction; tends to the energy-diffusion "
                  "rate as", tends_to(_Delta, 0),
                  "and to the spatial-diffusion rate as", tends_to(_Delta, sympy.oo),
                  "; absorbing well past the saddle"),
            small_parameter=T / DeltaU,
            error_order=T / DeltaU,
        ),
        references=_REFERENCES,
        notes="Mel'nikov and Meshkov's depopulation factor A(Delta), from the energy-loss kernel near the "
              "separatrix, times the spatial-diffusion rate.",
        readable=written_product(_factor, _k_sd),
        intermediates=(
            _OMEGA_0, _OMEGA_B, _UNSTABLE,
            Intermediate(_k_sd, _SPATIAL_READABLE, "rate in the spatial-diffusion regime"),
            _ENERGY_LOSS,
            Intermediate(_kernel, _depopulation_integral(_Delta),
                         "energy-loss integral of Mel'nikov and Meshkov (negative)"),
            Intermediate(_factor, sympy.exp(_kernel / sympy.pi), "Mel'nikov-Meshkov depopulation factor"),
        ),
        evaluator=_turnover_evaluator,
    )


# ---------------------------------------------------------------- a landscape
#: Steps of the walk from the minimum to the far turning point, and the longest walk (in |b - a|).
_WALK_STEPS, _WALK_LIMIT = 64, 100


@dataclasses.dataclass(frozen=True)
class UnderdampedEscape:
    """The three underdamped rates on one landscape, start and target (mass stays symbolic until ``numbers``)."""

    overdamped: KramersEscape

    @property
    def potential(self) -> Potential:
        return self.overdamped.potential

    @functools.cached_property
    def _orbit(self):
        """(U as an mpmath function, a, b, E_b = U(b)) at 30 digits."""
        U = self.potential.mpmath_function(0)
        values = self.potential.values
        a = mpmath.mpf(sympy.N(self.overdamped.minimum.subs(values), 30))
        b = mpmath.mpf(sympy.N(self.overdamped.saddle.subs(values), 30))
        return U, a, b, U(b)

    @functools.cached_property
    def turning_point(self) -> mpmath.mpf:
        """x_t: where U rises back to the barrier energy on the far side of the minimum."""
        U, a, b, barrier_energy = self._orbit
        step = (a - b) / _WALK_STEPS
        previous = a
        for index in range(1, _WALK_STEPS * _WALK_LIMIT):
            probe = a + index * step
            if U(probe) >= barrier_energy:
                with mpmath.workdps(30):
                    return mpmath.findroot(lambda x: U(x) - barrier_energy, (previous, probe), solver="anderson")
            previous = probe
        raise InvalidParameter("potential: U does not rise back to the barrier energy beyond the minimum; "
                               "the well's orbit at the barrier energy is not closed")

    @functools.cached_property
    def reduced_action(self) -> mpmath.mpf:
        """J = I(E_b)/sqrt(m) = 2 int_{x_t}^{b} sqrt(2 (E_b - U(x))) dx (tanh-sinh quadrature)."""
        U, a, b, barrier_energy = self._orbit
        with mpmath.workdps(30):
            integrand = lambda x: mpmath.sqrt(2 * max(barrier_energy - U(x), 0))  # noqa: E731
            ends = sorted([self.turning_point, a, b])
            return 2 * mpmath.quad(integrand, ends)

    def action(self, mass: Any = 1) -> mpmath.mpf:
        """I(E_b) = sqrt(m) J for mass ``mass``."""
        return mpmath.sqrt(mpmath.mpf(sympy.N(mass, 30))) * self.reduced_action

    def reduced_action_at(self, energy: Any) -> mpmath.mpf:
        """J(E) = 2 int sqrt(2 (E - U)) dx over the well's orbit of energy U(a) <= E <= E_b (15 digits)."""
        U, a, b, barrier_energy = self._orbit
        energy = mpmath.mpf(energy)
        if energy <= U(a):
            return mpmath.mpf(0)
        if energy >= barrier_energy:
            return self.reduced_action
        left = mpmath.findroot(lambda x: U(x) - energy, (self.turning_point, a), solver="anderson")
        right = mpmath.findroot(lambda x: U(x) - energy, (a, b), solver="anderson")
        return 2 * mpmath.quad(lambda x: mpmath.sqrt(2 * max(energy - U(x), 0)), sorted([left, a, right]))

    def energy_diffusion_time(self, temperature: Any, friction: Any = 1, mass: Any = 1, nodes: int = 400):
        """The exact weak-friction limit of the mean escape time from the bottom of the well, and its error.

        At weak friction the energy E of the well's orbits is a diffusion with
        stationary density I'(E) e^{-E/T} and coefficient D(E) = (gamma T/m) I(E)/I'(E)
        (Kramers 1940; Hanggi, Talkner, Borkovec 1990, sec. IV.A), absorbed at E_b.
        Its mean first-passage time from E = U(a), by parts in the inner integral,

            tau = (m/(gamma T)) int_{U(a)}^{E_b} dE [1 + e^{E/T}/(T I(E)) int_{U(a)}^{E} I(E') e^{-E'/T} dE'],

        holds at any barrier; for dU/T -> infinity it tends to 1/k_ed.  The
        integrals are trapezoidal on ``nodes`` and 2 ``nodes`` equal steps in E (I is
        continuous; I' has a logarithmic singularity at E_b): returns (tau on the
        finer grid, |difference| as its error).  The finite-friction correction is
        that of A(Delta)/Delta, about zeta(1/2)/sqrt(pi) sqrt(Delta).
        """
        T_value, gamma_value, mass_value = (mpmath.mpf(sympy.N(v, 20)) for v in (temperature, friction, mass))
        U, a, b, barrier_energy = self._orbit
        bottom = U(a)
        values = {}

        def scaled_time(count):
            step = (barrier_energy - bottom) / count
            energies = [bottom + i * step for i in range(count + 1)]
            actions = []
            for energy in energies:
                if energy not in values:
                    values[energy] = self.reduced_action_at(energy)
                actions.append(values[energy])
            inner, total = mpmath.mpf(0), mpmath.mpf(0)
            previous_term, previous_outer = None, mpmath.mpf(1)
            for energy, action in zip(energies, actions):
                term = action * mpmath.exp(-(energy - barrier_energy) / T_value)
                if previous_term is not None:
                    inner += step * (term + previous_term) / 2
                outer = 1 + (mpmath.exp((energy - barrier_energy) / T_value) / (T_value * action) * inner
                             if action > 0 else 0)
                if previous_term is not None:
                    total += step * (outer + previous_outer) / 2
                previous_term, previous_outer = term, outer
            return total

        coarse, fine = scaled_time(nodes), scaled_time(2 * nodes)
        scale = mass_value / (gamma_value * T_value)  # I(E)/I(E') does not depend on m (I = sqrt(m) J)
        return float(fine * scale), float(abs(fine - coarse) * scale)

    def _specialise(self, derivation: Derivation) -> Derivation:
        values = {**self.overdamped.local_values, I_b: sympy.sqrt(m) * sympy.Float(self.reduced_action, 30)}
        return derivation.on_landscape(values, self.potential.parameters)

    @functools.cached_property
    def spatial_diffusion(self) -> Derivation:
        return self._specialise(underdamped_spatial_diffusion_rate())

    @functools.cached_property
    def energy_diffusion(self) -> Derivation:
        return self._specialise(underdamped_energy_diffusion_rate())

    @functools.cached_property
    def turnover(self) -> Derivation:
        return self._specialise(mel_nikov_meshkov_rate())

    def numbers(self, temperature: Any, friction: Any = 1, mass: Any = 1) -> dict[str, float]:
        """omega_0, omega_b, the action, Delta and the three rates, at numbers."""
        local = {s: sympy.N(v.subs(self.potential.values), 30) for s, v in self.overdamped.local_values.items()}
        values = {T: temperature, gamma: friction, m: mass, kappa_a: local[kappa_a], kappa_b: local[kappa_b],
                  DeltaU: local[DeltaU], I_b: self.action(mass)}
        general = {"spatial": underdamped_spatial_diffusion_rate(), "energy": underdamped_energy_diffusion_rate(),
                   "turnover": mel_nikov_meshkov_rate()}
        rates = {}
        for key, derivation in general.items():
            used = {s: v for s, v in values.items() if s in derivation.symbols}
            with warnings.catch_warnings():  # all three at any friction: the regime is the caller's to judge
                warnings.simplefilter("ignore", OutOfRegimeWarning)
                rates[key] = float(derivation.evaluate(used))
        return {
            "omega_0": float(sympy.sqrt(local[kappa_a] / mass)),
            "omega_b": float(sympy.sqrt(local[kappa_b] / mass)),
            "action": float(values[I_b]),
            "energy_loss": float(sympy.N(energy_loss().subs(values))),
            "rate_spatial_diffusion": rates["spatial"],
            "rate_energy_diffusion": rates["energy"],
            "rate_turnover": rates["turnover"],
        }


def underdamped_escape(potential: Potential, start: Any, target: Any) -> UnderdampedEscape:
    """The underdamped rates for escape from the basin of ``start`` over the barrier towards ``target``."""
    return UnderdampedEscape(kramers_escape(potential, start, target))
