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

The temperatures.  The rate only reads a barrier off an Arrhenius line when dU/T
is a few units on the whole ladder: too low and there is no activation, too high
and nothing escapes within the runs.  Barriers that grow with N therefore need a
ladder per N, and by default it is chosen from the predicted barrier,
T_{N,j} = dU_pred(N) / kappa_j with kappa = dU/T on a fixed ladder (``ladder``);
the prediction only places the temperatures, the slope of ln tau in 1/T is
measured.  An explicit ``temperatures`` ladder is used for every N instead.

The target is a fixed loss l* for every N: by default ``gap`` below the new
task's loss at the minimum of U_{N_1} (N_1 the first N measured), so that the
barrier grows with N as the penalties hold the minimum of U_N away from the new
task.

The prefactor.  The absorbing set {L_{N+1} <= l*} is bounded by a smooth level
set, not a saddle (a non-characteristic boundary, Matkowsky and Schuss 1977):
the flux through it carries a power of T.  In one dimension
tau ~ sqrt(2 pi T / U''(a)) / U'(b) exp(dU/T); in d dimensions the harmonic
prefactor has the same T^{1/2} times a ratio of determinants that does not
depend on T.  The Arrhenius fit is therefore ln tau - (1/2) ln T = ln(1/nu) + dU/T
(``BOUNDARY_POWER``); the plain line ln tau against 1/T would read
dU (1 - T/(2 dU)) instead of dU, 15 per cent low at dU/T = 3.  What remains on a
finite ladder is measured on the harmonic analogue, U = q^2/2 absorbed at a
level q_b, by exact quadrature (:func:`ladder_bias`).

Conditions for the comparison to mean anything: dU/T well above 1 on the whole
ladder (the Arrhenius regime), the Langevin step well inside the stability bound
of the stiffest direction (eta h_max < 1, refused otherwise), escapes not dominated
by censoring, the minimum of U_N outside the target (else there is no barrier and
no activation), and an entropic factor prod_i (1 + mu h_i / a_i)^{1/2} ~
exp(mu d_eff / 2) of the boundary's prefactor (mu the Lagrange multiplier at the
boundary minimiser, d_eff = tr(H_L A^{-1}) the number of directions in which the
loss is stiffer than the penalties) of order one, else the escapes are
exponentially slower than the barrier says (docs/networks.md).

References: J. F. Lawless, Statistical Models and Methods for Lifetime Data
(Wiley 2003); B. J. Matkowsky and Z. Schuss, SIAM J. Appl. Math. 33, 365 (1977).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from theory import InvalidParameter

from ._statistics import exponential_rate, weighted_polynomial_fit

__all__ = [
    "EWCNetworkExperiment", "QUICK", "DEFAULT", "BOUNDARY_POWER", "run_experiment", "arrhenius_fit", "ladder_bias",
    "network_figures", "write_network_report",
]

#: The power of T in the prefactor of an exit through a smooth (non-saddle) boundary: tau ~ T^{1/2} exp(dU/T).
BOUNDARY_POWER = 0.5


