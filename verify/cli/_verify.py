"""``kramers verify``, ``kramers latex`` and ``kramers list``."""

from __future__ import annotations

import os
import sys

from ._common import UsageError, output_path, report_destination, write_atomically

__all__ = ["register"]


def _command_verify(arguments) -> int:
    from .. import FULL, QUICK, format_table, results_json, run_checks
    from .._check import check_names

    mode = FULL if arguments.full else QUICK
    if arguments.all and arguments.checks:
        raise UsageError("give check names or --all, not both")
    if arguments.jobs is not None and arguments.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {arguments.jobs}")
    jobs = arguments.jobs or os.cpu_count() or 1
    names = check_names(arguments.checks)  # refuse an unknown name before anything runs or is written
    progress = None if arguments.json else (lambda line: print(line, file=sys.stderr, flush=True))
    report = None
    if arguments.report:  # opened before the checks: each result lands on disk as it finishes
        from .._report_files import ReportDirectory

        report_destination(arguments.report)
        report_progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        report = ReportDirectory(arguments.report, mode, names, progress=report_progress)
    results = run_checks(names, mode, progress=progress, on_result=report.add if report else None, jobs=jobs)
    if report:
        report.finish()
        problems = "; ".join(f"{what}: {message}" for what, message in report.errors.items())
        print(f"report written to {arguments.report}" + (f" (with errors: {problems})" if problems else ""),
              file=sys.stderr)
    if arguments.json:
        from numerics._output import json_dumps

        print(json_dumps(results_json(results), indent=2))
    else:
        print(format_table(results))
    return 0 if all(r.passed for r in results) else 1


def _command_latex(arguments) -> int:
    from theory import DERIVATIONS, derivation

    if arguments.all and arguments.section:
        raise UsageError("give --all (a document) or --section (a part of one), not both")
    if arguments.results and not arguments.section:
        raise UsageError("--results feeds the table of checks of --section; add --section")
    if arguments.all or arguments.section:
        return _latex_files(arguments)
    if arguments.output:
        output_path(arguments.output)  # refuse a bad destination before rendering
    names = arguments.names or list(DERIVATIONS)
    text = "\n".join(derivation(name).latex() for name in names)
    if arguments.output:
        write_atomically(arguments.output, text)
    else:
        print(text, end="")
    return 0


def _latex_files(arguments) -> int:
    """``--all``: a complete document; ``--section``: a section with its checks and figures. FILE.bib beside."""
    from theory import DERIVATIONS
    from theory._latex import bibliography, latex_document

    flag = "--all" if arguments.all else "--section"
    if not arguments.output:
        raise UsageError(f"{flag} writes a document and its .bib: give the file with -o FILE.tex")
    stem, extension = os.path.splitext(arguments.output)
    if extension != ".tex":
        raise UsageError(f"-o: with {flag} the document must end in .tex, got {arguments.output!r}")
    output_path(arguments.output)
    base = os.path.basename(stem)
    references = bibliography(arguments.names)
    if arguments.all:
        files = {arguments.output: latex_document(arguments.names, bibliography_name=base)}
    else:
        files = _section_files(list(arguments.names or DERIVATIONS), arguments.results, stem)
    for path, content in files.items():
        write_atomically(path, content)
    write_atomically(stem + ".bib", references)
    print(f"wrote {', '.join(files)} and {stem}.bib")
    return 0


def _section_files(names: list[str], results_path: str | None, stem: str) -> dict[str, str | bytes]:
    """The section, its figures (PDF), computed before anything is written."""
    import io

    from theory import derivation

    from .. import QUICK, run_checks
    from .._figures import FIGURE_CHECKS, FIGURES, _pyplot
    from .._latex_section import checks_for, latex_section, read_results

    for name in names:
        derivation(name)  # unknown names are refused before any check runs
    wanted = checks_for(names)
    if results_path:
        results = [result for result in read_results(results_path) if result.name in wanted]
    else:
        progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        results = run_checks(wanted, QUICK, progress=progress)
    files: dict[str, str | bytes] = {}
    drawn = []
    shown = {result.name for result in results}
    for figure_name, sources in FIGURE_CHECKS.items():
        if not shown & set(sources):
            continue
        figure = FIGURES[figure_name](results)
        if figure is None:
            continue
        buffer = io.BytesIO()
        figure.savefig(buffer, format="pdf")
        _pyplot().close(figure)
        files[f"{stem}-{figure_name}.pdf"] = buffer.getvalue()
        drawn.append(figure_name)
    files[stem + ".tex"] = latex_section(names, results, drawn, stem=os.path.basename(stem))
    return files


def _command_list(arguments) -> int:
    from .._listing import catalogue_index

    index = catalogue_index()
    print("derivations:")
    for name, title in index.derivations:
        print(f"  {name:<24} {title}")
    print("checks:")
    for name, description, derivations in index.checks:
        print(f"  {name:<24} {description}  [{', '.join(derivations)}]")
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
    verify.add_argument("--jobs", type=int, metavar="J",
                        help="checks run at once, each in its own process (default: one per core); "
                             "the numbers do not depend on it")
    verify.set_defaults(run=_command_verify)

    latex = commands.add_parser("latex", help="LaTeX of derivations")
    latex.add_argument("names", nargs="*", metavar="NAME")
    latex.add_argument("-o", "--output", metavar="FILE")
    latex.add_argument("--all", action="store_true",
                       help="write a complete document (the NAMEs, or every derivation) and its .bib; needs -o FILE.tex")
    latex.add_argument("--section", action="store_true",
                       help="write a section to \\input: the NAMEs' equations, a table of the checks that verified "
                            "them and their figures, with FILE.bib beside; needs -o FILE.tex")
    latex.add_argument("--results", metavar="RESULTS",
                       help="with --section: read the checks from a results.json (or a report directory) of "
                            "kramers verify --report instead of running them in quick mode")
    latex.set_defaults(run=_command_latex)

    listing = commands.add_parser("list", help="list derivations and checks")
    listing.set_defaults(run=_command_list)
