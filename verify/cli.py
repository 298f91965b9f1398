"""The ``kramers`` command line.

    kramers rate      --potential EXPR --from X --to X [--temperature T] [--friction G] [--param NAME=VALUE]... [--json]
    kramers mfpt      --potential EXPR --from X0 --to B --temperature T [--friction G] [--digits D] [--reflect L] [--json]
    kramers simulate  --potential EXPR --from X0 --to B --temperature T --trajectories N --dt DT --seed S
                      [--threads K] [--max-time TMAX] [--no-bridge] [--json]
    kramers verify    [CHECK...] [--quick|--full] [--json]
    kramers latex     [NAME...] [-o FILE]
    kramers list

JSON keys are a contract that later tools read.  Bad input prints one line on
stderr and exits with status 2, without a traceback; a failed verification
exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Sequence

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


class UsageError(Exception):
    """Bad input detected by the command line itself."""


def _parameters(pairs: Sequence[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip()
        if not equals or not name or not value.strip():
            raise UsageError(f"--param: expected NAME=VALUE, got {pair!r}")
        if name in parameters:
            raise UsageError(f"--param: {name!r} given twice")
        parameters[name] = value.strip()
    return parameters


def _potential(arguments):
    from theory import Potential

    return Potential.from_string(
        arguments.potential, variables=("x",), parameters=_parameters(arguments.param), what="--potential"
    )


def _number(text: str, what: str) -> float:
    from theory._potential import parse_number

    return float(parse_number(text, what=what))


def _positive(text: str | None, what: str) -> float | None:
    if text is None:
        return None
    value = _number(text, what)
    if not value > 0:
        raise UsageError(f"{what} must be positive, got {text}")
    return value


def _emit(arguments, payload: dict, text_lines: Sequence[str]) -> None:
    if arguments.json:
        print(json.dumps(payload, indent=2))
    else:
        print("\n".join(text_lines))


# ---------------------------------------------------------------- commands
def _command_rate(arguments) -> int:
    import sympy

    from theory import kramers_escape

    temperature = _positive(arguments.temperature, "--temperature")
    friction = _positive(arguments.friction, "--friction")
    potential = _potential(arguments)
    theory = kramers_escape(potential, _number(arguments.start, "--from"), _number(arguments.target, "--to"))
    numbers = theory.numbers(temperature if temperature is not None else 1, friction)
    derivation = theory.rate
    if temperature is None:  # rate and time need a temperature; the rest does not
        numbers["rate"] = numbers["escape_time"] = None
    else:
        barrier_ratio = temperature / numbers["barrier"]
        if barrier_ratio > derivation.validity.threshold:
            warnings.warn(
                f"T/dU = {barrier_ratio:.3g} > {derivation.validity.threshold}: Kramers' law is outside its regime "
                "(use `kramers mfpt` for the exact time)"
            )
    payload = {
        **numbers,
        "temperature": temperature,
        "friction": friction,
        "exact_stationary_points": theory.points.minimum.exact and theory.points.saddle.exact,
        "correction_coefficient": float(sympy.N(theory.correction_coefficient(1).subs(potential.values))),
        "latex": derivation.equation_latex(),
    }
    lines = [f"potential          U(x) = {potential}"]
    lines += [
        f"{key:<18} {payload[key]}" for key in (
            "minimum", "saddle", "barrier", "curvature_minimum", "curvature_saddle", "prefactor", "rate",
            "escape_time", "correction_coefficient",
        )
    ]
    lines.append(f"{'formula':<18} {derivation.quantity} = {sympy.sstr(derivation.expression)}")
    _emit(arguments, payload, lines)
    return 0


def _command_mfpt(arguments) -> int:
    from theory import mean_first_passage_time

    temperature = _positive(arguments.temperature, "--temperature")
    friction = _positive(arguments.friction, "--friction")
    if not 1 <= arguments.digits <= 100:
        raise UsageError(f"--digits must be from 1 to 100, got {arguments.digits}")
    potential = _potential(arguments)
    result = mean_first_passage_time(
        potential,
        _number(arguments.start, "--from"),
        _number(arguments.target, "--to"),
        temperature,
        friction=friction,
        digits=arguments.digits,
        reflect=None if arguments.reflect is None else _number(arguments.reflect, "--reflect"),
    )
    payload = {
        "mfpt": str(result),
        "digits": result.digits,
        "error_estimate": float(result.error_estimate),
        "temperature": temperature,
        "friction": friction,
    }
    _emit(arguments, payload, [f"mfpt   {result}", f"digits {result.digits}"])
    return 0


def _command_simulate(arguments) -> int:
    from numerics import first_passage_ensemble

    from ._statistics import exponential_rate, mean_first_passage

    temperature = _positive(arguments.temperature, "--temperature")
    friction = _positive(arguments.friction, "--friction")
    dt = _positive(arguments.dt, "--dt")
    max_time = _positive(arguments.max_time, "--max-time")
    if arguments.trajectories < 1:
        raise UsageError(f"--trajectories must be at least 1, got {arguments.trajectories}")
    if arguments.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {arguments.seed}")
    if arguments.threads is not None and arguments.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {arguments.threads}")
    potential = _potential(arguments)
    sample = first_passage_ensemble(
        potential.derivative(1, numeric=True),
        potential.variable,
        start=_number(arguments.start, "--from"),
        target=_number(arguments.target, "--to"),
        temperature=temperature,
        dt=dt,
        trajectories=arguments.trajectories,
        seed=arguments.seed,
        friction=friction,
        max_time=max_time,
        bridge=arguments.bridge,
        threads=arguments.threads,
    )
    if sample.censored:
        warnings.warn(
            f"{sample.censored} of {sample.trajectories} trajectories were censored at t = {sample.max_time:g}; "
            "the mean is over the escaped ones and biased low (raise --max-time)"
        )
    escapes = sample.trajectories - sample.censored
    mean = mean_first_passage(sample.times, sample.escaped, allow_censored=True) if escapes >= 2 else None
    rate = exponential_rate(sample.times, sample.escaped) if escapes else None
    payload = {
        "mean": mean.value if mean else None,
        "stderr": mean.stderr if mean else None,
        "trajectories": sample.trajectories,
        "censored": sample.censored,
        "seed": sample.seed,
        "steps_per_second": sample.steps_per_second,
        "rate_mle": rate.value if rate else None,
        "rate_mle_stderr": rate.stderr if rate else None,
        "dt": sample.dt,
        "temperature": sample.temperature,
        "friction": sample.friction,
        "bridge": sample.bridge,
        "threads": sample.threads,
        "steps": sample.steps,
        "wall_seconds": sample.wall_seconds,
    }
    lines = [f"{key:<18} {payload[key]}" for key in (
        "mean", "stderr", "trajectories", "censored", "rate_mle", "seed", "threads", "steps_per_second")]
    _emit(arguments, payload, lines)
    return 0


def _command_verify(arguments) -> int:
    from . import FULL, QUICK, format_table, results_json, run_checks

    mode = FULL if arguments.full else QUICK
    progress = None if arguments.json else (lambda line: print(line, file=sys.stderr, flush=True))
    results = run_checks(arguments.checks, mode, progress=progress)
    if arguments.json:
        print(json.dumps(results_json(results), indent=2))
    else:
        print(format_table(results))
    return 0 if all(r.passed for r in results) else 1


def _command_latex(arguments) -> int:
    from theory import DERIVATIONS, derivation

    names = arguments.names or list(DERIVATIONS)
    text = "\n".join(derivation(name).latex() for name in names)
    if arguments.output:
        _write_atomically(arguments.output, text)
    else:
        print(text, end="")
    return 0


def _command_list(arguments) -> int:
    from theory import derivations

    from . import CHECKS

    print("derivations:")
    for name, item in derivations().items():
        print(f"  {name:<24} {item.title}")
    print("checks:")
    for name, check in CHECKS.items():
        print(f"  {name:<24} {check.description}  [{', '.join(check.derivations)}]")
    return 0


def _write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"-o: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".kramers-")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# ---------------------------------------------------------------- parser
def _landscape_options(parser: argparse.ArgumentParser, *, temperature_required: bool) -> None:
    parser.add_argument("--potential", required=True, metavar="EXPR",
                        help="U(x), e.g. '(x**2-1)**2'; numbers, x, parameters, + - * / ** and exp, log, sqrt, ...")
    parser.add_argument("--from", dest="start", required=True, metavar="X", help="starting point")
    parser.add_argument("--to", dest="target", required=True, metavar="X", help="target (absorbing) point")
    parser.add_argument("--temperature", required=temperature_required, metavar="T", help="temperature T > 0 (k_B = 1)")
    parser.add_argument("--friction", default="1", metavar="G", help="friction gamma > 0 (default 1)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="value of a parameter of the potential (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kramers", description="Derive escape-over-barrier results and verify them numerically.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rate = commands.add_parser("rate", help="Kramers rate: stationary points, barrier, prefactor")
    _landscape_options(rate, temperature_required=False)
    rate.set_defaults(run=_command_rate)

    mfpt = commands.add_parser("mfpt", help="exact mean first-passage time by quadrature")
    _landscape_options(mfpt, temperature_required=True)
    mfpt.add_argument("--digits", type=int, default=15, metavar="D", help="significant digits (default 15)")
    mfpt.add_argument("--reflect", metavar="L", help="reflecting end beyond --from (default: infinity)")
    mfpt.set_defaults(run=_command_mfpt)

    simulate = commands.add_parser("simulate", help="Langevin ensemble of first-passage times")
    _landscape_options(simulate, temperature_required=True)
    simulate.add_argument("--trajectories", type=int, required=True, metavar="N")
    simulate.add_argument("--dt", required=True, metavar="DT", help="time step")
    simulate.add_argument("--seed", type=int, required=True, metavar="S")
    simulate.add_argument("--threads", type=int, metavar="K", help="threads (default: all cores)")
    simulate.add_argument("--max-time", metavar="TMAX", help="time cap; later trajectories are censored")
    simulate.add_argument("--bridge", action=argparse.BooleanOptionalAction, default=True,
                          help="Brownian-bridge boundary correction (default on)")
    simulate.set_defaults(run=_command_simulate)

    verify = commands.add_parser("verify", help="run the verification checks and print the table")
    verify.add_argument("checks", nargs="*", metavar="CHECK")
    effort = verify.add_mutually_exclusive_group()
    effort.add_argument("--quick", action="store_true", help="minutes on two cores (default)")
    effort.add_argument("--full", action="store_true", help="paper grade; may take hours")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=_command_verify)

    latex = commands.add_parser("latex", help="LaTeX of derivations")
    latex.add_argument("names", nargs="*", metavar="NAME")
    latex.add_argument("-o", "--output", metavar="FILE")
    latex.set_defaults(run=_command_latex)

    listing = commands.add_parser("list", help="list derivations and checks")
    listing.set_defaults(run=_command_list)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    print(f"kramers: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    from theory import KramersError

    warnings.showwarning = _one_line_warning
    try:
        return arguments.run(arguments)
    except (KramersError, UsageError) as error:
        print(f"kramers {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kramers: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
