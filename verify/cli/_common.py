"""Pieces shared by the ``kramers`` subcommands: parsing of user values, output, errors."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence

__all__ = [
    "Parser", "UsageError", "parameters", "potential", "point", "one_dimensional", "number", "positive", "emit",
    "output_path", "write_atomically", "landscape_options", "temperature_of_time", "escape_problem", "PARAMETER_FLAGS",
    "message_with_flags", "flags_in", "report_destination",
]

#: The command-line flag of each library parameter (InvalidParameter.parameter), for error messages.
PARAMETER_FLAGS = {
    "potential": "--potential", "start": "--from", "target": "--to", "absorbing": "--to/--absorb",
    "temperature": "--temperature", "friction": "--friction", "mass": "--mass", "dt": "--dt", "seed": "--seed",
    "trajectories": "--trajectories", "threads": "--threads", "max_time": "--max-time", "bridge": "--bridge",
    "integrator": "--integrator", "horizon": "--horizon", "reflect": "--reflect", "chunk_size": "--chunk-size",
    "workers": "--workers", "scheduler": "--scheduler", "trajectory": "--replay", "schedule": "--schedule",
    "digits": "--digits", "parameters": "--param", "tasks": "--tasks", "strength": "--lam", "anchor": "--anchor",
    "fisher_matrix": "--fisher", "task_list": "--tasks-file",
}

#: A parameter named inside a library message: its name in backquotes (theory's errors module).
_QUOTED_PARAMETER = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")


def flags_in(message: str, parameter: str | None = None) -> str:
    """A library message as the command line prints it: parameters named by their flags.

    A message that starts with ``parameter`` starts with its flag instead, any
    other message gets the flag as a prefix ("FLAG: message"); a parameter named
    inside the message in backquotes (`` `start` ``) becomes its flag, or its bare
    name where the command line has no flag for it.
    """
    message = _QUOTED_PARAMETER.sub(lambda match: PARAMETER_FLAGS.get(match[1], match[1]), message)
    flag = PARAMETER_FLAGS.get(parameter)
    if flag is None:
        return message
    if message.startswith(parameter):
        return flag + message[len(parameter):]
    return f"{flag}: {message}"


def message_with_flags(error: Exception) -> str:
    """The message of a library error with its parameters named by the command line's flags (:func:`flags_in`)."""
    return flags_in(str(error), getattr(error, "parameter", None))


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


class UsageError(Exception):
    """Bad input detected by the command line itself."""


def parameters(pairs: Sequence[str]) -> dict[str, str]:
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


def potential(arguments):
    """The potential of ``--potential`` over the variables of ``--var`` with the values of ``--param``."""
    from theory import Potential

    variables = [name.strip() for name in arguments.var.split(",")]
    if not all(variables):
        raise UsageError(f"--var: expected comma-separated names like x,y, got {arguments.var!r}")
    return Potential.from_string(
        arguments.potential, variables=variables, parameters=parameters(arguments.param), what="--potential"
    )


def point(text: str, dimension: int, what: str) -> tuple[float, ...]:
    """A point from a comma list ("-1,0.5"), with as many coordinates as the potential has variables."""
    coordinates = tuple(number(part, what) for part in text.split(","))
    if len(coordinates) != dimension:
        raise UsageError(f"{what}: expected {dimension} comma-separated coordinates, got {len(coordinates)}")
    return coordinates


def temperature_of_time(arguments, horizon: float | None):
    """The temperature of a run, as :class:`~theory.EscapeProblem` takes it.

    ``--temperature T`` alone is a ``theory.Constant``; ``--temperature T0
    --schedule SPEC`` is the ``theory.Schedule`` of T0 plus the schedule's excess
    (see ``theory.parse_schedule``), T0 parsed exactly from its text;
    ``--temperature-expr EXPR`` is T(t) itself, a SymPy expression in
    ``theory.symbols.t`` parsed over ``t`` (never evaluated), without a baseline.
    A T(t) that is not positive on [0, horizon] is refused.
    """
    from theory import Constant, ExpressionPulse, parse_expression, parse_schedule, symbols

    schedule_spec = getattr(arguments, "schedule", None)
    expression_text = getattr(arguments, "temperature_expr", None)
    if schedule_spec is not None and expression_text is not None:
        raise UsageError("give --schedule (with --temperature T0) or --temperature-expr, not both")
    if expression_text is not None:
        if arguments.temperature is not None:
            raise UsageError("give --temperature (constant) or --temperature-expr (T(t)), not both")
        expression = parse_expression(expression_text, {"t": symbols.t}, what="--temperature-expr")
        if symbols.t not in expression.free_symbols:
            return positive(str(expression), "--temperature-expr")
        initial = expression.subs(symbols.t, 0)
        if not (initial.is_number and initial.is_real and initial > 0):
            raise UsageError(f"--temperature-expr: T(0) = {initial} must be positive")
        schedule = ExpressionPulse(initial, expression - initial)
    else:
        if arguments.temperature is None:
            if schedule_spec is not None:
                raise UsageError("--schedule needs --temperature T0, the baseline it adds to")
            raise UsageError("--temperature or --temperature-expr is required")
        positive(arguments.temperature, "--temperature")  # T0 <= 0 refused naming the flag
        if schedule_spec is None:
            return Constant(arguments.temperature)
        schedule = parse_schedule(schedule_spec, arguments.temperature, what="--schedule")
    if horizon is not None:
        schedule.check_positive(horizon, what="--schedule" if schedule_spec else "--temperature-expr")
    return schedule if schedule_spec else schedule.temperature


