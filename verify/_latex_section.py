"""LaTeX pieces shared by ``kramers latex --section`` and ``verify --report``'s report.tex.

A *section* is what a paper ``\\input``s: the derivations (labelled equations,
their symbols, conditions and validity, citations), a booktabs table of the
checks that verified them, and the figures of those checks.  The table and the
figures come from check results, either run now (quick mode) or read back from
the ``results.json`` of an earlier ``kramers verify --report DIR``; the two are
the same data (:func:`results_from_json` inverts
:meth:`~verify.CheckResult.as_dict`).

Each table row states the measured value, the reference (the prediction it was
compared with), the error budget term by term (``z sigma + |bias| + asymptotic +
quadrature``, the tolerance) and the verdict.  Check names and case labels are
the checks' identifiers, set verbatim in typewriter type, as in the text table
of ``kramers verify``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence

from theory import InvalidParameter, derivation
from theory import latex_text as text

from ._budget import Comparison, ErrorBudget
from ._check import CheckResult, load_checks

__all__ = ["checks_for", "results_from_json", "read_results", "checks_table", "figure_block",
           "derivations_latex", "latex_section", "SECTION_PACKAGES"]

#: What a paper's preamble needs for a section (amsmath for the displays, booktabs for the table).
SECTION_PACKAGES = ("amsmath", "amssymb", "booktabs", "graphicx", "longtable")


# ------------------------------------------------------------------ check results
def checks_for(names: Iterable[str]) -> list[str]:
    """The registered checks that verify any of the derivations ``names``, in registry order."""
    wanted = set(names)
    return [name for name, check in load_checks().items() if wanted & set(check.derivations)]


def results_from_json(payload: dict) -> list[CheckResult]:
    """Check results from the JSON that ``kramers verify --json`` prints and ``--report`` writes."""
    try:
        return [
            CheckResult(
                item["name"], tuple(item["derivations"]), item["description"], item["mode"],
                tuple(Comparison(c["case"], float(c["predicted"]), float(c["measured"]),
                                 ErrorBudget(**c["budget"]), c.get("details") or {}, c.get("problem"))
                      for c in item["comparisons"]),
                float(item["seconds"]),
            )
            for item in payload["checks"]
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidParameter(f"results: not the JSON of kramers verify ({error!r} missing or malformed)") from None


def read_results(path: str) -> list[CheckResult]:
    """The results in ``path``: a ``results.json``, or a report directory holding one."""
    if os.path.isdir(path):
        path = os.path.join(path, "results.json")
    try:
        with open(path) as stream:
            payload = json.load(stream)
    except FileNotFoundError:
        raise InvalidParameter(f"results: {path} does not exist (write it with kramers verify --report DIR)") from None
    except json.JSONDecodeError as error:
        raise InvalidParameter(f"results: {path} is not JSON ({error.msg}, line {error.lineno})") from None
    return results_from_json(payload)


# ------------------------------------------------------------------ the table
def _number(value: float) -> str:
    """A number in math mode: plain decimals for moderate magnitudes, else mantissa times a power of ten."""
    if value == 0:
        return "0"
    if value != value or value in (float("inf"), float("-inf")):
        return r"\text{n/a}"
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.6g}"
    mantissa, _, exponent = f"{value:.3e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def _budget(budget: ErrorBudget) -> str:
    """The tolerance as the sum it is: ``z sigma + |bias| + asymptotic + quadrature = tolerance``."""
    terms = []
    if budget.stderr:
        terms.append(f"{budget.z:g} \\cdot {_number(budget.stderr)}")
    for value in (abs(budget.bias), budget.asymptotic, budget.quadrature):
        if value:
            terms.append(_number(value))
    if len(terms) <= 1:
        return f"${terms[0] if terms else '0'}$"
    return f"${' + '.join(terms)} = {_number(budget.tolerance)}$"


def _rows(results: Sequence[CheckResult], labels: set[str]) -> list[str]:
    """One row per comparison; a check's name (and the equations it verified) heads its first row."""
    rows = []
    for result in results:
        equations = [rf"\eqref{{eq:{name}}}" for name in result.derivations if f"eq:{name}" in labels]
        error = getattr(result, "error", None)  # a check that raised (the incremental report records it)
        if error is not None:
            rows.append(rf"\raggedright\texttt{{{text(result.name)}}}\newline\texttt{{\footnotesize "
                        rf"{text(str(error)[:150])}}} & & & & \textbf{{ERROR}} \\")
        for index, comparison in enumerate(result.comparisons):
            heading = (rf"\texttt{{{text(result.name)}}} {' '.join(equations)}\newline" if index == 0 else "")
            verdict = "pass" if comparison.passed else r"\textbf{FAIL}"
            rows.append(
                rf"\raggedright {heading}\texttt{{\footnotesize {text(comparison.case)}}} & "
                rf"${_number(comparison.measured)}$ & ${_number(comparison.predicted)}$ & "
                rf"{_budget(comparison.budget)} & {verdict} \\"
            )
    return rows


