"""Pieces shared by the ``kramers`` subcommands: parsing of user values, output, errors."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence

__all__ = [
    "Parser", "UsageError", "parameters", "potential", "point", "one_dimensional", "number", "positive", "emit",
    "write_atomically", "landscape_options",
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


def write_atomically(path: str, text: str) -> None:
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




def allow_negative_points(parser: argparse.ArgumentParser) -> None:
    """Let option values such as ``--from -1,0`` (a comma-list point with a minus sign) through.

    argparse reads any argument that starts with '-' and is not a plain negative
    number as an option flag; a comma list of numbers is a value here.
    """
    import re

    parser._negative_number_matcher = re.compile(r"^-[0-9.][0-9.,eE+\-]*$")
