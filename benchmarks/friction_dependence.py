"""Escape rate against friction with underdamped BAOAB: the Kramers turnover, with the three formulas.

Quartic double well U = (x^2 - 1)^2, T = 1/5 (dU/T = 5), mass 1, from the minimum
x = -1 (Maxwell-Boltzmann velocities) until x >= +1 (the other minimum), for a
ladder of frictions gamma.  The ensemble rate 1/tau is printed next to the
spatial-diffusion rate (Kramers 1940), the energy-diffusion rate and the
Mel'nikov-Meshkov turnover (theory._underdamped), with the error budget of
``kramers verify underdamped_kramers_vs_baoab --full`` (the study is that
check's, verify._checks_underdamped.friction_study).  ``--figure FILE`` draws
the rates against gamma.

Run:  .venv/bin/python benchmarks/friction_dependence.py [--trajectories 2000] [--figure docs/figures/turnover.png]
"""

from __future__ import annotations

import argparse
from numerics._output import json_dumps
from verify._checks_underdamped import FRICTION_LADDER, friction_study


def _figure(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frictions = [row["friction"] for row in rows]
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    axes.errorbar(frictions, [row["rate"] for row in rows],
                  yerr=[4 * row["stderr"] / row["mean"] * row["rate"] for row in rows],
                  fmt="o", color="black", label="BAOAB ensemble (4 stderr)")
    dense = sorted({*frictions, *[f * s for f in frictions for s in (0.5, 0.7, 1.4, 2.0)]})
    from theory import Potential, underdamped_escape

    theory = underdamped_escape(Potential.from_string("(x**2-1)**2"), -1, 1)
    numbers = [theory.numbers(0.2, friction, 1) for friction in dense]
    for key, label, style in (("rate_spatial_diffusion", "spatial diffusion (Kramers)", "--"),
                              ("rate_energy_diffusion", "energy diffusion", ":"),
                              ("rate_turnover", "Mel'nikov-Meshkov turnover", "-")):
        axes.plot(dense, [n[key] for n in numbers], style, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylim(min(row["rate"] for row in rows) / 3, max(n["rate_spatial_diffusion"] for n in numbers) * 2)
    axes.set_xlabel("friction gamma (m = 1)")
    axes.set_ylabel("escape rate 1/tau")
    axes.set_title("(x^2-1)^2, T = 0.2: the Kramers turnover")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=2000)
    parser.add_argument("--dt", type=float, default=0.04, help="coarse rung (the fine rung is half; gamma <= 0.1: "
                                                                "a quarter and a half)")
    parser.add_argument("--seed", type=int, default=5100)
    parser.add_argument("--frictions", type=str, default=",".join(map(str, FRICTION_LADDER)))
    parser.add_argument("--figure", metavar="FILE")
    arguments = parser.parse_args()
    frictions = [float(value) for value in arguments.frictions.split(",")]
    rows = friction_study(frictions, arguments.trajectories, arguments.dt, arguments.seed)
    print(f"{'gamma':>7} {'Delta':>8} {'1/tau':>11} {'rel.err':>8} {'k_sd':>11} {'k_ed':>11} {'k_MM':>11} "
          f"{'ens/k_MM':>8}")
    for row in rows:
        print(f"{row['friction']:7.3g} {row['energy_loss']:8.3g} {row['rate']:11.4e} "
              f"{row['stderr'] / row['mean']:8.3f} {row['rate_spatial_diffusion']:11.4e} "
              f"{row['rate_energy_diffusion']:11.4e} {row['rate_turnover']:11.4e} "
              f"{row['rate'] / row['rate_turnover']:8.3f}", flush=True)
    print(json_dumps({"trajectories": arguments.trajectories, "rows": rows}))
    if arguments.figure:
        _figure(rows, arguments.figure)


if __name__ == "__main__":
    main()
