"""Langevin ensembles under a time-dependent temperature against the Fokker-Planck equation.

The compiled kernel integrates T(t) inside the time loop; the Fokker-Planck
solver evolves the density under the same T(t).  Both are exact in their own
limits (dt -> 0, grid -> 0), so the survival probability at the horizon must
agree within

    z * sqrt(S (1 - S) / N) + |S(dt) - S(dt/2)| + |S_FPE(h) - S_FPE(h/2)|,

the binomial standard error, the dt bias measured on a two-rung ladder and
the grid error measured by halving the cells (second order, so the
difference bounds the finer grid's error).  Schedules: an insight-like
Gaussian spike and a practice-like plateau of equal thermal budget on
(x^2 - 1)^2 above T0 = 0.12 (docs/reports.md, figure ``survival_schedules``).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from numerics import fokker_planck_survival, langevin_first_passage
from theory import EscapeProblem, Potential, parse_schedule

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register

__all__ = ["SCHEDULES"]

QUARTIC = "(x**2-1)**2"
Z = 4.0
#: (label, baseline T0, schedule spec, horizon): equal budgets B = 0.2 * 2 * sqrt(2 pi) ~ 1.0.
SCHEDULES = (
    ("spike A=0.2, sigma=2", 0.12, "spike:A=0.2,t0=12,sigma=2", 30.0),
    ("plateau h=0.1, tau=10.03", 0.12, f"plateau:h=0.1,start=7,duration={0.2 * 2 * math.sqrt(2 * math.pi) / 0.1}",
     30.0),
)


def _ensemble_survival(problem, horizon, dt, trajectories, seed):
    sample = langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=seed, max_time=horizon)
    survival = 1.0 - np.count_nonzero(sample.escaped) / trajectories
    return survival, math.sqrt(max(survival * (1 - survival), 1.0 / trajectories) / trajectories)


@register(
    "ensemble_vs_fpe_under_schedules",
    derivations=(),
    description="Langevin kernel with T(t) compiled in vs Fokker-Planck survival at the horizon, spike and plateau",
)
def _ensembles_under_schedules(mode):
    potential = Potential.from_string(QUARTIC)
    trajectories, dt = (20_000, 4e-3) if mode == QUICK else (400_000, 2e-3)
    comparisons = []
    for index, (label, baseline, spec, horizon) in enumerate(SCHEDULES):
        temperature = parse_schedule(spec, sympy.Rational(str(baseline))).temperature
        problem = EscapeProblem(potential, start=-1.0, absorbing=1.0, temperature=temperature)
        coarse_grid, fine_grid = (fokker_planck_survival(problem, horizon=horizon, cells=cells, steps=6000,
                                                          outputs=1).survival[-1]
                                  for cells in (1000, 2000))
        coarse, _ = _ensemble_survival(problem, horizon, dt, trajectories, 4100 + index)
        fine, stderr = _ensemble_survival(problem, horizon, dt / 2, trajectories, 4200 + index)
        comparisons.append(Comparison(
            f"{label}: S({horizon:g}), N={trajectories}, dt={dt / 2:g}",
            float(fine_grid), fine,
            ErrorBudget(z=Z, stderr=stderr, bias=coarse - fine, quadrature=abs(float(coarse_grid - fine_grid))),
            details={"coarse_dt": dt, "coarse_survival": coarse, "fpe_cells_1000": float(coarse_grid)},
            problem=problem,
        ))
    return comparisons
