"""``kramers network ewc``: EWC barriers measured in a trained MLP (needs the ``networks`` extra).

    kramers network ewc [--tasks N] [--lam L] [--temperatures T1,T2,... | --ladder K1,K2,...] [--runs R]
                        [--seed S] [--threshold L* | --gap G] [--max-steps K] [--quick] [--json] [--report DIR]

``--tasks N`` measures after N = 1..N consolidated tasks.  Without ``--temperatures``
each N gets the ladder T = dU_pred(N)/K for K in ``--ladder`` (default 1.5,2.5,3.5);
without ``--threshold`` the target is ``--gap`` (default 0.013) below the new task's
loss at the first minimum.  Explicit flags override the ``--quick`` configuration.
PyTorch and scikit-learn are imported only when the command runs.  JSON keys:
tasks, temperatures (per N its ladder), escape_times (per N a list over T of mean,
stderr, censored), barrier and prefactor (per N: value, stderr), slope,
slope_stderr, curvature, curvature_stderr, predicted_barrier (per N),
predicted_slope; besides them predicted_curvature, quadratic_estimate,
quadratic_slope, threshold, minimum_loss, multiplier, largest_curvature,
prefactor_power, reference_temperature, log_rate, training and parameters.
Progress goes to stderr.
"""

from __future__ import annotations

import importlib.util
import sys

from ._common import UsageError, emit, number, positive, report_destination

__all__ = ["register"]


def _integer(text: str | None, what: str, least: int) -> int | None:
    if text is None:
        return None
    value = number(text, what)
    if not (value == int(value) and value >= least):
        raise UsageError(f"{what} must be an integer >= {least}, got {text}")
    return int(value)


def _ladder(text: str | None, flag: str):
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2 or not all(parts):
        raise UsageError(f"{flag}: expected a comma list of at least two positive values, got {text!r}")
    return tuple(positive(part, flag) for part in parts)


def _table(payload: dict) -> list[str]:
    lines = [f"{'N':>3} {'T':>9} {'tau (mean)':>12} {'stderr':>10} {'censored':>9}"]
    for n, cells in zip(payload["tasks"], payload["escape_times"]):
        for cell in cells:
            mean = "-" if cell["mean"] is None else f"{cell['mean']:.4g}"
            error = "-" if cell["stderr"] is None else f"{cell['stderr']:.2g}"
            lines.append(f"{n:>3} {cell['temperature']:>9.4g} {mean:>12} {error:>10} {cell['censored']:>5}/{cell['runs']}")
    lines.append("")
    lines.append(f"{'N':>3} {'dU_eff':>10} {'stderr':>9} {'predicted':>10} {'quadratic':>10} {'prefactor':>10}")
    for n, barrier, predicted, quadratic, prefactor in zip(
            payload["tasks"], payload["barrier"], payload["predicted_barrier"], payload["quadratic_estimate"],
            payload["prefactor"]):
        value = "-" if barrier is None else f"{barrier['value']:.4g}"
        error = "-" if barrier is None else f"{barrier['stderr']:.2g}"
        rate = "-" if prefactor is None else f"{prefactor['value']:.3g}"
        lines.append(f"{n:>3} {value:>10} {error:>9} {predicted:>10.4g} {quadratic:>10.4g} {rate:>10}")

    def show(value, error=None):
        if value is None:
            return "-"
        return f"{value:.4g}" + ("" if error is None else f" ± {error:.2g}")

    lines += ["", f"target loss l*       {payload['threshold']:.6g}; Arrhenius fit of ln tau - "
                  f"{payload['prefactor_power']:g} ln T against 1/T",
              f"slope dU_eff/dN      {show(payload['slope'], payload['slope_stderr'])}",
              f"curvature (N^2)      {show(payload['curvature'], payload['curvature_stderr'])}",
              f"predicted slope      {show(payload['predicted_slope'])}",
              f"predicted curvature  {show(payload['predicted_curvature'])}",
              f"quadratic-penalty    {show(payload['quadratic_slope'])} per task"]
    return lines


