"""EWC barriers measured in a trained network, against the barriers the toolkit predicts.

The claim under test (the Kramers-escape view of continual learning): after N
tasks consolidated by elastic weight consolidation, learning task N+1 means
escaping over a barrier dU(N) that grows linearly in N, so that the rate
k_N = nu_N exp(-dU(N)/T) collapses exponentially.

The experiment (the maths of each piece is in ``numerics._network``):

1. An MLP learns permuted-digits tasks 1..N in sequence, each with the EWC
   penalties of the tasks before it (diagonal empirical Fisher at each solution,
   strength lambda) and a weak weight-decay prior.
2. Task N+1 is then learned by overdamped Langevin dynamics on the full-batch
   energy U_N = L_{N+1} + sum_{i<=N} EWC_i + prior, from the minimum of U_N, at
   each temperature T of a ladder; the first-passage time into
   {L_{N+1} <= l*} is recorded for R independent runs (censored at a step cap).
3. Per (N, T) the mean escape time is the censored exponential maximum-likelihood
   estimate tau = S / d (total time on test over escapes, Lawless 2003) with
   stderr(ln tau) = 1/sqrt(d).  Per N, the Arrhenius line
   ln tau = ln(1/nu_N) + dU_eff(N) / T, fitted by weighted least squares over the
   ladder, gives the effective barrier and the prefactor with standard errors.
4. The growth of dU_eff in N: the slope of a weighted line and the N^2
   coefficient of a weighted parabola, each with its standard error.
5. The prediction from the same network: the activation energy
   min_{L_{N+1} = l*} U_N - min U_N (constrained minimisation), its slope in N,
   and the quadratic-penalty estimate (1/2)(theta_b - c_N)^T Lambda_N (theta_b - c_N)
   = N (lambda/2) (theta_b - c_N)^T Fbar_N (theta_b - c_N), the EWC energy at the
   boundary minimiser theta_b relative to the penalties' centre c_N, with
   Fbar_N the mean Fisher of the N tasks.

Conditions for the comparison to mean anything: dU/T well above 1 on the whole
ladder (the Arrhenius regime), the Langevin step well inside the stability bound
of the stiffest direction, escapes not dominated by censoring, and the minimum of
U_N outside the target (else there is no barrier and no activation).  The
prefactor of a smooth absorbing boundary that is not a saddle carries a power of
T (in one dimension tau ~ sqrt(2 pi T / U''(a)) / U'(b) exp(dU/T)), a systematic
the plain Arrhenius line absorbs into dU_eff at order T ln T.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np

from theory import InvalidParameter

from ._statistics import exponential_rate, weighted_polynomial_fit

__all__ = ["EWCNetworkExperiment", "QUICK", "DEFAULT", "run_experiment", "arrhenius_fit", "network_figures", "write_network_report"]


@dataclasses.dataclass(frozen=True)
class EWCNetworkExperiment:
    """Everything one measurement depends on, validated once."""

    tasks: tuple[int, ...]
    strength: float
    temperatures: tuple[float, ...]
    runs: int
    seed: int
    hidden: int = 8
    samples: int = 200
    prior: float = 1e-2
    threshold: float = 0.25
    step: float = 0.05
    max_steps: int = 3000

    def __post_init__(self):
        if not self.tasks or any(not isinstance(n, int) or n < 1 for n in self.tasks):
            raise InvalidParameter(f"tasks must be positive integers (consolidated task counts), got {self.tasks}")
        if list(self.tasks) != sorted(set(self.tasks)):
            raise InvalidParameter(f"tasks must increase without repeats, got {self.tasks}")
        if not (math.isfinite(self.strength) and self.strength > 0):
            raise InvalidParameter(f"strength (lambda) must be positive, got {self.strength}")
        if len(self.temperatures) < 2 or any(not (math.isfinite(t) and t > 0) for t in self.temperatures):
            raise InvalidParameter(f"temperatures: need at least two positive values, got {self.temperatures}")
        if len(set(self.temperatures)) != len(self.temperatures):
            raise InvalidParameter(f"temperatures must be distinct, got {self.temperatures}")
        for name, least in (("runs", 2), ("hidden", 1), ("samples", 10), ("max_steps", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < least:
                raise InvalidParameter(f"{name} must be an integer >= {least}, got {value!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidParameter(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("prior", "threshold", "step"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidParameter(f"{name} must be positive, got {value}")


#: The configuration of ``--quick`` (minutes on two shared cores) and the default one.
QUICK = dict(tasks=(1, 2, 3), strength=5.0, temperatures=(0.002, 0.004), runs=8, max_steps=600)
DEFAULT = dict(tasks=(1, 2, 3, 4), strength=5.0, temperatures=(0.001, 0.002, 0.004), runs=32, max_steps=20000)


def arrhenius_fit(temperatures: Sequence[float], times: Sequence[np.ndarray], escaped: Sequence[np.ndarray]):
    """Arrhenius line through censored first-passage samples at each temperature.

    Returns (cells, barrier, prefactor): cells are per-T dicts (mean = 1/k from
    the censored exponential MLE, stderr, censored count); the fit uses the
    temperatures with at least two escapes, ln tau = a + dU/T with weights d.
    barrier and prefactor are Estimates (nu = exp(-a), stderr nu * se(a)), or
    None when fewer than two temperatures qualify.
    """
    from ._statistics import Estimate

    cells, x, y, s = [], [], [], []
    for temperature, sample, arrived in zip(temperatures, times, escaped):
        sample, arrived = np.asarray(sample, dtype=float), np.asarray(arrived, dtype=bool)
        escapes = int(arrived.sum())
        cell = {"temperature": float(temperature), "mean": None, "stderr": None,
                "censored": int(arrived.size - escapes), "runs": int(arrived.size)}
        if escapes >= 1 and sample.sum() == 0:  # the start lies in the target: no barrier, no activation
            cell["mean"] = cell["stderr"] = 0.0
        elif escapes >= 1:
            rate = exponential_rate(sample, arrived)
            cell["mean"] = 1.0 / rate.value
            cell["stderr"] = cell["mean"] / math.sqrt(escapes)
        if escapes >= 2 and cell["mean"] > 0:
            x.append(1.0 / temperature)
            y.append(math.log(cell["mean"]))
            s.append(1.0 / math.sqrt(escapes))
        cells.append(cell)
    if len(x) < 2:
        return cells, None, None
    fit = weighted_polynomial_fit(x, y, s, 1)
    intercept = fit.coefficient(0)
    prefactor = math.exp(-intercept.value)
    return cells, fit.coefficient(1), Estimate(prefactor, prefactor * intercept.stderr, intercept.count)


def _growth(tasks, barriers):
    """Slope (weighted line) and curvature (weighted parabola, N^2 coefficient) of dU_eff(N)."""
    usable = [(n, b) for n, b in zip(tasks, barriers) if b is not None and b.stderr > 0]
    slope = curvature = None
    if len(usable) >= 2:
        n, value, error = (np.array(v, dtype=float) for v in zip(*[(n, b.value, b.stderr) for n, b in usable]))
        slope = weighted_polynomial_fit(n, value, error, 1).coefficient(1)
        if len(usable) >= 3:
            curvature = weighted_polynomial_fit(n, value, error, 2).coefficient(2)
    return slope, curvature


def run_experiment(experiment: EWCNetworkExperiment, progress: Callable[[str], None] | None = None) -> dict:
    """Train, consolidate, run the Langevin ensembles and fit; returns the JSON payload."""
    from numerics._network import (
        MLP, Quadratic, TaskEnergy, boundary_minimum, empirical_fisher, first_passage, permuted_digits,
        single_thread, train_task,
    )

    say = progress or (lambda line: None)
    network = MLP(hidden=experiment.hidden)
    size = network.size
    measured, predicted, quadratic, tasks_report, predicted_minimum_loss = [], [], [], [], []
    with single_thread():
        data = permuted_digits(max(experiment.tasks) + 1, experiment.samples, experiment.seed)
        prior = Quadratic.isotropic(size, experiment.prior)
        ewc = Quadratic.isotropic(size)
        theta = network.initial(experiment.seed)
        for task in range(1, max(experiment.tasks) + 1):
            inputs, targets = data.task(task)
            theta = train_task(network, theta, inputs, targets, prior + ewc)
            loss = float(network.loss_and_gradient(theta, inputs, targets)[0][0])
            fisher = empirical_fisher(network, theta, inputs, targets)
            ewc = ewc + Quadratic(experiment.strength * fisher, theta[0].clone())
            say(f"task {task}: loss {loss:.4f}, accuracy {network.accuracy(theta, inputs, targets):.3f}, "
                f"mean Fisher {float(fisher.mean()):.3g}")
            tasks_report.append({"task": task, "loss": loss, "accuracy": network.accuracy(theta, inputs, targets),
                                 "fisher_mean": float(fisher.mean())})
            if task not in experiment.tasks:
                continue
            new_inputs, new_targets = data.task(task + 1)
            energy = TaskEnergy(network, new_inputs, new_targets, prior + ewc)
            stiffest = float((prior + ewc).stiffness.max())
            if experiment.step * stiffest > 1:
                raise InvalidParameter(
                    f"step {experiment.step} times the stiffest penalty direction {stiffest:.3g} exceeds 1: "
                    "the Euler-Maruyama iteration would be unstable; lower the step or lambda")
            boundary = boundary_minimum(energy, theta, experiment.threshold)
            predicted.append(boundary.barrier)
            offset = boundary.boundary[0] - ewc.centre
            quadratic.append(0.5 * float((ewc.stiffness * offset ** 2).sum()))
            say(f"N = {task}: min U_N has L_new = {boundary.loss_minimum:.4f}; "
                f"predicted barrier {boundary.barrier:.4f}, quadratic-penalty estimate {quadratic[-1]:.4f}")
            times, escaped, final = [], [], []
            for index, temperature in enumerate(experiment.temperatures):
                passage = first_passage(
                    energy, boundary.minimum, temperature, experiment.step, experiment.threshold,
                    runs=experiment.runs, max_steps=experiment.max_steps, seed=experiment.seed,
                    key=(task, index))
                times.append(passage.times)
                escaped.append(passage.escaped)
                final.append(passage.final_coordinate)
                say(f"  N = {task}, T = {temperature:g}: {int(passage.escaped.sum())}/{experiment.runs} "
                    f"escaped, {passage.steps} run-steps")
            cells, barrier, prefactor = arrhenius_fit(experiment.temperatures, times, escaped)
            for cell, stopped in zip(cells, final):
                # where the censored runs were stopped: L_new above l* by (min U_N's L_new - l*) + thermal shift
                stopped = stopped[np.isfinite(stopped)]
                cell["censored_loss_mean"] = float(stopped.mean()) if stopped.size else None
            predicted_minimum_loss.append(boundary.loss_minimum)
            measured.append((cells, barrier, prefactor))
    barriers = [m[1] for m in measured]
    slope, curvature = _growth(experiment.tasks, barriers)
    tasks = list(experiment.tasks)
    predicted_slope = float(np.polyfit(tasks, predicted, 1)[0]) if len(tasks) >= 2 else None
    quadratic_slope = float(np.polyfit(tasks, quadratic, 1)[0]) if len(tasks) >= 2 else None

    def pair(estimate):
        return None if estimate is None else {"value": estimate.value, "stderr": estimate.stderr}

    return {
        "tasks": tasks,
        "temperatures": list(experiment.temperatures),
        "escape_times": [m[0] for m in measured],
        "barrier": [pair(b) for b in barriers],
        "prefactor": [pair(m[2]) for m in measured],
        "slope": None if slope is None else slope.value,
        "slope_stderr": None if slope is None else slope.stderr,
        "curvature": None if curvature is None else curvature.value,
        "curvature_stderr": None if curvature is None else curvature.stderr,
        "predicted_barrier": predicted,
        "predicted_slope": predicted_slope,
        "quadratic_estimate": quadratic,
        "quadratic_slope": quadratic_slope,
        "training": tasks_report,
        "minimum_loss": predicted_minimum_loss,
        "parameters": {key: value for key, value in dataclasses.asdict(experiment).items()
                       if key not in ("tasks", "temperatures")},
    }


# ------------------------------------------------------------------------------------------- figures

def network_figures(payload: dict) -> dict:
    """The three figures of a measurement: name -> matplotlib figure.

    * ``arrhenius``: ln tau against 1/T per N (error bars: 2 standard errors; the
      censored-MLE means) with each fitted line.
    * ``barrier_growth``: dU_eff(N) with 2 standard errors, the constrained-minimum
      prediction and the quadratic-penalty estimate.
    * ``rate_collapse``: ln k_N = -ln tau against N at each temperature.
    """
    from ._figures import _pyplot

    pyplot = _pyplot()
    figures = {}
    colours = pyplot.rcParams["axes.prop_cycle"].by_key()["color"]
    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    inverse = np.array([1 / t for t in payload["temperatures"]])
    grid = np.linspace(inverse.min(), inverse.max(), 50)
    for index, (n, cells, barrier, prefactor) in enumerate(
            zip(payload["tasks"], payload["escape_times"], payload["barrier"], payload["prefactor"])):
        colour = colours[index % len(colours)]
        points = [(1 / c["temperature"], math.log(c["mean"]), c["stderr"] / c["mean"])
                  for c in cells if c["mean"] is not None and c["censored"] < c["runs"] - 1]
        if points:
            x, y, e = zip(*points)
            axes.errorbar(x, y, yerr=2 * np.array(e), fmt="o", color=colour, capsize=3, label=f"N = {n}")
        if barrier is not None:
            axes.plot(grid, -math.log(prefactor["value"]) + barrier["value"] * grid, "-", color=colour,
                      label=f"fit: dU_eff = {barrier['value']:.3g} ± {barrier['stderr']:.2g}")
    axes.set_xlabel("1 / T")
    axes.set_ylabel("ln tau (censored MLE)")
    axes.set_title("Arrhenius lines of the new task's first passage")
    _legend(axes)
    figure.tight_layout()
    figures["arrhenius"] = figure

    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    tasks = np.array(payload["tasks"], dtype=float)
    measured = [(n, b["value"], b["stderr"]) for n, b in zip(tasks, payload["barrier"]) if b is not None]
    if measured:
        x, y, e = zip(*measured)
        axes.errorbar(x, y, yerr=2 * np.array(e), fmt="o", capsize=3, label="measured dU_eff (Arrhenius)")
    axes.plot(tasks, payload["predicted_barrier"], "s-", label="min U_N on {L = l*} - min U_N")
    axes.plot(tasks, payload["quadratic_estimate"], "^--", label="quadratic-penalty estimate")
    axes.set_xlabel("consolidated tasks N")
    axes.set_ylabel("barrier")
    axes.set_title("Barrier to the new task against N")
    _legend(axes)
    figure.tight_layout()
    figures["barrier_growth"] = figure

    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    for index, temperature in enumerate(payload["temperatures"]):
        points = [(n, -math.log(cells[index]["mean"]), cells[index]["stderr"] / cells[index]["mean"])
                  for n, cells in zip(payload["tasks"], payload["escape_times"]) if cells[index]["mean"] is not None]
        if points:
            x, y, e = zip(*points)
            axes.errorbar(x, y, yerr=2 * np.array(e), fmt="o-", capsize=3, label=f"T = {temperature:g}")
    axes.set_xlabel("consolidated tasks N")
    axes.set_ylabel("ln k_N = -ln tau")
    axes.set_title("Plasticity: the rate of learning the new task")
    _legend(axes)
    figure.tight_layout()
    figures["rate_collapse"] = figure
    return figures


def _legend(axes) -> None:
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=7)


def write_network_report(payload: dict, directory: str) -> list[str]:
    """Figures (PNG) and results.json into ``directory``, atomically; returns the figure names."""
    import json
    import os

    from ._figures import _pyplot
    from ._report_files import staged_directory

    pyplot = _pyplot()
    with staged_directory(directory) as staging:
        figures = network_figures(payload)
        for name, figure in figures.items():
            figure.savefig(os.path.join(staging, f"{name}.png"), dpi=150)
            pyplot.close(figure)
        with open(os.path.join(staging, "results.json"), "w") as stream:
            json.dump(payload, stream, indent=2)
    return list(figures)
