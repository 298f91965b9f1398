"""Pieces shared by the ``kramers`` subcommands: parsing of user values, output, errors."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence

__all__ = [
    "Parser", "UsageError", "parameters", "potential", "point", "one_dimensional", "number", "positive", "emit",
    "write_atomically", "landscape_options", "temperature_of_time", "report_destination",
]


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
    """The temperature of a run: a float, or a SymPy expression T(t) in ``theory.symbols.t``.

    ``--temperature T`` alone is constant; ``--temperature T0 --schedule SPEC`` is
    T0 plus the schedule's excess (see ``theory.parse_schedule``);
    ``--temperature-expr EXPR`` is T(t) itself, parsed over ``t`` (never
    evaluated).  A T(t) that is not positive on [0, horizon] is refused.
    """
    from theory import ExpressionPulse, parse_expression, parse_schedule, symbols

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
        baseline = positive(arguments.temperature, "--temperature")
        if schedule_spec is None:
            return baseline
        schedule = parse_schedule(schedule_spec, baseline)
    if horizon is not None:
        schedule.check_positive(horizon, what="--schedule" if schedule_spec else "--temperature-expr")
    return schedule.temperature


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
        print(json.dumps(payload, indent=2))
    else:
        print("\n".join(text_lines))


def write_atomically(path: str, content: str | bytes, *, what: str = "-o") -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename: whole or not at all."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{what}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".kramers-")
    try:
        with os.fdopen(handle, "wb" if isinstance(content, bytes) else "w") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


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
