"""LaTeX helpers shared by the LaTeX tests (the catalogue, sections, the report).

Compile with pdflatex and bibtex, read the log, and scan text for mathematics
written in ASCII.  A module of its own (not ``conftest``): test folders each
have a conftest, and ``from conftest import`` would pick whichever loaded first.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import shutil
import subprocess

import pytest

# ------------------------------------------------------------------ LaTeX
# Shared by the LaTeX tests (the catalogue, sections, the report): compile with
# pdflatex and bibtex, read the log, and scan text for mathematics written in ASCII.

_MATH = re.compile(
    r"\$\$.*?\$\$|\$.*?\$|\\\[.*?\\\]|\\\(.*?\\\)"
    r"|\\begin\{(equation\*?|multline\*?|gather\*?|align\*?|split)\}.*?\\end\{\1\}",
    re.DOTALL,
)
#: Commands whose brace argument is a name, a key or a path, not text.
_NAME_ARGUMENTS = re.compile(
    r"\\(label|eqref|ref|cite|bibliography|bibliographystyle|includegraphics|input|usepackage|documentclass"
    r"|texttt|begin|end|url|hspace|vspace|setlength)(\[[^\]]*\])?\{[^}]*\}(\{[^}]*\})?"
)
#: Mathematics written as ASCII inside text: each pattern with what it catches.
ASCII_MATHS = {
    r"\\_|_": "a subscript",
    r"\\\^\{\}|\^": "a superscript",
    r"\*\*|(?<=\w)\*(?=\w)": "a product",
    r"\b(sqrt|exp|log|ln|int|sum)\s*\(": "a function call",
    r"\b(pi|alpha|beta|gamma|delta|epsilon|eta|theta|kappa|lambda|mu|nu|rho|sigma|tau|phi|chi|psi|omega"
    r"|Delta|DeltaU|infinity|inf)\b": "a Greek letter or constant spelt out",
    r"(?<![A-Za-z])[A-Za-z]\s*\(": "a function of an argument",
    r"(?<=[\w)])\s*/\s*(?=[\w(])": "a quotient",
    r">>|<<|->|<=|>=|!=|==|\\textasciitilde\{\}|~": "a relation",
    r"(?<=\s)[=<>](?=\s)": "a relation",
    r"\b[A-Za-z]+\d+\b|\b[A-Za-z]'+": "a symbol with an index or a prime",
    r"\\textbar\{\}|\|": "an absolute value",
    r"(?<![\w.$'])(?![aAI]\b)[A-Za-z](?![\w.'])": "a single-letter symbol",
}


def latex_text(tex: str) -> str:
    """The text of a LaTeX body outside mathematics, names and commands."""
    body = tex.split(r"\begin{document}", 1)[-1]
    body = re.sub(r"(?<!\\)%.*", "", body)
    body = re.sub(r"~(?=\\)", " ", body)  # a tie before \ref, not a relation
    body = _MATH.sub(" ", body)
    body = re.sub(r"\\begin\{(tabular|longtable)\}\{([^{}]|\{[^{}]*\})*\}", " ", body)  # column specifications
    body = re.sub(r"\\begin\{(table|figure)\*?\}\[[^\]]*\]", " ", body)  # placements
    body = _NAME_ARGUMENTS.sub(" ", body)
    body = re.sub(r"\\[A-Za-z]+\*?|\\[\\,;!{} ]", " ", body)
    return body


def ascii_maths(tex: str) -> list[str]:
    """Every place where the text of ``tex`` (outside math mode) writes mathematics in ASCII."""
    body = latex_text(tex)
    found = []
    for pattern, kind in ASCII_MATHS.items():
        for match in re.finditer(pattern, body):
            context = body[max(0, match.start() - 40):match.end() + 40].replace("\n", " ")
            found.append(f"{kind}: {match.group(0)!r} in ...{context}...")
    return found


@dataclasses.dataclass
class CompiledLatex:
    directory: pathlib.Path
    stem: str
    log: str

    @property
    def pdf(self) -> pathlib.Path:
        return self.directory / f"{self.stem}.pdf"

    def problems(self) -> list[str]:
        """Errors, undefined references and citations, and boxes overfull by more than 1 pt."""
        found = [line for line in self.log.splitlines() if line.startswith("!")]
        found += [line for line in self.log.splitlines() if re.search(r"undefined|Undefined", line)]
        for match in re.finditer(r"Overfull \\[hv]box \(([\d.]+)pt too (wide|high)\)(.*)", self.log):
            if float(match.group(1)) > 1.0:
                found.append(match.group(0))
        return found


def compile_latex(directory: pathlib.Path, stem: str, *, bibtex: bool = True) -> CompiledLatex:
    """pdflatex (and bibtex) until the references settle; the final log."""
    if not shutil.which("pdflatex") or (bibtex and not shutil.which("bibtex")):
        pytest.skip("pdflatex/bibtex not installed (.ci/run installs them)")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"]
    commands = [latex, ["bibtex", stem], latex, latex] if bibtex else [latex, latex]
    for command in commands:
        completed = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, f"{' '.join(command)} failed:\n{completed.stdout[-3000:]}"
    return CompiledLatex(directory, stem, (directory / f"{stem}.log").read_text(errors="replace"))
