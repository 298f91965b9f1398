"""``kramers verify``, ``kramers latex`` and ``kramers list``."""

from __future__ import annotations

import json
import os
import sys

from ._cli_common import UsageError, report_destination, write_atomically

__all__ = ["register"]


def _command_verify(arguments) -> int:
    from . import FULL, QUICK, format_table, results_json, run_checks

    mode = FULL if arguments.full else QUICK
    if arguments.all and arguments.checks:
        raise UsageError("give check names or --all, not both")
    if arguments.report:  # refuse a bad destination before minutes of checks, not after
        report_destination(arguments.report)
    progress = None if arguments.json else (lambda line: print(line, file=sys.stderr, flush=True))
    results = run_checks(arguments.checks, mode, progress=progress)
    if arguments.report:
        from ._report_files import write_report

        report_progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        write_report(results, arguments.report, mode, progress=report_progress)
        print(f"report written to {arguments.report}", file=sys.stderr)
    if arguments.json:
        print(json.dumps(results_json(results), indent=2))
    else:
        print(format_table(results))
    return 0 if all(r.passed for r in results) else 1


def _command_latex(arguments) -> int:
    from theory import DERIVATIONS, derivation

    if arguments.all:
        return _latex_document(arguments)
    names = arguments.names or list(DERIVATIONS)
    text = "\n".join(derivation(name).latex() for name in names)
    if arguments.output:
        write_atomically(arguments.output, text)
    else:
        print(text, end="")
    return 0


def _latex_document(arguments) -> int:
    """``kramers latex --all [NAME...] -o FILE.tex``: a complete document and FILE.bib next to it."""
    import os

    from theory._latex import bibliography, latex_document

    from ._cli_common import UsageError

    if not arguments.output:
        raise UsageError("--all writes a document and its .bib: give the file with -o FILE.tex")
    stem, extension = os.path.splitext(arguments.output)
    if extension != ".tex":
        raise UsageError(f"-o: with --all the document must end in .tex, got {arguments.output!r}")
    bib_path = stem + ".bib"
    document = latex_document(arguments.names, bibliography_name=os.path.basename(stem))
    references = bibliography(arguments.names)
    write_atomically(arguments.output, document)
    write_atomically(bib_path, references)
    print(f"wrote {arguments.output} and {bib_path}")
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



def register(commands) -> None:
    verify = commands.add_parser("verify", help="run the verification checks and print the table")
    verify.add_argument("checks", nargs="*", metavar="CHECK")
    effort = verify.add_mutually_exclusive_group()
    effort.add_argument("--quick", action="store_true", help="minutes on two cores (default)")
    effort.add_argument("--full", action="store_true", help="paper grade; may take hours")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--all", action="store_true", help="every registered check (the default with no names)")
    verify.add_argument("--report", metavar="DIR",
                        help="write report.md, report.tex, results.json and figures (PNG, PDF) into DIR")
    verify.set_defaults(run=_command_verify)

    latex = commands.add_parser("latex", help="LaTeX of derivations")
    latex.add_argument("names", nargs="*", metavar="NAME")
    latex.add_argument("-o", "--output", metavar="FILE")
    latex.add_argument("--all", action="store_true",
                       help="write a complete document (the NAMEs, or every derivation) and its .bib; needs -o FILE.tex")
    latex.set_defaults(run=_command_latex)

    listing = commands.add_parser("list", help="list derivations and checks")
    listing.set_defaults(run=_command_list)
