"""The verification report as files: ``report.md``, ``report.tex``, ``results.json`` and figures.

``write_report(results, directory)`` renders everything into a temporary
directory next to ``directory`` and renames it into place at the end, so an
error (or an interrupt) leaves either the previous report or none, never a
half-written one.  ``report.tex`` is a standalone LaTeX document (booktabs
table, the figures as PDF) that compiles with pdflatex and can be pasted into
a paper's appendix.  Every comparison row shows each term of its budget.
"""

from __future__ import annotations

import contextlib
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

__all__ = ["write_report", "markdown_report", "latex_report", "staged_directory"]

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


def _tex(text: str) -> str:
    replacements = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
    return "".join(replacements.get(character, character) for character in text)


def _tex_number(value: float) -> str:
    if value == 0:
        return "0"
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$" if exponent else f"${mantissa}$"


def latex_report(results: Sequence[CheckResult], figures: Sequence[str], mode: str) -> str:
    passed = sum(r.passed for r in results)
    rows = []
    for result in results:
        for c in result.comparisons:
            b = c.budget
            rows.append(" & ".join([
                _tex(result.name), _tex(c.case), _tex_number(c.predicted), _tex_number(c.measured),
                _tex_number(abs(c.difference)),
                (f"${b.z:g}\\times$" + _tex_number(b.stderr)) if b.stderr else "0",
                _tex_number(abs(b.bias)), _tex_number(b.asymptotic), _tex_number(b.quadrature),
                _tex_number(b.tolerance), "pass" if c.passed else r"\textbf{FAIL}",
            ]) + r" \\")
    figure_blocks = []
    for name in figures:
        figure_blocks.append(
            "\\begin{figure}[htbp]\n\\centering\n"
            f"\\includegraphics[width=0.8\\linewidth]{{{name}.pdf}}\n"
            f"\\caption{{{_tex(name.replace('_', ' '))}.}}\n\\label{{fig:{name}}}\n\\end{{figure}}\n"
        )
    return (
        "\\documentclass{article}\n"
        "\\usepackage[margin=1.5cm,landscape]{geometry}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n"
        "\\usepackage{graphicx}\n\\begin{document}\n"
        "\\section*{Verification of the escape-rate results}\n"
        f"Mode \\texttt{{{mode}}}: {passed} of {len(results)} checks passed. "
        "A comparison passes when $|\\mathrm{measured}-\\mathrm{predicted}| \\le z\\,\\sigma + |\\mathrm{bias}| + "
        "\\mathrm{asymptotic} + \\mathrm{quadrature}$; each term is listed.\n"
        "{\\scriptsize\n\\begin{longtable}{llrrrrrrrrl}\n\\toprule\n"
        "check & case & predicted & measured & $|\\Delta|$ & $z\\sigma$ & bias & asymptotic & quadrature "
        "& tolerance & verdict \\\\\n\\midrule\n\\endhead\n"
        + "\n".join(rows)
        + "\n\\bottomrule\n\\end{longtable}\n}\n"
        + "".join(figure_blocks)
        + "\\end{document}\n"
    )


def write_report(
    results: Sequence[CheckResult],
    directory: str,
    mode: str,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """Write the report into ``directory`` atomically; returns the names of the figures drawn."""
    from ._figures import FIGURES, _pyplot

    with staged_directory(directory) as staging:
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
    return drawn


@contextlib.contextmanager
def staged_directory(directory: str):
    """Yield a fresh staging directory that replaces ``directory`` when the block ends without error.

    The staging directory is a sibling of ``directory``; on an error it is removed
    and ``directory`` keeps its previous content (or stays absent).
    """
    target = os.path.abspath(directory)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise InvalidParameter(f"--report: directory {parent} does not exist")
    if os.path.exists(target) and not os.path.isdir(target):
        raise InvalidParameter(f"--report: {target} exists and is not a directory")
    staging = tempfile.mkdtemp(dir=parent, prefix=".kramers-report-")
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a report is meant to be read
    try:
        yield staging
        if os.path.exists(target):
            retired = tempfile.mkdtemp(dir=parent, prefix=".kramers-retired-")
            os.replace(target, os.path.join(retired, "old"))
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
