"""Figures of docs/skills.md: skill curves of the three models, the Domino cascade, t2/t1 against p1/p2, scaling laws.

    python benchmarks/figures_skills.py [--out docs/figures] [--runs 8] [--scaling docs/skills_scaling_full.json]
    python benchmarks/figures_skills.py --only-scaling [--scaling FILE]

The scaling figures are drawn from the JSON of ``kramers skills scaling --json`` (the full
sweep's is kept in docs/skills_scaling_full.json; the sweep itself takes tens of minutes).

Needs the optional extra ``[figures]`` (matplotlib), imported here only.
Settings are the paper's: d = 1000, n = 10, alpha = 2, lr = 3e-4 (SignGD), 3e-2 (SGD),
B = 128 (two tasks) and 1024 (ten tasks, as in the authors' Fig. 7), N0 = 0.003.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import numpy as np

from numerics import eta_effective, geometry_model, power_law_frequencies, resource_model
from theory import skills

D, LR, LR_SGD, THETA, WASTED = 1000, 3e-4, 3e-2, 0.9, 0.003


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 12, "legend.fontsize": 9})
    return plt


def three_models(out: pathlib.Path) -> None:
    plt = _pyplot()
    n, steps = 10, 800
    p = power_law_frequencies(n, 2)
    eta = eta_effective(LR, D)
    geometry = geometry_model(p, d=D, steps=steps, learning_rate=LR, batch=1024, seed=2).skills[0]
    resource = resource_model(p, eta=eta, wasted=WASTED, steps=steps)
    t = np.arange(steps + 1)
    curve = skills.domino_skill_curve()
    domino = np.array([[float(curve.evaluate(eta=eta, i=i, t=int(step))) for i in range(1, n + 1)] for step in t[::4]])
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, n))
    figure, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    panels = ((geometry, t, "Geometry model (SignGD, B = 1024)"), (resource, t, f"Resource model (N$_0$ = {WASTED})"),
              (domino, t[::4], "Domino model"))
    for axis, (levels, times, title) in zip(axes, panels):
        for k in range(n):
            axis.plot(times, levels[:, k], color=colours[k], lw=1.6, label=f"skill {k + 1}" if axis is axes[0] else None)
        axis.axhline(THETA, color="grey", ls=":", lw=1)
        axis.set_title(title)
        axis.set_xlabel("training step")
        axis.set_ylim(-0.03, 1.08)
    axes[0].set_ylabel("skill level $s_i$")
    axes[0].legend(ncol=2, loc="lower right", frameon=False)
    figure.suptitle(f"Ten skills, $p_k \\propto k^{{-2}}$, d = {D}, lr = {LR:g}: skills are learned one after another",
                    y=1.02)
    figure.tight_layout()
    figure.savefig(out / "skills_three_models.png", dpi=130, bbox_inches="tight")
    plt.close(figure)


def cascade(out: pathlib.Path) -> None:
    plt = _pyplot()
    n, eta = 6, 0.01
    steps = int(n / eta) + 50
    p = 1000.0 ** -np.arange(n)
    levels = resource_model(p, eta=eta, wasted=0.0, steps=steps)
    t = np.arange(steps + 1)
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, n))
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 3.8))
    learning_time = skills.domino_learning_time()
    for k in range(n):
        left.plot(t, levels[:, k], color=colours[k], lw=2, label=f"skill {k + 1}")
        left.axvline(float(learning_time.evaluate(i=k + 1, t_0=1 / eta, theta=1)), color=colours[k], ls=":", lw=1)
    left.set_xlabel("training step")
    left.set_ylabel("skill level $s_i$")
    left.set_title("Domino cascade: Resource map, $p_{k+1}/p_k = 10^{-3}$, N$_0$ = 0\n(dotted: $t_i = i\\,t_0$)")
    left.legend(ncol=2, frameon=False, loc="lower right")
    mass = (1 - levels).sum(axis=1)
    right.plot(t, mass, lw=2.5, label="Resource map, $\\sum_i l_i$")
    right.plot(t, np.maximum(n - eta * t, 0), "k--", lw=1.2, label="$n - \\eta_{\\mathrm{eff}}\\, t$ (derived)")
    right.set_xlabel("training step")
    right.set_ylabel("total unlearned mass")
    right.set_title("Conserved decay of the unlearned mass")
    right.legend(frameon=False)
    figure.tight_layout()
    figure.savefig(out / "skills_domino_cascade.png", dpi=130, bbox_inches="tight")
    plt.close(figure)


def time_ratios(out: pathlib.Path, runs: int) -> None:
    plt = _pyplot()
    ratios = np.array([1, 2, 4, 7, 10, 15, 20, 30, 40])
    signgd, signgd_error, sgd, sgd_error = [], [], [], []
    for index, ratio in enumerate(ratios):
        p = [ratio / (1 + ratio), 1 / (1 + ratio)]
        for optimizer, lr, steps, means, errors in (("signgd", LR, 400, signgd, signgd_error),
                                                    ("sgd", LR_SGD, int(3 * (1 + ratio) / LR_SGD) + 10, sgd, sgd_error)):
            run = geometry_model(p, d=D, steps=steps, learning_rate=lr, batch=128, optimizer=optimizer, runs=runs,
                                 seed=1000 + index, vectors_per_run=True)
            times = run.learning_times(THETA)
            values = times[:, 1] / times[:, 0]
            means.append(values.mean())
            errors.append(values.std(ddof=1) / np.sqrt(runs))
    dense = np.linspace(1, 40, 200)
    law_signgd = [float(skills.signgd_time_ratio().evaluate(r=r, theta=THETA)) for r in dense]
    law_resource = [float(skills.resource_time_ratio().evaluate(r=r, N_0=WASTED, theta=THETA)) for r in dense]
    figure, axis = plt.subplots(figsize=(6.5, 4.6))
    axis.errorbar(ratios, sgd, yerr=sgd_error, fmt="o", color="C0", label="Geometry, SGD (lr 3e-2)")
    axis.plot(dense, dense, color="C0", lw=1, label="$t_2/t_1 = p_1/p_2$ (SGD law)")
    axis.errorbar(ratios, signgd, yerr=signgd_error, fmt="s", color="C3", label="Geometry, SignGD (lr 3e-4)")
    axis.plot(dense, law_signgd, color="C3", lw=1.5, label="SignGD arc-length law")
    axis.plot(dense, law_resource, color="C2", lw=1.2, ls="--", label=f"Resource closed form, N$_0$ = {WASTED}")
    axis.axhline(float(skills.domino_time_ratio().evaluate(theta=THETA)), color="k", ls=":", lw=1,
                 label="Domino limit $(1+\\theta)/\\theta$")
    axis.set_xlabel("$p_1/p_2$")
    axis.set_ylabel("$t_2/t_1$")
    axis.set_ylim(0, 12)
    axis.set_xlim(0, 42)
    axis.set_title(f"Two skills, d = {D}, B = 128, threshold {THETA}, {runs} runs per point")
    axis.legend(frameon=False, fontsize=8.5, loc="upper left")
    figure.tight_layout()
    figure.savefig(out / "skills_time_ratio.png", dpi=130, bbox_inches="tight")
    plt.close(figure)


def _scaling_panel(plt, sweep, x, curves, exponent, chinchilla, faint=None, fitted=None):
    """One log-log panel: ``curves[k]`` against x per alpha (points; open beyond the first ``fitted``), the power law
    fitted to the first ``fitted`` points (line), Chinchilla's slope."""
    fitted = len(x) if fitted is None else fitted
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(sweep["alpha"])))
    figure, axis = plt.subplots(figsize=(6.8, 4.8))
    for k, alpha in enumerate(sweep["alpha"]):
        for curve in (faint or {}).get(k, ()):
            axis.plot(x, curve, color=colours[k], lw=0.7, alpha=0.35)
        curve = np.array(curves[k])
        slope, intercept = np.polyfit(np.log(x[:fitted]), np.log(curve[:fitted]), 1)
        axis.plot(x[:fitted], curve[:fitted], "o", ms=4, color=colours[k])
        axis.plot(x[fitted:], curve[fitted:], "o", ms=4, mfc="none", color=colours[k])
        axis.plot(x[:fitted], np.exp(intercept + slope * np.log(x[:fitted])), "-", color=colours[k], lw=1.4,
                  label=f"$\\alpha$ = {alpha:g}: $\\alpha_{exponent}$ = {sweep['alpha_' + exponent][k]:.3f} "
                        f"± {sweep['alpha_' + exponent + '_stderr'][k]:.3f}")
    axis.plot(x[:fitted], curve[0] * (x[:fitted] / x[0]) ** -chinchilla, "k:", lw=1.2,
              label=f"Chinchilla slope $\\alpha_{exponent}$ = {chinchilla}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.legend(frameon=False, fontsize=8.5)
    return figure, axis


def scaling(out: pathlib.Path, results: pathlib.Path) -> None:
    """Loss against d (end of training) and against steps (largest d), per alpha, with the fitted power laws."""
    plt = _pyplot()
    sweep = json.loads(results.read_text())
    dimensions = np.array(sweep["dimensions"], dtype=float)
    setting = (f"Geometry model, CE, n = {sweep['n']} random unit tasks, Adam lr {sweep['learning_rate']:g}, "
               f"B = {sweep['batch']}, {sweep['seeds']} seeds")
    fitted = len(sweep["fitted_dimensions"])
    figure, axis = _scaling_panel(plt, sweep, dimensions, sweep["final_loss"], "N", 0.34, fitted=fitted)
    axis.set_xticks(dimensions, [f"{int(d)}" for d in dimensions])
    axis.minorticks_off()
    axis.set_xlabel("dimension d (parameters)")
    axis.set_ylabel(f"loss after {sweep['steps']} steps")
    axis.set_title(f"Loss against d (fit: d <= n/3; open: beyond, where the loss collapses)\n{setting}", fontsize=9.5)
    figure.tight_layout()
    figure.savefig(out / "skills_scaling_dimension.png", dpi=130, bbox_inches="tight")
    plt.close(figure)

    others = {k: curves[:fitted - 1] + curves[fitted:] for k, curves in enumerate(sweep["loss_curves"])}
    figure, axis = _scaling_panel(plt, sweep, np.array(sweep["window"][0], dtype=float), sweep["loss_vs_steps"], "S",
                                  0.28, faint=others)
    axis.set_xlabel("training step")
    axis.set_ylabel("loss")
    axis.set_title(f"Loss against steps at d = {int(dimensions[fitted - 1])} (faint: the other d)\n{setting}",
                   fontsize=9.5)
    figure.tight_layout()
    figure.savefig(out / "skills_scaling_steps.png", dpi=130, bbox_inches="tight")
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/figures")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--scaling", default="docs/skills_scaling_full.json",
                        help="JSON of `kramers skills scaling --json` to draw the scaling figures from")
    parser.add_argument("--only-scaling", action="store_true", help="draw only the two scaling figures")
    arguments = parser.parse_args()
    out = pathlib.Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    if not arguments.only_scaling:
        three_models(out)
        cascade(out)
        time_ratios(out, arguments.runs)
    scaling(out, pathlib.Path(arguments.scaling))
    print(f"wrote {sorted(p.name for p in out.glob('skills_*.png'))} to {out}")


if __name__ == "__main__":
    main()
