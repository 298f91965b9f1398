"""``kramers latex --all``: a complete document with its .bib that parses and, where TeX is installed, compiles."""

import dataclasses
import re
import shutil
import subprocess

import pytest

from theory import DERIVATIONS, derivation
from theory._latex import bibliography, derivation_family, latex_document
from verify.cli import main

from latex_tools import ascii_maths, compile_latex


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


# ------------------------------------------------------------------ typeset text
def test_no_ascii_maths_in_the_catalogue(exported):
    """Meanings, conditions, regimes and titles have their mathematics in math mode."""
    _, tex, _ = exported
    assert ascii_maths(tex) == []


@pytest.mark.parametrize("text, kind", [
    (r"where $\nu$: rate prefactor sqrt(U''(a) |U''(b)|) / (2 pi gamma).", "a function call"),
    (r"$b$: absorbing point (b > x\_0).", "a subscript"),
    (r"Validity: spike sharp (lambda - dU A / T\_p\^{}2 large).", "a superscript"),
    (r"$T$: temperature (k\_B = 1).", "a relation"),
    (r"valid for N0 -> 0 and p_1 >> p_2", "a relation"),
    (r"\paragraph{Transition probability by time t}", "a single-letter symbol"),
])
def test_the_scanner_finds_ascii_maths(text, kind):
    """The scanner itself can fail: each example of the issue is caught."""
    document = r"\begin{document}" + text + r"\end{document}"
    assert any(found.startswith(kind) for found in ascii_maths(document)), ascii_maths(document)


def test_the_scanner_passes_typeset_text():
    document = (r"\begin{document}\paragraph{Hazard of a plateau}\begin{equation} H = \nu t_d \label{eq:x}"
                r"\end{equation} where $\nu$: rate prefactor $\frac{\sqrt{U''(a)}}{2 \pi \gamma}$; see "
                r"\eqref{eq:x} and \cite{Kramers1940}. A check \texttt{kramers\_rate}.\end{document}")
    assert ascii_maths(document) == []


def test_a_plain_string_meaning_is_set_as_words():
    """Backward compatibility: a str meaning is escaped text, never mathematics (the scanner catches misuse)."""
    item = derivation("convexity_threshold")
    (barrier,) = item.symbols
    plain = dataclasses.replace(item, symbols={barrier: "50% of the barrier_height"})
    assert r"50\% of the barrier\_height" in plain.latex()
    assert ascii_maths(r"\begin{document}" + plain.latex() + r"\end{document}")  # the underscore is found


# ------------------------------------------------------------------ compiled with pdflatex
@pytest.fixture(scope="session")
def compiled_catalogue(tmp_path_factory):
    """The whole catalogue, compiled once per session with pdflatex, bibtex, pdflatex, pdflatex."""
    directory = tmp_path_factory.mktemp("catalogue")
    assert main(["latex", "--all", "-o", str(directory / "derivations.tex")]) == 0
    return compile_latex(directory, "derivations")


def test_catalogue_compiles_without_errors_undefined_references_or_overfull_boxes(compiled_catalogue):
    assert compiled_catalogue.pdf.stat().st_size > 0
    assert compiled_catalogue.problems() == []


def test_a_page_renders_to_png(compiled_catalogue):
    """pdftoppm renders the page with the plateau's mean transition time, for a person to look at."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) not installed (.ci/run installs it)")
    target = compiled_catalogue.directory / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile",
                    str(compiled_catalogue.pdf), str(target)], check=True, timeout=60)
    image = target.with_suffix(".png").read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 10_000  # a page of text, not a blank one


def test_the_log_reader_finds_an_overfull_box_and_an_undefined_reference(tmp_path):
    """The compile checks can fail: a formula wider than the line and a dangling \\eqref are reported."""
    (tmp_path / "wide.tex").write_text(
        "\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
        "\\begin{equation}" + " + ".join(f"x_{{{i}}}" for i in range(80)) + "\\end{equation}\n"
        "See \\eqref{eq:missing}.\\end{document}\n")
    problems = compile_latex(tmp_path, "wide", bibtex=False).problems()
    assert any(p.startswith("Overfull \\hbox") for p in problems)
    assert any("undefined" in p for p in problems)


def test_a_long_sum_is_broken_over_lines_that_fit(tmp_path):
    """A result wider than the line is set in multline, broken between terms, and no box overflows."""
    import sympy

    from theory import Derivation, written_sum

    x = sympy.symbols("x_1:25", positive=True)
    total = sympy.Symbol("S")
    long = Derivation(name="long_sum", title="A long sum", quantity=total,
                      expression=sympy.Add(*(sympy.exp(-v / (1 + v)) for v in x)),
                      symbols={v: "a summand" for v in x},
                      readable=written_sum(*(sympy.exp(-v / (1 + v)) for v in x)))
    display = long.display_latex()
    assert display.startswith(r"\begin{multline}") and display.count(r"\\") >= 2
    assert r"x_{1}" in display.splitlines()[1] and r"x_{24}" in display.splitlines()[-3]  # the written order
    (tmp_path / "long.tex").write_text("\\documentclass[11pt]{article}\\usepackage{amsmath}"
                                       "\\usepackage[margin=2.5cm]{geometry}\\begin{document}\n"
                                       + display + "\n\\end{document}\n")
    assert compile_latex(tmp_path, "long", bibtex=False).problems() == []