def escape_problem(arguments, *, horizon: float | None = None, mass: float | None = None):
    """The :class:`~theory.EscapeProblem` of a command's arguments: where a command line becomes a problem.

    ``--potential``/``--var``/``--param``, ``--from``, ``--to`` (in 1-D the
    half-line beyond it, or with ``--left A`` the two absorbing ends A and --to; in d-D a ball of ``--radius`` around it) or ``--absorb
    CONDITION``, the temperature (:func:`temperature_of_time`, checked positive up
    to ``horizon``), ``--friction``; ``mass`` None is overdamped.  The problem
    validates itself; its errors name parameters, which ``kramers`` maps to flags.
    """
    from theory import Ball, EscapeProblem, Interval, absorbing_set_from_condition, half_line

    landscape = potential(arguments)
    start = point(arguments.start, landscape.dimension, "--from")
    temperature = temperature_of_time(arguments, horizon)
    friction = positive(arguments.friction, "--friction")
    condition = getattr(arguments, "absorb", None)
    radius = getattr(arguments, "radius", None)
    if (condition is None) == (arguments.target is None):
        raise UsageError(f"{arguments.command}: give exactly one of --to (a point) and --absorb (a condition)")
    if condition is not None:
        if radius is not None:
            raise UsageError("--radius goes with --to, not with --absorb")
        absorbing = absorbing_set_from_condition(condition, landscape.variables, landscape.values, what="--absorb")
    else:
        target = point(arguments.target, landscape.dimension, "--to")
        left = getattr(arguments, "left", None)
        if landscape.dimension == 1 and radius is None:
            if target == start:
                raise UsageError("--to must differ from --from: the start is already absorbed")
            if left is None:
                absorbing = half_line(start[0], target[0])
            else:
                if not number(left, "--left") < start[0] < target[0]:
                    raise UsageError("--left A makes both ends absorbing and needs A < --from < --to")
                absorbing = Interval(number(left, "--left"), target[0])
        else:
            radius = positive(radius, "--radius")
            if radius is None:  # default: a tenth of the distance from the start
                radius = 0.1 * sum((a - b) ** 2 for a, b in zip(start, target)) ** 0.5
            absorbing = Ball(target, radius)
    return EscapeProblem(landscape, start, absorbing, temperature, friction, mass)


def one_dimensional(landscape, command: str) -> None:
    """Refuse a multi-dimensional potential in a command that handles one dimension only."""
    if landscape.dimension != 1:
        raise UsageError(f"--var: `kramers {command}` handles one variable, got {landscape.dimension}")


def number(text: str, what: str) -> float:
    from theory._potential import parse_number

    return float(parse_number(text, what=what))


def positive(text: str | None, what: str) -> float | None:
    if text is None:
        return None
    value = number(text, what)
    if not value > 0:
        raise UsageError(f"{what} must be positive, got {text}")
    return value


def emit(arguments, payload: dict, text_lines: Sequence[str]) -> None:
    if arguments.json:
        from numerics._output import json_dumps

        print(json_dumps(payload, indent=2))
    else:
        print("\n".join(text_lines))


def output_path(path: str, what: str = "-o") -> str:
    """``path`` if its directory exists (checked before any work is done), else a one-line refusal."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{what}: directory {directory} does not exist")
    if os.path.isdir(path):
        raise UsageError(f"{what}: {path} is a directory")
    return path


def write_atomically(path: str, content: str | bytes, *, what: str = "-o") -> None:
    """Write ``content`` to ``path`` whole or not at all (``numerics._output.write_atomically``).

    A missing directory is refused naming the flag ``what`` that gave the path.
    """
    from numerics._output import write_atomically as write

    write(output_path(path, what), content)


def report_destination(path: str) -> None:
    """Refuse a ``--report`` directory that cannot be written (checked before a long run, not after)."""
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"--report: directory {parent} does not exist")
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"--report: {path} exists and is not a directory")


def landscape_options(parser: argparse.ArgumentParser, *, temperature_required: bool) -> None:
    parser.add_argument("--potential", required=True, metavar="EXPR",
                        help="U(x), e.g. '(x**2-1)**2'; numbers, x, parameters, + - * / ** and exp, log, sqrt, ...")
    parser.add_argument("--from", dest="start", required=True, metavar="X", help="starting point")
    parser.add_argument("--to", dest="target", required=True, metavar="X", help="target (absorbing) point")
    parser.add_argument("--temperature", required=temperature_required, metavar="T", help="temperature T > 0 (k_B = 1)")
    parser.add_argument("--friction", default="1", metavar="G", help="friction gamma > 0 (default 1)")
    parser.add_argument("--var", default="x", metavar="x,y,...", help="variables of the potential (default x)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="value of a parameter of the potential (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")




def accept_negative_points(parser: argparse.ArgumentParser) -> None:
    """Let values such as ``--from -1,0`` or ``--anchor -1,-2`` through argparse.

    argparse reads an argument starting with '-' as an option unless it looks
    like a negative number; a comma list of numbers counts as one here.
    """
    import re

    parser._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(,\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)*$")
