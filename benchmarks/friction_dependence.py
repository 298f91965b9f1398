"""Mean escape time against friction with underdamped BAOAB: the Kramers turnover.

Quartic double well U = (x^2 - 1)^2, T = 1/2, mass 1, from the minimum x = -1
(Maxwell-Boltzmann velocities) until x >= 0 (the saddle), for a ladder of
frictions gamma.  In the overdamped limit the time grows like gamma times the
exact overdamped MFPT at gamma = 1 (theory.mean_first_passage_time), so the
last column, tau / (gamma tau_exact), tends to 1 for large gamma; at small
gamma, energy diffusion limits the escape and the time grows again (Kramers
1940; Hanggi, Talkner & Borkovec 1990).

Run:  .venv/bin/python benchmarks/friction_dependence.py [--trajectories 20000]
"""

from __future__ import annotations

import argparse
import math

from numerics import langevin_first_passage
from numerics._output import json_dumps
from theory import EscapeProblem, Potential, exact_escape_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=20_000)
    parser.add_argument("--dt", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=3)
    arguments = parser.parse_args()
    potential = Potential.from_string("(x**2-1)**2")
    overdamped = EscapeProblem(potential, start=-1.0, absorbing=0.0, temperature=0.5)
    exact = float(exact_escape_time(overdamped))
    rows = []
    for friction in (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
        problem = EscapeProblem(potential, -1.0, 0.0, 0.5, friction=friction, mass=1.0)
        sample = langevin_first_passage(problem, dt=arguments.dt, trajectories=arguments.trajectories,
                                        seed=arguments.seed, integrator="baoab")
        mean = float(sample.times.mean())
        stderr = float(sample.times.std(ddof=1)) / math.sqrt(sample.trajectories)
        rows.append({"friction": friction, "mean": mean, "stderr": stderr, "censored": sample.censored,
                     "ratio_to_overdamped": mean / (friction * exact)})
        print(f"gamma {friction:7.3f}  tau {mean:9.3f} +- {stderr:.3f}  tau/(gamma tau_exact) "
              f"{mean / (friction * exact):.3f}", flush=True)
    print(json_dumps({"exact_overdamped_mfpt_gamma_1": exact, "dt": arguments.dt, "rows": rows}))


if __name__ == "__main__":
    main()
