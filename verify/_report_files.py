"""The verification report as files: ``report.md``, ``report.tex``, ``results.json`` and figures.

``write_report(results, directory)`` renders everything into a temporary
directory next to ``directory`` and renames it into place at the end, so an
error (or an interrupt) leaves either the previous report or none, never a
half-written one.  ``report.tex`` is a standalone LaTeX document (booktabs
table, the figures as PDF) that compiles with pdflatex and can be pasted into
a paper's appendix.  Every comparison row shows each term of its budget.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Sequence

from theory import InvalidParameter

from ._check import CheckResult
from ._report import results_json

__all__ = ["write_report", "markdown_report", "latex_report"]

_BUDGET_TERMS = ("z", "stderr", "bias", "asymptotic", "quadrature")


def _number(value: float) -> str:
    return f"{value:.6g}" if value else "0"


def markdown_report(results: Sequence[CheckResult], figures: Sequence[str], mode: str) -> str:
    passed = sum(r.passed for r in results)
    lines = [
        "# kramers verification report",
        "",
        f"Mode `{mode}`, {passed}/{len(results)} checks passed, "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}, Python {platform.python_version()}.",
        "Reproduce: `kramers verify --all --" + mode + " --report DIR`.",
        "",
        "A comparison passes when |measured - predicted| <= z x stderr + |bias| + asymptotic + quadrature.",
        "",
        "| check | case | predicted | measured | \\|diff\\| | z | stderr | bias | asymptotic | quadrature | tolerance | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        for c in result.comparisons:
            b = c.budget
            lines.append(
                f"| {result.name} | {c.case} | {c.predicted:.8g} | {c.measured:.8g} | {abs(c.difference):.3g} | "
                f"{b.z:g} | {_number(b.stderr)} | {_number(abs(b.bias))} | {_number(b.asymptotic)} | "
                f"{_number(b.quadrature)} | {b.tolerance:.3g} | {'pass' if c.passed else '**FAIL**'} |"
            )
    lines += ["", "## Checks", ""]
    for result in results:
        lines.append(f"- **{result.name}** ({'pass' if result.passed else 'FAIL'}, {result.seconds:.1f} s): "
                     f"{result.description}; derivations: {', '.join(result.derivations) or '-'}")
    for result in results:
        for c in result.comparisons:
            rows = c.details.get("narrow_spikes") if c.details else None
            if rows:
                lines += ["", f"## {result.name}: measured departures outside the adiabatic regime", "",
                          "| sigma | sigma / relaxation time | H adiabatic (k_K) | H adiabatic (exact rate) | H FPE "
                          "| H_FPE / H_ad |", "|---:|---:|---:|---:|---:|---:|"]
                for row in rows:
                    lines.append(
                        f"| {row['width']:g} | {row['width'] / row['relaxation_time']:.3g} | {row['adiabatic']:.4g} | "
                        f"{row.get('adiabatic_exact_rate', float('nan')):.4g} | {row['fpe']:.4g} | {row['ratio']:.3g} |"
                    )
    if figures:
        lines += ["", "## Figures", ""]
        for name in figures:
            lines += [f"![{name}]({name}.png)", ""]
    return "\n".join(lines) + "\n"


def latex_report(results: Sequence[CheckResult], figures: Sequence[str], mode: str,
                 pending: Sequence[str] = ()) -> str:
    """A standalone document: the equations the checks verified, the table of checks, the figures.

    ``pending`` names checks not run yet (a report written while its checks run says so).

    Built from the same pieces as ``kramers latex --section`` (verify._latex_section)
    and the same preamble as ``kramers latex --all`` (theory._latex).
    """
    from theory import DERIVATIONS
    from theory._latex import PREAMBLE, bibliography

    from theory import latex_text as text

    from ._latex_section import checks_table, derivations_latex, figure_block, figure_caption

    verified = list(dict.fromkeys(name for result in results for name in result.derivations if name in DERIVATIONS))
    passed = sum(r.passed for r in results)
    # the cited entries travel inside the document: pdflatex writes them to report.bib for bibtex
    embedded = ([r"\begin{filecontents*}[overwrite]{\jobname.bib}", bibliography(verified).rstrip(),
                 r"\end{filecontents*}"] if verified else [])
    return "\n".join([
        *embedded,
        PREAMBLE + "\\usepackage{graphicx}\n\\usepackage{longtable}",
        r"\begin{document}",
        r"\section*{Verification of the escape-rate results}",
        f"Mode \\texttt{{{text(mode)}}}: {passed} of {len(results)} checks passed. "
        + (f"Incomplete: {len(pending)} checks not run yet. " if pending else "") +
        r"A comparison passes when $|\mathrm{measured} - \mathrm{reference}| \le z\,\sigma + |\mathrm{bias}| + "
        r"\mathrm{asymptotic} + \mathrm{quadrature}$; each term is listed in Table~\ref{tab:checks}.",
        r"\subsection*{The equations verified}" if verified else "",
        derivations_latex(verified),
        r"\subsection*{The checks}",
        checks_table(results, label="tab:checks", long=True, equations=[f"eq:{name}" for name in verified],
                     caption=f"Checks in mode {text(mode)}."),
        *(figure_block(name, figure_caption(name), f"fig:{name}") for name in figures),
        *((r"\bibliographystyle{plain}", r"\bibliography{\jobname}") if verified else ()),
        r"\end{document}",
        "",
    ])


def write_report(
    results: Sequence[CheckResult],
    directory: str,
    mode: str,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """Write the report into ``directory`` atomically; returns the names of the figures drawn."""
    from ._figures import FIGURES, _pyplot

    target = os.path.abspath(directory)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise InvalidParameter(f"--report: directory {parent} does not exist")
    if os.path.exists(target) and not os.path.isdir(target):
        raise InvalidParameter(f"--report: {target} exists and is not a directory")
    staging = tempfile.mkdtemp(dir=parent, prefix=".kramers-report-")
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a report is meant to be read
    try:
        pyplot = _pyplot()
        drawn = []
        for name, draw in FIGURES.items():
            if progress:
                progress(f"figure {name} ...")
            figure = draw(results)
            if figure is None:
                continue
            figure.savefig(os.path.join(staging, f"{name}.png"), dpi=150)
            figure.savefig(os.path.join(staging, f"{name}.pdf"))
            pyplot.close(figure)
            drawn.append(name)
        files = {
            "report.md": markdown_report(results, drawn, mode),
            "report.tex": latex_report(results, drawn, mode),
            "results.json": json.dumps({**results_json(results), "mode": mode, "figures": drawn}, indent=2),
        }
        for name, text in files.items():
            with open(os.path.join(staging, name), "w") as stream:
                stream.write(text)
        if os.path.exists(target):
            retired = tempfile.mkdtemp(dir=parent, prefix=".kramers-retired-")
            os.replace(target, os.path.join(retired, "old"))
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
        return drawn
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