def checks_table(results: Sequence[CheckResult], *, label: str, caption: str, long: bool = False,
                 equations: Iterable[str] = ()) -> str:
    """A booktabs table of every comparison of ``results`` (a ``longtable`` when ``long``).

    ``equations`` are the equation labels present in the document, so each check
    points to the equations it verified.
    """
    passed = sum(result.passed for result in results)
    caption = f"{caption} {passed} of {len(results)} checks passed."
    spec = r"@{}p{0.35\linewidth}rrp{0.23\linewidth}l@{}"
    header = (r"Check and case & Measured & Reference & Budget $z\sigma + |\mathrm{bias}| + \mathrm{asym.}"
              r" + \mathrm{quad.}$ & Verdict \\")
    rows = _rows(results, set(equations))
    if long:
        return "\n".join([
            rf"{{\small\begin{{longtable}}{{{spec}}}", rf"\caption{{{caption}}}\label{{{label}}}\\", r"\toprule",
            header, r"\midrule", r"\endhead", *rows, r"\bottomrule", r"\end{longtable}}", ""])
    return "\n".join([
        r"\begin{table}[htbp]", r"\centering", r"\small", rf"\begin{{tabular}}{{{spec}}}", r"\toprule", header,
        r"\midrule", *rows, r"\bottomrule", r"\end{tabular}", rf"\caption{{{caption}}}", rf"\label{{{label}}}",
        r"\end{table}", ""])


def figure_block(file: str, caption: str, label: str) -> str:
    """One figure, as a float that includes ``file`` (a PDF beside the document)."""
    return "\n".join([r"\begin{figure}[htbp]", r"\centering", rf"\includegraphics[width=0.8\linewidth]{{{file}}}",
                      rf"\caption{{{caption}}}", rf"\label{{{label}}}", r"\end{figure}", ""])


def figure_caption(name: str) -> str:
    """The caption of a report figure, in words and mathematics (``verify._figures.FIGURE_CAPTIONS``)."""
    from ._figures import FIGURE_CAPTIONS

    return FIGURE_CAPTIONS.get(name, text(name.replace("_", " ")) + ".")


# ------------------------------------------------------------------ derivations and the section
def derivations_latex(names: Sequence[str]) -> str:
    """Each named derivation's labelled display with its symbols, conditions, validity and citations."""
    return "\n".join(derivation(name).latex() for name in names)


def latex_section(names: Sequence[str], results: Sequence[CheckResult], figures: Sequence[str], *,
                  stem: str, title: str = "Escape-rate results and their verification") -> str:
    """A section to ``\\input``: the derivations, the table of their checks, the figures (``STEM-NAME.pdf``)."""
    labels = [f"eq:{name}" for name in names]
    parts = [
        f"% Written by: kramers latex {' '.join(names)} --section -o {stem}.tex",
        f"% Include with \\input{{{stem}}}; the preamble needs \\usepackage{{{','.join(SECTION_PACKAGES)}}}",
        f"% and the bibliography \\bibliography{{{stem}}} ({stem}.bib is written beside this file).",
        rf"\section{{{text(title)}}}", rf"\label{{sec:{stem}}}", "",
        derivations_latex(names),
    ]
    if results:
        parts.append(checks_table(
            results, label=f"tab:{stem}-checks", equations=labels,
            caption=r"Checks of the equations above: each measured value against its reference, with the error "
                    r"budget that decides the verdict (mode " + text(results[0].mode) + ")."))
    for name in figures:
        parts.append(figure_block(f"{stem}-{name}", figure_caption(name), f"fig:{stem}-{name}"))
    return "\n".join(parts) + "\n"
