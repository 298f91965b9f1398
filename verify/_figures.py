"""Figures of the verification report (matplotlib, imported lazily, Agg backend).

Each figure function takes the check results (and computes what it needs
beyond them with small, seeded runs) and returns the matplotlib figure, or
``None`` when its data is absent (e.g. the check that feeds it was not run).

* Arrhenius plot: ln tau against 1/T, with the exact MFPT (quadrature), the
  Kramers time 1/k_K and the first-corrected time tau_K (1 + C_1 T) as lines,
  and the measured ensemble means (error bars: z standard errors) and the
  Fokker-Planck values as points.
* Survival under a Gaussian spike and under a plateau of equal thermal budget:
  Fokker-Planck, a Langevin ensemble of the compiled kernel with T(t) (Kaplan-Meier
  with Greenwood bands) and
  the adiabatic survival exp(-int k_K(T(s)) ds).
* Adiabatic breakdown: H_FPE / H_adiabatic against the spike width in units
  of the well relaxation time gamma / U''(a).
* Exit-time bias against dt: (mean - exact)/exact on the dt rungs of the
  ensemble check, with z standard errors.
* EWC barrier against the number of tasks N on the canonical landscape
  (lambda F = 0.1): the exact barrier, its linear law and the critical count N*.
* ln k_N against N: the Kramers rate on U_N and, from ``ewc_rate_vs_ensemble``,
  the measured escape rates 1/tau (z standard errors) against the predicted ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy

from theory import Potential, kramers_escape, symbols

from ._check import CheckResult

__all__ = ["FIGURES", "FIGURE_CHECKS", "FIGURE_CAPTIONS", "schedule_ensemble", "plateau_temperature"]

QUARTIC = "(x**2-1)**2"
Z = 4.0


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    pyplot.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 150})
    return pyplot


def _by_name(results: Sequence[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def arrhenius(results: Sequence[CheckResult]):
    """ln tau vs 1/T on (x^2-1)^2 from -1 to +1."""
    from numerics import exit_time_statistics

    pyplot = _pyplot()
    potential = Potential.from_string(QUARTIC)
    theory = kramers_escape(potential, -1, 1)
    first = float(theory.correction_coefficient(1))
    temperatures = np.linspace(0.2, 0.7, 26)
    # the exact curve by quadrature (numerics.exit_time_statistics: milliseconds per point, ~1e-15 relative)
    exact = [exit_time_statistics(potential, -1, 1, T).mfpt for T in temperatures]
    rate = sympy.lambdify(symbols.T, theory.rate.expression.subs(symbols.gamma, 1), "numpy")
    kramers = 1 / rate(temperatures)
    exact = np.array(exact)
    figure, (axes, ratio) = pyplot.subplots(1, 2, figsize=(10, 4))
    lines = [
        (exact, "k-", 2, "exact MFPT"),
        (kramers, "C0--", 1.5, r"Kramers $1/k_K$"),
        (kramers * (1 + first * temperatures), "C2-.", 1.5, rf"corrected $\tau_K(1+{first:g}\,T)$"),
    ]
    for values, style, width, label in lines:
        axes.plot(1 / temperatures, np.log(values), style, lw=width, label=label)
        ratio.plot(1 / temperatures, values / kramers, style, lw=width, label=label)
    checks = _by_name(results)
    if "ensemble_vs_exact_mfpt" in checks:
        points = [(c.parameters["temperature"], c.measured, c.budget.stderr)
                  for c in checks["ensemble_vs_exact_mfpt"].comparisons]
        T, mean, stderr = map(np.array, zip(*points))
        style = dict(fmt="o", color="C3", ms=5, capsize=3, label=rf"Langevin ensembles (${Z:g}\sigma$)")
        axes.errorbar(1 / T, np.log(mean), yerr=Z * stderr / mean, **style)
        ratio.errorbar(1 / T, mean * rate(T), yerr=Z * stderr * rate(T), **style)
    if "fpe_vs_exact_mfpt" in checks:
        points = [(c.parameters["temperature"], c.measured) for c in checks["fpe_vs_exact_mfpt"].comparisons]
        T, value = map(np.array, zip(*points))
        axes.plot(1 / T, np.log(value), "s", mfc="none", color="C1", ms=9, label="Fokker-Planck")
        ratio.plot(1 / T, value * rate(T), "s", mfc="none", color="C1", ms=9, label="Fokker-Planck")
    axes.set_xlabel(r"$1/T$")
    axes.set_ylabel(r"$\ln \tau$")
    axes.set_title(r"Arrhenius plot, $U=(x^2-1)^2$, $-1 \to +1$", fontsize=10)
    axes.legend(fontsize=8)
    ratio.set_xlabel(r"$1/T$")
    ratio.set_ylabel(r"$\tau\, k_K$")
    ratio.set_title(r"the same, divided by the Kramers time $1/k_K$", fontsize=10)
    figure.tight_layout()
    return figure


def plateau_temperature(baseline: float, height: float, start: float, duration: float, smoothing: float):
    """T0 + h on [t_s, t_s + tau], with tanh edges of width ``smoothing`` (so that T(t) is smooth)."""
    t = symbols.t
    edge = lambda centre: (1 + sympy.tanh((t - centre) / smoothing)) / 2  # noqa: E731
    return sympy.Float(baseline) + sympy.Float(height) * (edge(start) - edge(start + duration))


def schedule_ensemble(problem, horizon: float, dt: float, trajectories: int, seed: int):
    """Exit times of ``problem`` under its T(t) from the compiled Langevin kernel (counter-based noise).

    Euler-Maruyama with the Brownian-bridge test, censored at the horizon;
    returns ``(times, escaped)``.
    """
    from numerics import langevin_first_passage

    sample = langevin_first_passage(problem, dt=dt, trajectories=trajectories, seed=seed, max_time=horizon)
    return sample.times, sample.escaped


def survival_under_schedules(results: Sequence[CheckResult]):
    """Survival under a spike and a plateau of equal thermal budget: FPE, ensemble, adiabatic."""
    from numerics import fokker_planck_survival
    from theory import EscapeProblem

    from scipy.integrate import cumulative_trapezoid

    from ._checks_fpe import spike_temperature
    from ._statistics import kaplan_meier

    pyplot = _pyplot()
    potential = Potential.from_string(QUARTIC)
    theory = kramers_escape(potential, -1, 1)
    kramers = theory.rate.expression.subs(symbols.gamma, 1)
    rate = lambda times, T: sympy.lambdify(symbols.t, kramers.subs(symbols.T, T), "numpy")(times)  # noqa: E731
    baseline, horizon = 0.12, 30.0
    amplitude, width, centre = 0.2, 2.0, 12.0
    budget = amplitude * width * math.sqrt(2 * math.pi)
    height, duration = 0.1, budget / 0.1
    schedules = {
        rf"spike: $A={amplitude:g}$, $\sigma={width:g}$": spike_temperature(baseline, amplitude, centre, width),
        rf"plateau: $h={height:g}$, $\tau={duration:.3g}$": plateau_temperature(
            baseline, height, centre - duration / 2, duration, 0.2),
    }
    figure, panels = pyplot.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    for seed, (axes, (label, temperature)) in enumerate(zip(panels, schedules.items()), start=1):
        problem = EscapeProblem(potential, start=-1.0, absorbing=1.0, temperature=temperature)
        curve = fokker_planck_survival(problem, horizon=horizon, cells=600, steps=3000, outputs=300)
        grid = np.linspace(0, horizon, 30_001)  # trapezoidal hazard: step 1e-3, far below what a plot resolves
        with np.errstate(under="ignore"):  # the spike's Gaussian tail underflows to 0: correct
            adiabatic = np.exp(-cumulative_trapezoid(rate(grid, temperature), grid, initial=0.0))
        times, escaped = schedule_ensemble(problem, horizon, 2e-3, 2000, 500 + seed)
        estimate = kaplan_meier(times, escaped)
        low, high = estimate.band(Z)
        steps = np.concatenate([[0], estimate.times, [horizon]])  # censored at the horizon: the step holds
        extend = lambda values: np.concatenate([[1], values, values[-1:]])  # noqa: E731
        axes.fill_between(steps, extend(low), extend(high), step="post",
                          color="C3", alpha=0.25, label=rf"ensemble, Kaplan-Meier ${Z:g}\sigma$ band")
        axes.step(steps, extend(estimate.survival), where="post", color="C3", lw=1, label="ensemble (N=2000)")
        axes.plot(curve.times, curve.survival, "k-", lw=2, label="Fokker-Planck")
        axes.plot(grid, adiabatic, "C0--", lw=1.5, label=r"adiabatic $e^{-\int k_K(T(s))ds}$")
        twin = axes.twinx()
        twin.plot(curve.times, curve.temperatures, color="0.6", lw=1, ls=":")
        twin.set_ylim(0, 0.5)
        twin.set_ylabel(r"$T(t)$ (dotted)", color="0.4")
        twin.grid(False)
        axes.set_title(label, fontsize=10)
        axes.set_xlabel("t")
    panels[0].set_ylabel("survival S(t)")
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    figure.suptitle(rf"Equal thermal budget $B={budget:.3g}$ above $T_0={baseline:g}$, $U=(x^2-1)^2$", fontsize=10)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def adiabatic_breakdown(results: Sequence[CheckResult]):
    """H_FPE / H_adiabatic against sigma / (gamma/U''(a))."""
    checks = _by_name(results)
    if "adiabatic_breakdown" not in checks:
        return None
    rows = [c.details for c in checks["adiabatic_breakdown"].comparisons]
    rows = rows + list(rows[-1].get("narrow_spikes", ()))
    pyplot = _pyplot()
    width = np.array([r["width"] / r["relaxation_time"] for r in rows])
    ratio = np.array([r["ratio"] for r in rows])
    declared = np.array([r["declared"] / r["adiabatic"] for r in rows])
    order = np.argsort(width)
    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    axes.fill_between(width[order], 1 - declared[order], 1 + declared[order], color="C0", alpha=0.2,
                      label=r"declared error of $k_K$: $\int 2|C_1|T k_K$")
    axes.plot(width[order], ratio[order], "o-", color="k", label=r"$H_{\mathrm{FPE}}/H_{\mathrm{adiabatic}}$")
    if all("ratio_exact_rate" in r for r in rows):
        exact = np.array([r["ratio_exact_rate"] for r in rows])
        axes.plot(width[order], exact[order], "s--", color="C3", mfc="none",
                  label=r"same with the exact rate $\lambda_1(T)$ in place of $k_K$")
    axes.axhline(1, color="C0", lw=1)
    axes.axvline(1, color="0.5", ls=":", lw=1)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(r"spike width $\sigma$ / relaxation time $\gamma/U''(a)$")
    axes.set_ylabel("hazard ratio at the horizon")
    axes.set_title("Where the adiabatic picture breaks down", fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def exit_time_bias(results: Sequence[CheckResult]):
    """(mean - exact)/exact against dt for the ensemble check's rungs."""
    checks = _by_name(results)
    if "ensemble_vs_exact_mfpt" not in checks:
        return None
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    for index, comparison in enumerate(checks["ensemble_vs_exact_mfpt"].comparisons):
        d = comparison.details
        if "coarse_dt" not in d:
            return None
        dts = np.array([d["coarse_dt"], d["coarse_dt"] / 2])
        means = np.array([d["coarse_mean"], comparison.measured])
        errors = np.array([d["coarse_stderr"], comparison.budget.stderr])
        exact = comparison.predicted
        axes.errorbar(dts * (1 + 0.03 * index), (means - exact) / exact, yerr=Z * errors / exact, fmt="o-",
                      capsize=3, label=comparison.case.split(",")[0])
    axes.axhline(0, color="k", lw=1)
    axes.set_xscale("log")
    axes.set_xlabel(r"time step $\Delta t$")
    axes.set_ylabel(r"relative bias of the mean exit time")
    axes.set_title(rf"Exit-time bias vs $\Delta t$ (bridge-corrected, ${Z:g}\sigma$ bars)", fontsize=10)
    axes.legend(fontsize=8, loc="upper right")
    figure.tight_layout()
    return figure


