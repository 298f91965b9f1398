"""``--report DIR``: the files, their content, a LaTeX file that compiles, and atomic writing."""

import json
import os

import pytest
import sympy

from theory import EscapeProblem, Potential
from verify import CheckResult, Comparison, ErrorBudget
from verify import _figures
from verify._report_files import latex_report, markdown_report, write_report

from latex_tools import ascii_maths, compile_latex


def _results():
    """Results shaped like the real checks' (two ensemble rows with a dt ladder, FPE rows, a failure)."""
    quartic = Potential.from_string("(x**2-1)**2")
    problem = lambda T: EscapeProblem(quartic, -1.0, 1.0, T)  # noqa: E731
    ensemble = tuple(
        Comparison(f"T={T:g}, N=20000, dt=0.002", exact, exact * 0.999, ErrorBudget(z=4, stderr=0.01 * exact,
                   bias=0.002 * exact, quadrature=1e-10 * exact),
                   details={"coarse_dt": 0.004, "coarse_mean": exact * 0.996, "coarse_stderr": 0.01 * exact},
                   problem=problem(T))
        for T, exact in ((0.5, 10.2585700), (0.35, 23.2598))
    )
    fpe = (Comparison("T=0.5, cells=2000", 10.2585700, 10.25856, ErrorBudget(bias=1.2e-5), problem=problem(0.5)),)
    wrong = (Comparison("a wrong formula & 50% off_by_design", 1.0, 1.5, ErrorBudget(asymptotic=0.1)),)
    return [
        CheckResult("ensemble_vs_exact_mfpt", ("exact_mfpt",), "ensembles", "quick", ensemble, 1.0),
        CheckResult("fpe_vs_exact_mfpt", ("exact_mfpt",), "FPE", "quick", fpe, 0.5),
        CheckResult("made_up", (), "a failing row", "quick", wrong, 0.1),
    ]


@pytest.fixture
def quick_figures(monkeypatch):
    """Only the figures that read the results (the schedule figure computes for ~10 s; see the slow test)."""
    names = ("arrhenius", "exit_time_bias", "adiabatic_breakdown")
    monkeypatch.setattr(_figures, "FIGURES", {name: _figures.FIGURES[name] for name in names})


def test_report_files_and_contents(tmp_path, quick_figures):
    target = tmp_path / "out"
    drawn = write_report(_results(), str(target), "quick")
    assert drawn == ["arrhenius", "exit_time_bias"]  # adiabatic_breakdown has no data here: skipped
    for name in ("report.md", "report.tex", "results.json", *(f"{f}.{e}" for f in drawn for e in ("png", "pdf"))):
        assert (target / name).stat().st_size > 0, name
    payload = json.loads((target / "results.json").read_text())
    assert payload["passed"] is False and payload["mode"] == "quick" and payload["figures"] == drawn
    markdown = (target / "report.md").read_text()
    assert "**FAIL**" in markdown and "![arrhenius](arrhenius.png)" in markdown
    assert markdown.count("| ensemble_vs_exact_mfpt |") == 2
    tex = (target / "report.tex").read_text()
    assert r"\toprule" in tex and r"\includegraphics" in tex and r"a wrong formula \& 50\% off\_by\_design" in tex
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".kramers-")]


@pytest.fixture(scope="module")
def compiled_report(tmp_path_factory):
    """A report written once (two figures drawn from the results) and compiled with pdflatex and bibtex."""
    directory = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as patch:
        names = ("arrhenius", "exit_time_bias")
        patch.setattr(_figures, "FIGURES", {name: _figures.FIGURES[name] for name in names})
        write_report(_results(), str(directory / "out"), "quick")
    return directory / "out"


def test_latex_report_has_no_ascii_maths(compiled_report):
    assert ascii_maths((compiled_report / "report.tex").read_text()) == []


def test_latex_report_compiles_with_its_citations_and_no_overfull_boxes(compiled_report):
    compiled = compile_latex(compiled_report, "report")
    assert compiled.pdf.stat().st_size > 0
    assert compiled.problems() == []
    assert r"\eqref{eq:exact_mfpt}" in (compiled_report / "report.tex").read_text()


def test_a_section_reads_results_json_and_compiles_inside_a_paper(tmp_path, compiled_report):
    """kramers latex NAME --section -o FILE --results results.json: equations, table, figures, .bib beside."""
    from verify.cli import main

    assert main(["latex", "exact_mfpt", "kramers_rate", "--section", "-o", str(tmp_path / "escape.tex"),
                 "--results", str(compiled_report / "results.json")]) == 0
    section = (tmp_path / "escape.tex").read_text()
    assert r"\label{eq:exact_mfpt}" in section and r"\label{tab:escape-checks}" in section
    assert r"\texttt{ensemble\_vs\_exact\_mfpt} \eqref{eq:exact_mfpt}" in section
    assert "made\\_up" not in section  # a check of no named derivation stays out
    assert {p.name for p in tmp_path.iterdir()} >= {"escape.tex", "escape.bib", "escape-arrhenius.pdf"}
    assert ascii_maths(section) == []
    (tmp_path / "paper.tex").write_text(
        "\\documentclass[11pt]{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}"
        "\\usepackage{amsmath,amssymb,booktabs,graphicx,longtable}\\usepackage[margin=2.5cm]{geometry}\n"
        "\\begin{document}\n\\input{escape}\n\\bibliographystyle{plain}\\bibliography{escape}\n\\end{document}\n")
    compiled = compile_latex(tmp_path, "paper")
    assert compiled.problems() == []


