"""``kramers latex --all``: a complete document with its .bib that parses and, where TeX is installed, compiles."""

import re
import shutil
import subprocess

import pytest

from theory import DERIVATIONS, derivation
from theory._latex import bibliography, derivation_family, latex_document
from verify.cli import main


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    directory = tmp_path_factory.mktemp("latex")
    assert main(["latex", "--all", "-o", str(directory / "derivations.tex")]) == 0
    return directory, (directory / "derivations.tex").read_text(), (directory / "derivations.bib").read_text()


def _strip_escapes(text):
    return re.sub(r"\\[{}]", "", text)


def test_document_has_the_preamble_and_every_derivation(exported):
    _, tex, _ = exported
    for package in (r"\usepackage[T1]{fontenc}", r"\usepackage{amsmath}", r"\usepackage{booktabs}"):
        assert package in tex
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert r"\bibliography{derivations}" in tex
    for name in DERIVATIONS:
        assert tex.count(rf"\label{{eq:{name}}}") == 1
    families = {derivation_family(name) for name in DERIVATIONS}
    assert tex.count(r"\section{") == len(families) >= 2


def test_braces_and_environments_balance(exported):
    _, tex, _ = exported
    depth = 0
    for character in _strip_escapes(tex):
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0
    assert depth == 0
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack and stack.pop() == name
    assert not stack
    assert tex.count("$") % 2 == 0


def test_every_citation_and_reference_resolves(exported):
    _, tex, bib = exported
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = {key.strip() for group in re.findall(r"\\cite\{([^}]*)\}", tex) for key in group.split(",")}
    assert cited and cited <= keys
    assert keys <= cited  # nothing uncited in the .bib
    labels = set(re.findall(r"\\label\{([^}]*)\}", tex))
    assert set(re.findall(r"\\eqref\{([^}]*)\}", tex)) <= labels


def test_a_subset_document_cites_only_its_references():
    tex = latex_document(["plateau_hazard"])
    assert r"\label{eq:plateau_hazard}" in tex and r"\label{eq:kramers_rate}" not in tex
    assert "@article{Kim2026" in bibliography(["plateau_hazard"])
    assert "Kramers1940" not in bibliography(["plateau_hazard"])


def test_fragments_are_still_printed(capsys):
    assert main(["latex", "plateau_hazard"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\paragraph{") and r"\documentclass" not in out


def test_repr_latex_is_inline_math():
    assert derivation("plateau_hazard")._repr_latex_().startswith("$\\displaystyle H = ")


@pytest.mark.parametrize("arguments, message", [
    (["latex", "--all"], "give the file with -o FILE.tex"),
    (["latex", "--all", "-o", "out.pdf"], "must end in .tex"),
    (["latex", "--all", "nonexistent", "-o", "x.tex"], "derivation 'nonexistent' is unknown"),
])
def test_bad_latex_arguments(capsys, tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


@pytest.mark.skipif(not (shutil.which("pdflatex") and shutil.which("bibtex")), reason="pdflatex/bibtex not installed")
def test_document_compiles_with_pdflatex_and_bibtex(exported):
    directory, _, _ = exported
    commands = [["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "derivations.tex"],
                ["bibtex", "derivations"]] + [["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                               "derivations.tex"]] * 2
    for command in commands:
        completed = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, completed.stdout[-3000:]
    log = (directory / "derivations.log").read_text(errors="replace")
    assert (directory / "derivations.pdf").stat().st_size > 0
    assert "undefined" not in log  # every \cite and \eqref resolved
