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

In two dimensions (``ensemble_vs_fpe_2d_under_spike``) the oracle is the
tensor-grid solver of numerics._fokker_planck_2d on the coupled landscape
U = (x^2 - 1)^2 + (y - x/2)^2 (minimum (-1, -1/2), saddle at the origin), with
the half-plane x >= 0 (the engine applies the Brownian-bridge correction: dt
bias O(dt), so the bias of the fine rung is about the rung difference) and, in
full mode, the disc |(x, y) - (1, 1/2)| < 0.8 around the other minimum (a
general condition: no bridge, bias O(sqrt dt), so the fine rung's bias is
(S(dt) - S(dt/2)) / (sqrt 2 - 1)).  The FPE's own error is measured twice:
halving the cells (measured order 1.3-1.6 for S(6) from a point mass,
docs/fokker-planck.md: any order above 1 makes the difference a bound on the
finer grid's error) and halving the time step.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from numerics import fokker_planck_survival, langevin_first_passage
from numerics._fokker_planck_2d import fokker_planck_2d_survival
from theory import EscapeProblem, Potential, absorbing_set_from_condition, parse_schedule

from ._budget import Comparison, ErrorBudget
from ._check import QUICK, register

__all__ = ["SCHEDULES", "SPIKE_2D"]

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


# ------------------------------------------------------------------ two dimensions
#: The 2-D spike study: landscape, start, baseline, schedule, horizon, and absorbing sets (the second: full mode).
SPIKE_2D = {
    "potential": "(x**2-1)**2 + (y - x/2)**2",
    "start": (-1.0, -0.5),
    "baseline": "0.15",
    "schedule": "spike:A=0.25,t0=3,sigma=0.75",
    "horizon": 6.0,
    "absorbing": (("half-plane x >= 0", "x >= 0", True), ("disc around (1, 1/2)", "(x-1)**2 + (y-1/2)**2 < 0.64", False)),
}


@register(
    "ensemble_vs_fpe_2d_under_spike",
    derivations=(),
    description="2-D Langevin kernel under a temperature spike vs the tensor-grid Fokker-Planck survival",
)
def _ensemble_vs_fpe_2d(mode):
    potential = Potential.from_string(SPIKE_2D["potential"], variables=["x", "y"])
    temperature = parse_schedule(SPIKE_2D["schedule"], sympy.Rational(SPIKE_2D["baseline"])).temperature
    horizon, start = SPIKE_2D["horizon"], SPIKE_2D["start"]
    if mode == QUICK:
        trajectories, dt, cells, steps, cases = 6000, 8e-3, 16, 60, SPIKE_2D["absorbing"][:1]
    else:
        trajectories, dt, cells, steps, cases = 200_000, 2e-3, 48, 240, SPIKE_2D["absorbing"]
    comparisons = []
    for index, (label, condition, bridged) in enumerate(cases):
        absorbing = absorbing_set_from_condition(condition, potential.variables)
        oracle = {}
        problem = EscapeProblem(potential, start=start, absorbing=absorbing, temperature=temperature)
        for key, (n, m) in {"fine": (2 * cells, steps), "coarse": (cells, steps), "half_dt": (2 * cells, 2 * steps)}.items():
            curve = fokker_planck_2d_survival(problem, horizon=horizon, cells=n, steps=m, outputs=1)
            oracle[key] = float(curve.survival[-1])
        survivals = []
        for rung, step in enumerate((dt, dt / 2)):
            sample = langevin_first_passage(problem, dt=step, trajectories=trajectories,
                                            seed=4300 + 10 * index + rung, max_time=horizon)
            survivals.append(1.0 - np.count_nonzero(sample.escaped) / trajectories)
        coarse, fine = survivals
        stderr = math.sqrt(max(fine * (1 - fine), 1.0 / trajectories) / trajectories)
        bias = (coarse - fine) if bridged else (coarse - fine) / (math.sqrt(2) - 1)
        grid_error = abs(oracle["fine"] - oracle["coarse"]) + abs(oracle["fine"] - oracle["half_dt"])
        comparisons.append(Comparison(
            f"{label}: S({horizon:g}), N={trajectories}, dt={dt / 2:g}, {2 * cells}^2 cells",
            oracle["fine"], fine,
            ErrorBudget(z=Z, stderr=stderr, bias=bias, quadrature=grid_error),
            details={"coarse_dt": dt, "coarse_survival": coarse, "fpe_coarse_grid": oracle["coarse"],
                     "fpe_half_time_step": oracle["half_dt"], "bridge": bridged, "absorbing": str(absorbing),
                     "curve_box": [list(side) for side in curve.grid.box]},
        ))
    return comparisons
