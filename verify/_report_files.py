"""The verification report as files: ``results.json``, ``report.md``, ``report.tex`` and figures.

No result is lost.  A :class:`ReportDirectory` is opened before the first
check runs and receives each check's result as it finishes
(:meth:`ReportDirectory.add`): ``results.json``, ``report.md`` and
``report.tex`` are rewritten then, each through the one atomic writer
(``numerics._output.write_atomically``), so a crash, an interrupt or a kill at
any instant leaves every finished check on disk in whole files.
``results.json`` says how far the run got: ``"complete": false`` and the
``"pending"`` checks until :meth:`ReportDirectory.finish` has drawn the figures
and written the final files.  A check that raised is a row ``"status":
"errored"`` with its one-line ``"error"`` (and ``"traceback"``); a result, a
figure or a file that cannot be written is recorded under ``"errors"`` and the
others are still written.  Every value goes through the one JSON encoder
(``numerics._output.jsonable``): NumPy, mpmath and SymPy numbers included.

``report.tex`` is a standalone LaTeX document (booktabs table, the figures as
PDF) that compiles with pdflatex and can be pasted into a paper's appendix.
Every comparison row shows each term of its budget.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Sequence

from theory import InvalidParameter

from ._check import CheckResult, one_line

__all__ = ["ReportDirectory", "write_report", "markdown_report", "latex_report", "staged_directory"]

_BUDGET_TERMS = ("z", "stderr", "bias", "asymptotic", "quadrature")


def _number(value: float) -> str:
    return f"{value:.6g}" if value else "0"


def markdown_report(results: Sequence[CheckResult], figures: Sequence[str], mode: str,
                    pending: Sequence[str] = ()) -> str:
    passed = sum(r.passed for r in results)
    running = f" **Incomplete: {len(pending)} checks not run yet** ({', '.join(pending)})." if pending else ""
    lines = [
        "# kramers verification report",
        "",
        f"Mode `{mode}`, {passed}/{len(results)} checks passed,{running} "
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
        if result.error is not None:
            lines.append(f"| {result.name} | **ERROR**: {result.error.replace('|', '/')} | | | | | | | | | | **ERROR** |")
    lines += ["", "## Checks", ""]
    for result in results:
        verdict = {"passed": "pass", "failed": "FAIL", "errored": "ERROR"}[result.status]
        lines.append(f"- **{result.name}** ({verdict}, {result.seconds:.1f} s): "
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


class ReportDirectory:
    """A report being written into ``directory`` while its checks run.

    Opening it validates the directory (its parent must exist; it is created if
    absent), removes the files a previous report left under the names this one
    writes (other files are left alone), and writes ``results.json`` with every
    check ``pending``.  Then :meth:`add` each result as it finishes and
    :meth:`finish` at the end.
    """

    def __init__(self, directory: str, mode: str, names: Sequence[str], progress: Callable[[str], None] | None = None):
        from ._figures import FIGURES

        self.directory = os.path.abspath(directory)
        parent = os.path.dirname(self.directory)
        if not os.path.isdir(parent):
            raise InvalidParameter(f"report directory: {parent} does not exist")
        if os.path.exists(self.directory) and not os.path.isdir(self.directory):
            raise InvalidParameter(f"report directory: {self.directory} exists and is not a directory")
        os.makedirs(self.directory, exist_ok=True)
        stale = [f"{name}.{extension}" for name in FIGURES for extension in ("png", "pdf")]
        for name in ("results.json", "report.md", "report.tex", *stale):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.directory, name))
        self.mode = mode
        self.pending = list(names)
        self.progress = progress
        self.results: list[CheckResult] = []
        self.records: list[dict] = []  # each check as plain JSON values, encoded once when it arrives
        self.figures: list[str] = []
        self.errors: dict[str, str] = {}
        self.complete = False
        self._write_files()

    def add(self, result: CheckResult) -> None:
        """Put one finished check on disk (``results.json``, ``report.md``, ``report.tex`` rewritten)."""
        from numerics._output import jsonable

        with contextlib.suppress(ValueError):
            self.pending.remove(result.name)
        try:
            record = jsonable(result.as_dict(), where=f"check {result.name}")
        except Exception as error:  # noqa: BLE001 - one unwritable result must not take the others with it
            message = f"its result could not be written: {one_line(error)}"
            self.errors[f"check {result.name}"] = message
            record = {"name": result.name, "mode": result.mode, "passed": False, "status": "errored",
                      "seconds": float(result.seconds), "comparisons": [], "error": message}
        self.results.append(result)
        self.records.append(record)
        self._write_files()

    def finish(self) -> list[str]:
        """Draw the figures and write the final files; returns the names of the figures drawn."""
        from ._figures import FIGURES, _pyplot

        pyplot = _pyplot()
        for name, draw in FIGURES.items():
            if self.progress:
                self.progress(f"figure {name} ...")
            try:
                figure = draw(self.results)
                if figure is None:
                    continue
                try:
                    figure.savefig(os.path.join(self.directory, f"{name}.png"), dpi=150)
                    figure.savefig(os.path.join(self.directory, f"{name}.pdf"))
                finally:
                    pyplot.close(figure)
            except Exception as error:  # noqa: BLE001 - a broken figure leaves the results and other figures
                self.errors[f"figure {name}"] = one_line(error)
                for extension in ("png", "pdf"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(self.directory, f"{name}.{extension}"))
                if self.progress:
                    self.progress(f"figure {name}: ERROR ({one_line(error)})")
                continue
            self.figures.append(name)
        self.complete = True
        self._write_files()
        return list(self.figures)

    def index(self) -> dict:
        """The content of ``results.json``."""
        return {
            "passed": self.complete and not self.pending and all(r["passed"] for r in self.records),
            "complete": self.complete,
            "mode": self.mode,
            "checks": self.records,
            "pending": list(self.pending),
            "figures": list(self.figures),
            "errors": dict(self.errors),
        }

    def _write_files(self) -> None:
        """Rewrite the three text files, each on its own: a renderer that fails leaves the others."""
        from numerics._output import json_dumps, write_atomically

        renderers = {
            "report.md": lambda: markdown_report(self.results, self.figures, self.mode, self.pending),
            "report.tex": lambda: latex_report(self.results, self.figures, self.mode, self.pending),
        }
        for name, render in renderers.items():
            try:
                text = render()
            except Exception as error:  # noqa: BLE001
                self.errors[name] = one_line(error)
                continue
            self.errors.pop(name, None)
            write_atomically(os.path.join(self.directory, name), text)
        write_atomically(os.path.join(self.directory, "results.json"), json_dumps(self.index(), indent=2) + "\n")


def write_report(
    results: Sequence[CheckResult],
    directory: str,
    mode: str,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """Write the report of finished ``results`` into ``directory``; returns the names of the figures drawn."""
    report = ReportDirectory(directory, mode, [result.name for result in results], progress=progress)
    for result in results:
        report.add(result)
    return report.finish()


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
