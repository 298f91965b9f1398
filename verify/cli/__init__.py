"""The ``kramers`` command line.

    kramers rate      --potential EXPR --from X --to X [--temperature T] [--friction G] [--param NAME=VALUE]... [--json]
                      [--var x,y,... [--saddle X] [--images M]]
    kramers path      --var x,y,... --potential EXPR --from A --to B [--temperature T] [--images M] [--plot FILE] [--json]
    kramers mfpt      --potential EXPR --from X0 --to B --temperature T [--friction G] [--digits D] [--reflect L] [--json]
    kramers simulate  --potential EXPR --from X0 --to B --temperature T --trajectories N --dt DT --seed S
                      [--threads K] [--max-time TMAX] [--no-bridge] [--json]
    kramers verify    [CHECK...] [--quick|--full] [--json]
    kramers latex     [NAME...] [-o FILE]
    kramers fpe       --potential EXPR --from X0 --to B (--temperature T | --temperature-expr EXPR) --horizon TEND [--json]
    kramers list
    kramers schedule  --potential EXPR --from X --to X --temperature T0 --schedule SPEC --horizon TEND [--json]
    kramers schedule  ... --optimize --budget B --horizon TEND [--json]
    kramers skills    geometry|resource|domino [options] [--json]   (see verify/cli/_skills.py)
    kramers network ewc [--tasks N] [--lam L] [--temperatures T1,T2,...] [--runs R] [--seed S] [--quick] [--report DIR] [--json]
    kramers bench     [--trajectories N] [--baseline-trajectories N] [--threads 1,2] [--no-start-up] [--json]

JSON keys are a contract that later tools read.  Bad input prints one line on
stderr and exits with status 2, without a traceback; a failed verification
exits with status 1.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from . import _bench, _ewc, _fpe, _kramers, _network, _path, _schedule, _skills, _verify
from ._common import Parser, UsageError, message_with_flags

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: Modules that each register subcommands (``register(commands)``); add a line to add commands.
COMMAND_MODULES = (
    _kramers,
    _path,
    _verify,
    _schedule,
    _skills,
    _fpe,
    _ewc,
    _network,
    _bench,
)


def build_parser():
    parser = Parser(prog="kramers", description="Derive escape-over-barrier results and verify them numerically.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(commands)
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
        print(f"kramers {arguments.command}: error: {message_with_flags(error)}", file=sys.stderr)
        return 2
    except MemoryError:  # the drivers refuse sizes they can estimate; this catches the rest
        print(f"kramers {arguments.command}: error: out of memory: a size given is too large for this machine",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kramers: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
