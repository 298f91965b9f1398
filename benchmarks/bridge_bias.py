"""Mean exit time bias against dt, with and without the Brownian-bridge correction.

Quartic double well U = (x^2 - 1)^2, T = 1/2, gamma = 1, from the minimum
x = -1 to the saddle x = 0 (absorbing half-line x >= 0).  Reference: the exact
MFPT by quadrature (numerics.exit_time_statistics, double precision).  For each dt
of the ladder an Euler-Maruyama ensemble is run with and without the bridge,
and bias = mean - exact is plotted on log-log axes with 2-sigma error bars.
The slope p of |bias| = c dt^p is fitted by weighted least squares on log |bias|
over the finest rungs (weights (|bias| / stderr)^2); its standard error comes
from the same fit.  Expected: p = 1/2 without the bridge (Gobet 2000),
p = 1 with it.

Run (writes docs/figures/bridge_bias.png and prints the numbers as JSON):

    .venv/bin/pip install -e '.[figures]'
    .venv/bin/python benchmarks/bridge_bias.py [--trajectories 200000] [--fit-rungs 4]
"""

from __future__ import annotations

import argparse
import math
import pathlib

import numpy as np

from numerics import exact_escape_time, langevin_first_passage
from theory import EscapeProblem, Potential
from numerics._output import json_dumps

ROOT = pathlib.Path(__file__).resolve().parents[1]
DTS = (0.04, 0.02, 0.01, 0.005, 0.0025)


def fitted_slope(dts, biases, stderrs) -> tuple[float, float]:
    """Weighted least-squares slope of log |bias| against log dt, and its standard error."""
    dts, biases, stderrs = map(np.asarray, (dts, biases, stderrs))
    weights = (np.abs(biases) / stderrs) ** 2
    design = np.column_stack([np.ones_like(dts), np.log(dts)])
    covariance = np.linalg.inv(design.T @ (weights[:, None] * design))
    slope = (covariance @ design.T @ (weights * np.log(np.abs(biases))))[1]
    return float(slope), float(math.sqrt(covariance[1, 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--fit-rungs", type=int, default=4, help="fit the slope on this many finest rungs")
    parser.add_argument("--output", default=str(ROOT / "docs" / "figures" / "bridge_bias.png"))
    arguments = parser.parse_args()

    potential = Potential.from_string("(x**2-1)**2")
    problem = EscapeProblem(potential, start=-1.0, absorbing=0.0, temperature=0.5)
    exact = exact_escape_time(problem).mfpt
    results = {"exact_mfpt": exact, "trajectories": arguments.trajectories, "dts": list(DTS)}
    for bridge in (False, True):
        biases, stderrs = [], []
        for dt in DTS:
            sample = langevin_first_passage(problem, dt=dt, trajectories=arguments.trajectories,
                                            seed=arguments.seed, bridge=bridge)
            assert sample.censored == 0
            biases.append(float(sample.times.mean()) - exact)
            stderrs.append(float(sample.times.std(ddof=1)) / math.sqrt(sample.trajectories))
        k = arguments.fit_rungs
        slope, slope_stderr = fitted_slope(DTS[-k:], biases[-k:], stderrs[-k:])
        results["bridge" if bridge else "no_bridge"] = {
            "bias": biases, "stderr": stderrs, "slope": slope, "slope_stderr": slope_stderr, "fit_dts": list(DTS[-k:])
        }
    print(json_dumps(results, indent=2))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    figure, axes = plt.subplots(figsize=(5.2, 4.0), dpi=130)
    dts = np.array(DTS)
    for key, label, marker in (("no_bridge", "EM, boundary at grid points", "o"),
                               ("bridge", "EM + Brownian bridge", "s")):
        data = results[key]
        bias = np.abs(np.array(data["bias"]))
        axes.errorbar(dts, bias, yerr=2 * np.array(data["stderr"]), marker=marker, linestyle="none",
                      label=f"{label}: slope {data['slope']:.2f} $\\pm$ {data['slope_stderr']:.2f}")
        anchor = bias[2] / dts[2] ** (0.5 if key == "no_bridge" else 1.0)  # through the dt = 0.01 point
        axes.plot(dts, anchor * dts ** (0.5 if key == "no_bridge" else 1.0), color="grey", linewidth=0.8,
                  linestyle="--")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes.set_xlabel(r"time step $\Delta t$")
    axes.set_ylabel(r"$|\langle\tau\rangle_{\Delta t} - \tau_{\mathrm{exact}}|$")
    axes.set_title(r"$U=(x^2-1)^2$, $T=1/2$, $-1\to 0$; dashed: $\Delta t^{1/2}$, $\Delta t$", fontsize=9)
    axes.legend(fontsize=8)
    figure.tight_layout()
    output = pathlib.Path(arguments.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