def test_section_arguments_are_refused_with_a_sentence(tmp_path, capsys):
    from verify.cli import main

    assert main(["latex", "kramers_rate", "--section"]) == 2
    assert "give the file with -o FILE.tex" in capsys.readouterr().err
    assert main(["latex", "kramers_rate", "--results", "x.json"]) == 2
    assert "add --section" in capsys.readouterr().err
    assert main(["latex", "kramers_rate", "--section", "-o", str(tmp_path / "s.tex"),
                 "--results", str(tmp_path / "absent.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written half-way


def test_a_broken_figure_leaves_the_results_and_the_other_figures(tmp_path, monkeypatch):
    def broken(results):
        raise RuntimeError("figure failed\nsecond line")

    monkeypatch.setattr(_figures, "FIGURES", {"broken": broken, "arrhenius": _figures.FIGURES["arrhenius"]})
    target = tmp_path / "out"
    assert write_report(_results(), str(target), "quick") == ["arrhenius"]
    payload = json.loads((target / "results.json").read_text())
    assert payload["complete"] is True and payload["pending"] == []
    assert payload["errors"] == {"figure broken": "RuntimeError: figure failed"}
    assert [c["name"] for c in payload["checks"]] == ["ensemble_vs_exact_mfpt", "fpe_vs_exact_mfpt", "made_up"]
    assert sorted(os.listdir(target)) == ["arrhenius.pdf", "arrhenius.png", "report.md", "report.tex",
                                          "results.json"]
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary file left behind


def test_a_new_report_replaces_the_old_ones_files_and_leaves_other_files(tmp_path, monkeypatch):
    monkeypatch.setattr(_figures, "FIGURES", {})
    target = tmp_path / "out"
    target.mkdir()
    (target / "report.md").write_text("previous")
    (target / "notes.txt").write_text("mine")
    write_report(_results(), str(target), "full")
    assert sorted(os.listdir(target)) == ["notes.txt", "report.md", "report.tex", "results.json"]
    assert (target / "report.md").read_text().startswith("# kramers verification report")
    assert (target / "notes.txt").read_text() == "mine"


def test_markdown_and_latex_show_every_budget_term():
    results = _results()
    markdown = markdown_report(results, [], "quick")
    assert "| z | stderr | bias | asymptotic | quadrature |" in markdown
    assert r"4 \cdot 10.2586" not in latex_report(results, [], "quick")  # the stderr, not the value
    assert r"$4 \cdot 0.102586 + 0.0205171 + 1.026 \times 10^{-9} = 0.43086$" in latex_report(results, [], "quick")


@pytest.mark.slow
def test_schedule_survival_figure_draws(tmp_path):
    figure = _figures.survival_under_schedules([])
    figure.savefig(tmp_path / "survival.png")
    assert (tmp_path / "survival.png").stat().st_size > 10_000


def test_ewc_figures_draw_the_exact_barrier_and_need_the_ensemble_check_for_rates():
    from theory import canonical_ewc
    from theory._ewc import N, fisher, lam

    figure = _figures.ewc_barrier_growth([])
    exact, linear = figure.axes[0].lines[:2]
    # the plotted curves are the derived barrier and its linear law: equal at N = 0, apart by N* = 10
    assert exact.get_ydata()[0] == pytest.approx(linear.get_ydata()[0]) == pytest.approx(1.0)
    barrier = canonical_ewc().barrier.subs({lam: sympy.Rational(1, 10), fisher: 1})
    index = int(abs(exact.get_xdata() - 5).argmin())
    tasks = float(exact.get_xdata()[index])
    assert exact.get_ydata()[index] == pytest.approx(float(barrier.subs(N, tasks)), rel=1e-12)
    # ... and it is the barrier of the hand formula (docs/ewc.md): U_N at s_b = (1 - sqrt(1 - c))/2
    c = tasks / 10
    s_b = (1 - (1 - c) ** 0.5) / 2
    assert exact.get_ydata()[index] == pytest.approx((s_b**2 - 1) ** 2 + c / 2 * (s_b + 1) ** 2, rel=1e-12)
    assert _figures.ewc_rate_collapse([]) is None


def test_every_figure_names_its_checks_and_has_a_typeset_caption():
    """A section draws the figures of its checks, so each figure says which checks it shows."""
    from verify import CHECKS

    assert set(_figures.FIGURES) == set(_figures.FIGURE_CHECKS) == set(_figures.FIGURE_CAPTIONS)
    assert {name for names in _figures.FIGURE_CHECKS.values() for name in names} <= set(CHECKS)
    captions = "\\begin{document}" + "\n".join(_figures.FIGURE_CAPTIONS.values()) + "\\end{document}"
    assert ascii_maths(captions) == []


def test_a_check_that_raised_shows_as_an_error_row_and_pending_checks_are_named():
    """The incremental report records a check's error and the checks not run yet; the table says so."""
    import types

    from verify._latex_section import checks_table

    crashed = types.SimpleNamespace(name="broken_check", derivations=(), comparisons=(), passed=False,
                                    error="ValueError: x_0 & 50% off", mode="quick")
    table = checks_table([crashed], label="tab:x", caption="Checks.")
    assert r"\texttt{broken\_check}" in table and r"\textbf{ERROR}" in table and r"x\_0 \& 50\% off" in table
    assert "Incomplete: 2 checks not run yet." in latex_report(_results(), [], "quick", pending=("a", "b"))