@dataclasses.dataclass(frozen=True)
class EWCNetworkExperiment:
    """Everything one measurement depends on, validated once.

    ``temperatures`` (a ladder shared by every N) or, when it is None, ``ladder``:
    the values of dU_pred(N)/T that place each N's temperatures.  ``threshold``
    (the target l*) or, when it is None, ``gap``: l* = L_{N_1+1}(argmin U_{N_1}) - gap.
    """

    tasks: tuple[int, ...]
    strength: float
    runs: int
    seed: int
    temperatures: tuple[float, ...] | None = None
    ladder: tuple[float, ...] = (1.5, 2.5, 3.5)
    hidden: int = 4
    samples: int = 100
    prior: float = 5e-2
    threshold: float | None = None
    gap: float = 0.013
    step: float = 0.1
    max_steps: int = 12000

    def __post_init__(self):
        if not self.tasks or any(not isinstance(n, int) or n < 1 for n in self.tasks):
            raise InvalidParameter(f"tasks must be positive integers (consolidated task counts), got {self.tasks}")
        if list(self.tasks) != sorted(set(self.tasks)):
            raise InvalidParameter(f"tasks must increase without repeats, got {self.tasks}")
        if not (math.isfinite(self.strength) and self.strength > 0):
            raise InvalidParameter(f"strength (lambda) must be positive, got {self.strength}")
        for name in ("temperatures", "ladder"):
            values = getattr(self, name)
            if values is None:
                continue
            if len(values) < 2 or any(not (math.isfinite(t) and t > 0) for t in values):
                raise InvalidParameter(f"{name}: need at least two positive values, got {values}")
            if len(set(values)) != len(values):
                raise InvalidParameter(f"{name} must be distinct, got {values}")
        for name, least in (("runs", 2), ("hidden", 1), ("samples", 10), ("max_steps", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < least:
                raise InvalidParameter(f"{name} must be an integer >= {least}, got {value!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidParameter(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("prior", "gap", "step") + (() if self.threshold is None else ("threshold",)):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidParameter(f"{name} must be positive, got {value}")


#: The configuration of ``--quick`` (minutes on two shared cores) and the default one (about ten times longer).
QUICK = dict(tasks=(1, 2, 3), strength=0.2, runs=16, max_steps=12000)
DEFAULT = dict(tasks=(1, 2, 3, 4), strength=0.2, runs=48, max_steps=24000)


def arrhenius_fit(temperatures: Sequence[float], times: Sequence[np.ndarray], escaped: Sequence[np.ndarray],
                  power: float = 0.0):
    """Arrhenius line through censored first-passage samples at each temperature.

    Returns (cells, fit): cells are per-T dicts (mean = 1/k from the censored
    exponential MLE, stderr, censored count); the fit uses the temperatures with
    at least two escapes, ln tau - power ln T = a + dU/T with weights d (the
    escapes; stderr of ln tau = 1/sqrt(d)), a :class:`~verify._statistics.PolynomialFit`
    (coefficient 0: a = ln(1/nu), coefficient 1: dU), or None when fewer than two
    temperatures qualify.  ``power`` is the power of T in the prefactor: 0 for a
    saddle, ``BOUNDARY_POWER`` for a smooth absorbing boundary.
    """
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
            y.append(math.log(cell["mean"]) - power * math.log(temperature))
            s.append(1.0 / math.sqrt(escapes))
        cells.append(cell)
    return cells, (weighted_polynomial_fit(x, y, s, 1) if len(x) >= 2 else None)


def _barrier_and_prefactor(fit):
    """dU and nu = exp(-a) (stderr nu se(a)) as Estimates, from an Arrhenius fit (None: None, None)."""
    if fit is None:
        return None, None
    from ._statistics import Estimate

    intercept = fit.coefficient(0)
    prefactor = math.exp(-intercept.value)
    return fit.coefficient(1), Estimate(prefactor, prefactor * intercept.stderr, intercept.count)


def ladder_bias(ladder: Sequence[float], power: float = BOUNDARY_POWER, digits: int = 10) -> float:
    """Relative error of an Arrhenius barrier read on the ladder kappa = dU/T, in the harmonic analogue.

    U = q^2/2, absorbed at q_b = sqrt(2) (dU = 1), reflected far away at q = -30;
    exact mean first-passage times from q = 0 at T = 1/kappa by quadrature, fitted
    (equal weights) with ``power``; returns the fitted slope minus 1.  At
    kappa = 1.5, 2.5, 3.5 and power 1/2 it is +0.069 (the plain line, power 0:
    -0.14).
    """
    inverse = np.array([float(k) for k in ladder])
    tau = _harmonic_exit_times(tuple(inverse), digits)
    fit = weighted_polynomial_fit(inverse, np.log(tau) + power * np.log(inverse), np.ones_like(inverse), 1)
    return float(fit.coefficients[1]) - 1.0


@functools.lru_cache(maxsize=16)
def _harmonic_exit_times(ladder: tuple[float, ...], digits: int) -> np.ndarray:
    """Exact MFPTs of U = q^2/2 from 0 to sqrt(2) at T = 1/kappa for each kappa of the ladder."""
    from theory import Potential, mean_first_passage_time

    harmonic = Potential.from_string("x**2/2", variables=["x"], parameters={}, what="potential")
    return np.array([float(mean_first_passage_time(harmonic, 0, math.sqrt(2), 1 / k, digits=digits,
                                                   reflect=-30).value) for k in ladder])


def _growth(tasks, barriers, predicted):
    """Slope (line) and curvature (parabola, N^2 coefficient) of dU_eff(N) and of the predicted barriers.

    The measured ones are weighted least squares over the N with a barrier (weights
    1/stderr^2); the predicted ones are fitted over the same N with the same
    weights, so that a barrier curved in N is summarised alike on both sides
    (unweighted over every N where fewer than two barriers were measured).
    Returns (slope, curvature, predicted_slope, predicted_curvature), Estimates
    and floats or None.
    """
    usable = [(n, b, p) for n, b, p in zip(tasks, barriers, predicted) if b is not None and b.stderr > 0]
    if len(usable) >= 2:
        n = np.array([u[0] for u in usable], dtype=float)
        value, error = np.array([u[1].value for u in usable]), np.array([u[1].stderr for u in usable])
        expected = np.array([u[2] for u in usable])
    else:
        n, value, error, expected = np.array(tasks, dtype=float), None, np.ones(len(tasks)), np.array(predicted)
    result = []
    for degree in (1, 2):
        if n.size < degree + 1:
            result.append((None, None))
            continue
        measured = None if value is None else weighted_polynomial_fit(n, value, error, degree).coefficient(degree)
        result.append((measured, float(weighted_polynomial_fit(n, expected, error, degree).coefficients[degree])))
    (slope, predicted_slope), (curvature, predicted_curvature) = result
    return slope, curvature, predicted_slope, predicted_curvature


def _log_rate(fit, temperature: float) -> dict | None:
    """ln k = -(a + dU/T) + power ln T at ``temperature`` from a fit, with the stderr from its covariance."""
    if fit is None:
        return None
    basis = np.array([1.0, 1.0 / temperature])
    value = -float(basis @ fit.coefficients) + BOUNDARY_POWER * math.log(temperature)
    return {"value": value, "stderr": float(math.sqrt(basis @ fit.covariance @ basis))}


def run_experiment(experiment: EWCNetworkExperiment, progress: Callable[[str], None] | None = None) -> dict:
    """Train, consolidate, run the Langevin ensembles and fit; returns the JSON payload."""
    from numerics._network import (
        MLP, Quadratic, TaskEnergy, boundary_minimum, empirical_fisher, first_passage, largest_curvature,
        minimise, permuted_digits, single_thread, train_task,
    )

    say = progress or (lambda line: None)
    network = MLP(hidden=experiment.hidden)
    size = network.size
    threshold = experiment.threshold
    measured, predicted, quadratic, tasks_report, minimum_loss, ladders, multipliers, stiffest = ([] for _ in range(8))
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
            if threshold is None:  # the target: gap below the new task's loss at the first minimum measured
                first = float(energy.evaluate(minimise(energy, theta))[1][0])
                threshold = first - experiment.gap
                if threshold <= 0:
                    raise InvalidParameter(f"gap {experiment.gap} exceeds the new task's loss {first:.4g} at the "
                                           f"minimum of U_{task}")
            boundary = boundary_minimum(energy, theta, threshold)
            curvature = largest_curvature(energy, boundary.minimum)
            if experiment.step * curvature > 1:
                raise InvalidParameter(
                    f"step {experiment.step} times the largest curvature {curvature:.3g} of U_{task} at its minimum "
                    "exceeds 1: the Euler-Maruyama iteration would be unstable or biased; lower the step or lambda")
            if experiment.temperatures is not None:
                temperatures = experiment.temperatures
            elif boundary.barrier > 0:
                temperatures = tuple(boundary.barrier / kappa for kappa in experiment.ladder)
            else:
                raise InvalidParameter(
                    f"threshold {threshold:.6g} is above the new task's loss {boundary.loss_minimum:.6g} at the "
                    f"minimum of U_{task}: no barrier to place a temperature ladder on; lower the threshold")
            predicted.append(boundary.barrier)
            multipliers.append(boundary.multiplier)
            stiffest.append(curvature)
            offset = boundary.boundary[0] - ewc.centre
            quadratic.append(0.5 * float((ewc.stiffness * offset ** 2).sum()))
            say(f"N = {task}: min U_N has L_new = {boundary.loss_minimum:.4f} (target {threshold:.4f}); "
                f"predicted barrier {boundary.barrier:.4g}, quadratic-penalty estimate {quadratic[-1]:.4g}, "
                f"multiplier {boundary.multiplier:.3g}, eta h_max {experiment.step * curvature:.2f}")
            times, escaped, final = [], [], []
            for index, temperature in enumerate(temperatures):
                passage = first_passage(
                    energy, boundary.minimum, temperature, experiment.step, threshold,
                    runs=experiment.runs, max_steps=experiment.max_steps, seed=experiment.seed,
                    key=(task, index))
                times.append(passage.times)
                escaped.append(passage.escaped)
                final.append(passage.final_coordinate)
                say(f"  N = {task}, T = {temperature:.4g}: {int(passage.escaped.sum())}/{experiment.runs} "
                    f"escaped, {passage.steps} run-steps")
            cells, fit = arrhenius_fit(temperatures, times, escaped, BOUNDARY_POWER)
            for cell, stopped in zip(cells, final):
                # where the censored runs were stopped: L_new above l* by (min U_N's L_new - l*) + thermal shift
                stopped = stopped[np.isfinite(stopped)]
                cell["censored_loss_mean"] = float(stopped.mean()) if stopped.size else None
            minimum_loss.append(boundary.loss_minimum)
            ladders.append(list(temperatures))
            measured.append((cells, fit))
    fits = [m[1] for m in measured]
    barriers, prefactors = zip(*[_barrier_and_prefactor(fit) for fit in fits])
    slope, curvature, predicted_slope, predicted_curvature = _growth(experiment.tasks, barriers, predicted)
    tasks = list(experiment.tasks)
    quadratic_slope = float(np.polyfit(tasks, quadratic, 1)[0]) if len(tasks) >= 2 else None
    reference = float(np.exp(np.median(np.log([t for ladder in ladders for t in ladder]))))

    def pair(estimate):
        return None if estimate is None else {"value": estimate.value, "stderr": estimate.stderr}

    return {
        "tasks": tasks,
        # every temperature used, ascending (the key: one ladder when --temperatures fixes it) ...
        "temperatures": sorted({t for ladder in ladders for t in ladder}),
        # ... and the ladder of each N (by --ladder, a ladder per N scaled to its predicted barrier)
        "temperature_ladders": ladders,
        "escape_times": [m[0] for m in measured],
        "barrier": [pair(b) for b in barriers],
        "prefactor": [pair(p) for p in prefactors],
        "slope": None if slope is None else slope.value,
        "slope_stderr": None if slope is None else slope.stderr,
        "curvature": None if curvature is None else curvature.value,
        "curvature_stderr": None if curvature is None else curvature.stderr,
        "predicted_barrier": predicted,
        "predicted_slope": predicted_slope,
        "predicted_curvature": predicted_curvature,
        "quadratic_estimate": quadratic,
        "quadratic_slope": quadratic_slope,
        "threshold": threshold,
        "minimum_loss": minimum_loss,
        "multiplier": multipliers,
        "largest_curvature": stiffest,
        "prefactor_power": BOUNDARY_POWER,
        "reference_temperature": reference,
        "log_rate": [_log_rate(fit, reference) for fit in fits],
        "training": tasks_report,
        "parameters": {key: (list(value) if isinstance(value, tuple) else value)
                       for key, value in dataclasses.asdict(experiment).items() if key not in ("tasks",)},
    }


# ------------------------------------------------------------------------------------------- figures

def network_figures(payload: dict) -> dict:
    """The three figures of a measurement: name -> matplotlib figure.

    * ``arrhenius``: ln(tau T^{-1/2}) (the fitted quantity; censored-MLE means,
      error bars 2 standard errors) against 1/T per N, with each fitted line.
    * ``barrier_growth``: dU_eff(N) with 2 standard errors, the constrained-minimum
      prediction and the quadratic-penalty estimate (log scale where all are positive).
    * ``rate_collapse``: ln k_N against N at one reference temperature (the median
      of all the ladders), from each N's Arrhenius line (2 standard errors from its
      covariance), beside the prediction -dU_pred(N)/T + const through the first point.
    """
    from ._figures import _pyplot

    pyplot = _pyplot()
    power = payload.get("prefactor_power", 0.0)
    figures = {}
    colours = pyplot.rcParams["axes.prop_cycle"].by_key()["color"]
    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    for index, (n, ladder, cells, barrier, prefactor) in enumerate(zip(
            payload["tasks"], payload["temperature_ladders"], payload["escape_times"], payload["barrier"],
            payload["prefactor"])):
        colour = colours[index % len(colours)]
        points = [(1 / c["temperature"], math.log(c["mean"]) - power * math.log(c["temperature"]),
                   c["stderr"] / c["mean"]) for c in cells if c["mean"] and c["censored"] < c["runs"] - 1]
        if points:
            x, y, e = zip(*points)
            axes.errorbar(x, y, yerr=2 * np.array(e), fmt="o", color=colour, capsize=3, label=f"N = {n}")
        if barrier is not None:
            grid = np.linspace(1 / max(ladder), 1 / min(ladder), 50)
            axes.plot(grid, -math.log(prefactor["value"]) + barrier["value"] * grid, "-", color=colour,
                      label=f"fit: dU_eff = {barrier['value']:.3g} ± {barrier['stderr']:.2g}")
    axes.set_xlabel("1 / T")
    axes.set_ylabel("ln tau" if power == 0 else f"ln(tau T^-{power:g}) (censored MLE)")
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
    if all(v > 0 for v in payload["predicted_barrier"] + payload["quadratic_estimate"]):
        axes.set_yscale("log")  # the quadratic-penalty estimate lies orders of magnitude above
    axes.set_xlabel("consolidated tasks N")
    axes.set_ylabel("barrier")
    axes.set_title("Barrier to the new task against N")
    _legend(axes)
    figure.tight_layout()
    figures["barrier_growth"] = figure

    figure, axes = pyplot.subplots(figsize=(5.5, 4))
    reference = payload["reference_temperature"]
    points = [(n, rate["value"], rate["stderr"]) for n, rate in zip(tasks, payload["log_rate"]) if rate is not None]
    if points:
        x, y, e = zip(*points)
        axes.errorbar(x, y, yerr=2 * np.array(e), fmt="o", capsize=3, label="measured (Arrhenius line per N)")
        shift = y[0] + payload["predicted_barrier"][list(tasks).index(x[0])] / reference
        axes.plot(tasks, shift - np.array(payload["predicted_barrier"]) / reference, "s--",
                  label="-dU_pred(N)/T (through the first point)")
    axes.set_xlabel("consolidated tasks N")
    axes.set_ylabel(f"ln k_N at T = {reference:.3g}")
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