#: Name -> figure function; each returns a matplotlib figure or None when its data is absent.
def ewc_barrier_growth(results: Sequence[CheckResult]):
    """dU(N) on the canonical landscape: exact, linear law, and N*."""
    from theory._ewc import N, fisher, lam

    from theory import canonical_ewc

    pyplot = _pyplot()
    ewc = canonical_ewc()
    values = {lam: sympy.Rational(1, 10), fisher: 1}
    critical = float(sympy.N(ewc.critical_tasks.subs(values)))
    barrier = sympy.lambdify(N, ewc.barrier.subs(values), "mpmath")
    linear = sympy.lambdify(N, ewc.barrier_linear.subs(values), "mpmath")
    tasks = np.linspace(0, critical * (1 - 1e-9), 200)
    figure, axes = pyplot.subplots(figsize=(5.5, 3.8))
    axes.plot(tasks, [float(barrier(n)) for n in tasks], "k-", lw=2, label=r"exact $\Delta U(N)$")
    axes.plot(tasks, [float(linear(n)) for n in tasks], "C0--", lw=1.5, label=r"linear law $\Delta U_0 + N\lambda F/2$")
    axes.axvline(critical, color="C3", ls=":", label=rf"$N^* = 1/(\lambda F) = {critical:g}$: no barrier beyond")
    axes.set_xlabel("number of consolidated tasks N")
    axes.set_ylabel(r"barrier $\Delta U(N)$")
    axes.set_title(r"EWC barrier on $(s^2-1)^2$ anchored at $s=-1$, $\lambda F = 0.1$", fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def ewc_rate_collapse(results: Sequence[CheckResult]):
    """ln k_N vs N: Kramers on U_N, predicted and measured escape rates from the ensemble check."""
    from theory._ewc import N, fisher, lam

    from theory import ewc_rate

    checks = _by_name(results)
    if "ewc_rate_vs_ensemble" not in checks:
        return None
    pyplot = _pyplot()
    temperature = 0.25
    rate = ewc_rate()
    tasks = np.linspace(0, 8, 33)
    kramers = [float(rate.evaluate({N: n, lam: sympy.Rational(1, 10), fisher: 1, symbols.T: temperature,
                                    symbols.gamma: 1})) for n in tasks]
    figure, axes = pyplot.subplots(figsize=(5.5, 3.8))
    axes.plot(tasks, np.log(kramers), "k-", lw=2, label=r"Kramers $\ln k_N$ on $U_N$")
    rows = [c for c in checks["ewc_rate_vs_ensemble"].comparisons if c.problem is not None]  # the ensembles
    counts = np.array([c.details["tasks"] for c in rows])
    predicted = np.array([c.predicted for c in rows])
    measured = np.array([c.measured for c in rows])
    stderr = np.array([c.budget.stderr for c in rows])
    axes.plot(counts, -np.log(predicted), "s", mfc="none", color="C1", ms=9,
              label=r"predicted $1/\tau$ (Kramers + corrections)")
    axes.errorbar(counts, -np.log(measured), yerr=Z * stderr / measured, fmt="o", color="C3", ms=5, capsize=3,
                  label=rf"Langevin $1/\tau$ (${Z:g}\sigma$)")
    axes.set_xlabel("number of consolidated tasks N")
    axes.set_ylabel(r"$\ln k$")
    axes.set_title(rf"Plasticity collapse, $\lambda F = 0.1$, $T = {temperature:g}$", fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


FIGURES = {
    "arrhenius": arrhenius,
    "survival_schedules": survival_under_schedules,
    "adiabatic_breakdown": adiabatic_breakdown,
    "exit_time_bias": exit_time_bias,
    "ewc_barrier_growth": ewc_barrier_growth,
    "ewc_rate_collapse": ewc_rate_collapse,
}

#: The checks whose results each figure shows: a section on some derivations
#: (``kramers latex --section``) draws the figures of the checks it tabulates.
FIGURE_CHECKS = {
    "arrhenius": ("ensemble_vs_exact_mfpt", "fpe_vs_exact_mfpt"),
    "survival_schedules": ("ensemble_vs_fpe_under_schedules",),
    "adiabatic_breakdown": ("adiabatic_breakdown",),
    "exit_time_bias": ("ensemble_vs_exact_mfpt",),
    "ewc_barrier_growth": ("ewc_series_vs_exact", "ewc_canonical_vs_hand"),
    "ewc_rate_collapse": ("ewc_rate_vs_ensemble",),
}

#: Each figure's caption, as LaTeX text (mathematics in math mode).
FIGURE_CAPTIONS = {
    "arrhenius": r"Arrhenius plot on $U(x) = (x^{2} - 1)^{2}$: the exact mean first-passage time, the Kramers "
                 r"time and its first correction against the measured ensemble means and Fokker--Planck values.",
    "survival_schedules": r"Survival under a Gaussian spike and a plateau of equal thermal budget: "
                          r"Fokker--Planck, Langevin ensemble and the adiabatic law.",
    "adiabatic_breakdown": r"Where the adiabatic picture breaks down: the Fokker--Planck hazard over the "
                           r"adiabatic one against the spike width in units of $\gamma / U''(a)$.",
    "exit_time_bias": r"Exit-time bias of the ensembles against the time step $\Delta t$.",
    "ewc_barrier_growth": r"EWC barrier against the number of tasks $N$ on the canonical landscape: exact, "
                          r"linear law and the critical count $N^{*}$.",
    "ewc_rate_collapse": r"Plasticity collapse: $\ln k_N$ against $N$, predicted and measured.",
}
