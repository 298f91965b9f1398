"""``--report DIR``: the files, their content, a LaTeX file that compiles, and atomic writing."""

import json
import os
import shutil
import subprocess

import pytest
import sympy

from verify import CheckResult, Comparison, ErrorBudget
from verify import _figures
from verify._report_files import latex_report, markdown_report, write_report


def _quartic(temperature):
    from theory import EscapeProblem, Potential

    return EscapeProblem(Potential.from_string("(x**2-1)**2"), -1.0, 1.0, temperature)


def _results():
    """Results shaped like the real checks' (two ensemble rows with a dt ladder, FPE rows, a failure)."""
    ensemble = tuple(
        Comparison(f"T={T:g}, N=20000, dt=0.002", exact, exact * 0.999, ErrorBudget(z=4, stderr=0.01 * exact,
                   bias=0.002 * exact, quadrature=1e-10 * exact),
                   details={"coarse_dt": 0.004, "coarse_mean": exact * 0.996, "coarse_stderr": 0.01 * exact},
                   problem=_quartic(T))
        for T, exact in ((0.5, 10.2585700), (0.35, 23.2598))
    )
    fpe = (Comparison("T=0.5, cells=2000", 10.2585700, 10.25856, ErrorBudget(bias=1.2e-5), problem=_quartic(0.5)),)
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


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_report_compiles_standalone(tmp_path, quick_figures):
    write_report(_results(), str(tmp_path / "out"), "quick")
    completed = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                               cwd=tmp_path / "out", capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert (tmp_path / "out" / "report.pdf").stat().st_size > 0


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
    assert r"$4\times$" in latex_report(results, [], "quick")


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
    # ... and it is the barrier of the hand formula of THEORY.md: U_N at s_b = (1 - sqrt(1 - c))/2
    c = tasks / 10
    s_b = (1 - (1 - c) ** 0.5) / 2
    assert exact.get_ydata()[index] == pytest.approx((s_b**2 - 1) ** 2 + c / 2 * (s_b + 1) ** 2, rel=1e-12)
    assert _figures.ewc_rate_collapse([]) is None