def _command_ewc(arguments) -> int:
    from .._network import DEFAULT, QUICK, EWCNetworkExperiment

    configuration = dict(QUICK if arguments.quick else DEFAULT)
    tasks = _integer(arguments.tasks, "--tasks", 1)
    if tasks is not None:
        configuration["tasks"] = tuple(range(1, tasks + 1))
    if arguments.temperatures is not None and arguments.ladder is not None:
        raise UsageError("--temperatures and --ladder exclude each other: a fixed ladder or one per N from dU/T")
    if arguments.threshold is not None and arguments.gap is not None:
        raise UsageError("--threshold and --gap exclude each other: a fixed target or one below the first minimum")
    for flag, key in (("--temperatures", "temperatures"), ("--ladder", "ladder")):
        values = _ladder(getattr(arguments, key), flag)
        if values is not None:
            configuration[key] = values
    gap = positive(arguments.gap, "--gap")
    if gap is not None:
        configuration["gap"] = gap
    runs = _integer(arguments.runs, "--runs", 2)
    if runs is not None:
        configuration["runs"] = runs
    seed = _integer(arguments.seed, "--seed", 0)
    configuration["seed"] = 0 if seed is None else seed
    threshold = positive(arguments.threshold, "--threshold")
    if threshold is not None:
        configuration["threshold"] = threshold
    max_steps = _integer(arguments.max_steps, "--max-steps", 1)
    if max_steps is not None:
        configuration["max_steps"] = max_steps
    if arguments.lam is not None:
        configuration["strength"] = positive(arguments.lam, "--lam")
    if arguments.report:  # refuse a bad destination before minutes of training, not after
        report_destination(arguments.report)
    missing = [name for name in ("torch", "sklearn") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"`kramers network` needs {' and '.join(missing)}: pip install 'kramers[networks]'")
    experiment = EWCNetworkExperiment(**configuration)

    from .._network import run_experiment

    payload = run_experiment(experiment, progress=lambda line: print(line, file=sys.stderr, flush=True))
    if arguments.report:
        from .._network import write_network_report

        write_network_report(payload, arguments.report)
        print(f"report written to {arguments.report}", file=sys.stderr)
    emit(arguments, payload, _table(payload))
    return 0


def register(commands) -> None:
    from ._common import Parser

    network = commands.add_parser("network", help="the theory on a real network (needs the networks extra)")
    experiments = network.add_subparsers(dest="experiment", required=True, parser_class=Parser)
    ewc = experiments.add_parser("ewc", help="EWC barriers measured in a trained MLP against the predicted ones")
    ewc.add_argument("--tasks", metavar="N", help="measure after N = 1..N consolidated tasks")
    ewc.add_argument("--lam", metavar="L", help="EWC strength lambda > 0")
    ewc.add_argument("--temperatures", metavar="T1,T2,...", help="one temperature ladder for every N")
    ewc.add_argument("--ladder", metavar="K1,K2,...",
                     help="values of dU_pred(N)/T placing each N's temperatures (default 1.5,2.5,3.5)")
    ewc.add_argument("--runs", metavar="R", help="independent Langevin runs per (N, T)")
    ewc.add_argument("--seed", metavar="S", help="seed of data subset, initialisation and noise (default 0)")
    ewc.add_argument("--threshold", metavar="L*", help="target of the new task: loss L_{N+1} <= L*")
    ewc.add_argument("--gap", metavar="G",
                     help="target G below the new task's loss at the first minimum measured (default 0.013)")
    ewc.add_argument("--max-steps", metavar="K", help="Langevin steps before a run is censored")
    ewc.add_argument("--quick", action="store_true", help="the small configuration (minutes)")
    ewc.add_argument("--json", action="store_true", help="machine-readable output")
    ewc.add_argument("--report", metavar="DIR", help="write the figures (PNG) and results.json into DIR")
    ewc.set_defaults(run=_command_ewc)
