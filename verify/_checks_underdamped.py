"""Underdamped Kramers theory against BAOAB ensembles over a friction ladder.

Landscape (x^2 - 1)^2, mass 1, T = 1/5 (dU/T = 5), from the minimum x = -1
with Maxwell-Boltzmann velocities until x >= +1, the other minimum: well past
the saddle, so 1/tau is the rate each formula defines (theory._underdamped).
omega_0 = sqrt(8), omega_b = 2, I(E_b) = 8/3, so Delta = gamma I(E_b)/(m T)
= 40 gamma / 3.

Each formula is compared inside its regime:
* Mel'nikov-Meshkov turnover: at every friction;
* the exact weak-friction limit, tau_ED from the energy-diffusion equation
  (UnderdampedEscape.energy_diffusion_time, quadrature over the action I(E)),
  where Delta <= 0.05: it has no finite-barrier error, only the finite-friction
  one of A(Delta)/Delta;
* spatial diffusion: where 1 - A(Delta) < 3% (Delta >= 10, gamma >= 0.75);
* energy diffusion: where Delta <= 0.05 (full mode only, gamma = 0.001: tau ~ 3e4 there).

Budget of the measured rate k_ens = 1/tau (relative):
  z x stderr (exponential times: stderr(tau)/tau = 1/sqrt(N_escaped))
  + the dt bias, the difference between the rungs dt and dt/2
  + the declared asymptotic error of the formula:
    - O(T/dU) for all three.  Where Delta >= 1 it is declared as 2 |C_1| T
      with C_1 = 3/8 the first Laplace correction of the overdamped time on
      this landscape (the strong-friction end of the ladder); where Delta < 1
      as |1 - k_exact/k_ed|, the finite-barrier error of the energy-diffusion
      rate against the exact weak-friction limit (below): 0.30 at T = 0.2,
      (1 - r)/T -> 1.73 as T -> 0, so larger than at strong friction;
    - energy diffusion: in addition 2 |zeta(1/2)|/sqrt(pi) sqrt(Delta), twice
      the next term of A(Delta)/Delta;
    - spatial diffusion: in addition 1 - A(Delta);
    - the start: the ensemble starts at the bottom of the well with thermal
      velocities, not in the well's quasi-stationary state, and needs the
      energy relaxation time m/gamma (spatial relaxation 1/omega_0 at strong
      friction) to forget it: declared (k/lambda_2) ln(lambda_2/k) with
      lambda_2 = min(gamma/m, omega_0^2 m/gamma), as in fpe_eigenvalue_vs_kramers.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from numerics import langevin_first_passage
from theory import EscapeProblem, Potential, depopulation_factor, kramers_escape, underdamped_escape

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register

__all__ = ["FRICTION_LADDER", "friction_study"]

QUARTIC = "(x**2-1)**2"
TEMPERATURE = 0.2
MASS = 1.0
Z = 4.0
ASYMPTOTIC_SAFETY = 2
#: zeta(1/2)/sqrt(pi): A(Delta)/Delta = 1 + this sqrt(Delta) + O(Delta).
NEXT_TERM_ENERGY_DIFFUSION = float(mpmath.zeta(0.5) / mpmath.sqrt(mpmath.pi))
#: Frictions of the full ladder (Delta = 40 gamma / 3 from 0.013 to 133).
FRICTION_LADDER = (0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: Regime limits in Delta.
SPATIAL_REGIME, ENERGY_REGIME = 10.0, 0.05
#: Energy steps of the exact weak-friction quadrature (and twice as many for its error).
EXACT_NODES = 200


def _ensemble(potential, friction, dt, trajectories, seed, max_time):
    problem = EscapeProblem(potential, start=-1.0, absorbing=1.0, temperature=TEMPERATURE, friction=friction,
                            mass=MASS)
    sample = langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=seed, integrator="baoab",
                                    max_time=max_time)
    escaped = np.count_nonzero(sample.escaped)
    if escaped < trajectories:
        raise RuntimeError(f"{trajectories - escaped} trajectories censored at gamma={friction}; raise max_time")
    return float(sample.times.mean()), float(sample.times.std(ddof=1)) / math.sqrt(trajectories)


def friction_study(frictions, trajectories, dt, seed=5100):
    """For each friction: the three rates, Delta, and the ensemble mean exit time on two dt rungs."""
    potential = Potential.from_string(QUARTIC)
    theory = underdamped_escape(potential, -1, 1)
    first = abs(float(kramers_escape(potential, -1, 1).correction_coefficient(1)))
    exact_weak = None
    if any(40 * f / 3 < 1 for f in frictions):  # the exact weak-friction limit: gamma tau_ED does not depend on gamma
        tau, error = theory.energy_diffusion_time(TEMPERATURE, 1, MASS, nodes=EXACT_NODES)
        exact_weak = {"gamma_tau": tau, "gamma_tau_error": error,
                      "ratio": 1 / (tau * theory.numbers(TEMPERATURE, 1, MASS)["rate_energy_diffusion"])}
    rows = []
    for index, friction in enumerate(frictions):
        numbers = theory.numbers(TEMPERATURE, friction, MASS)
        max_time = 40 / numbers["rate_turnover"]  # P(censored) ~ e^-40
        step = dt / 2 if friction <= 0.1 else dt
        coarse, coarse_stderr = _ensemble(potential, friction, 2 * step, trajectories, seed + 2 * index, max_time)
        fine, fine_stderr = _ensemble(potential, friction, step, trajectories, seed + 2 * index + 1, max_time)
        relaxation = min(friction / MASS, numbers["omega_0"] ** 2 * MASS / friction)
        rate = 1 / fine
        rows.append({
            "friction": friction, "energy_loss": numbers["energy_loss"], "dt": step,
            "mean": fine, "stderr": fine_stderr, "coarse_mean": coarse, "coarse_stderr": coarse_stderr,
            "rate": rate, "rate_spatial_diffusion": numbers["rate_spatial_diffusion"],
            "rate_energy_diffusion": numbers["rate_energy_diffusion"], "rate_turnover": numbers["rate_turnover"],
            "depopulation_factor": float(depopulation_factor(numbers["energy_loss"])),
            "finite_barrier": (ASYMPTOTIC_SAFETY * first * TEMPERATURE if numbers["energy_loss"] >= 1
                               else abs(1 - exact_weak["ratio"])),
            "start": rate / relaxation * math.log(relaxation / rate),
            **({} if exact_weak is None else {
                "rate_energy_diffusion_exact": friction / exact_weak["gamma_tau"],
                "rate_energy_diffusion_exact_error": exact_weak["gamma_tau_error"] / exact_weak["gamma_tau"],
                "exact_over_asymptotic": exact_weak["ratio"]}),
        })
    return rows


def _comparisons(rows):
    comparisons = []
    for row in rows:
        relative_stderr = row["stderr"] / row["mean"]
        bias = abs(row["coarse_mean"] - row["mean"]) / row["mean"]
        declared = row["finite_barrier"] + row["start"]
        candidates = [("turnover", row["rate_turnover"], declared)]
        if row["energy_loss"] >= SPATIAL_REGIME:
            candidates.append(("spatial diffusion", row["rate_spatial_diffusion"],
                               declared + 1 - row["depopulation_factor"]))
        if row["energy_loss"] <= ENERGY_REGIME:
            depopulation = ASYMPTOTIC_SAFETY * abs(NEXT_TERM_ENERGY_DIFFUSION) * math.sqrt(row["energy_loss"])
            candidates.append(("energy diffusion", row["rate_energy_diffusion"], declared + depopulation))
            # the exact weak-friction limit has no finite-barrier error: only the finite-friction one
            candidates.append(("energy diffusion exact", row["rate_energy_diffusion_exact"],
                               row["start"] + depopulation + row["rate_energy_diffusion_exact_error"]))
        for label, predicted, asymptotic in candidates:
            # compared as k_ens / k_formula against 1, every term relative
            comparisons.append(Comparison(
                f"gamma={row['friction']:g} (Delta={row['energy_loss']:.3g}): k_ens / k_{label.replace(' ', '_')}",
                1.0, row["rate"] / predicted,
                ErrorBudget(z=Z, stderr=relative_stderr, bias=bias, asymptotic=asymptotic),
                details={**row, "predicted_rate": predicted},
            ))
    return comparisons


@register(
    "underdamped_kramers_vs_baoab",
    derivations=("underdamped_spatial_diffusion_rate", "underdamped_energy_diffusion_rate", "mel_nikov_meshkov_rate"),
    description="BAOAB escape rates over a friction ladder vs spatial-diffusion, energy-diffusion and turnover rates",
)
def _underdamped_vs_baoab(mode):
    if mode == QUICK:
        return _comparisons(friction_study((0.1, 2.0), trajectories=300, dt=0.04))
    return _comparisons(friction_study(FRICTION_LADDER, trajectories=1000, dt=0.04))
