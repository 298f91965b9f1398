"""``kramers verify --report DIR`` loses no result: each check is on disk as it finishes.

The command runs in-process (``verify.cli.main``) on a registry of small checks
(monkeypatched) that pass, fail, raise, carry NumPy/mpmath/SymPy values, carry a
value no JSON can hold, or interrupt the run; then on one real check by name.
Every file the run writes is parsed.  The real ``--all`` run is marked slow.
"""

import json
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import sympy

from verify import Comparison, ErrorBudget, _check, _figures
from verify.cli import main


def _comparison(measured, **details):
    return Comparison("case", 1.0, measured, ErrorBudget(z=4, stderr=np.float64(0.01)), details=details)


def _register(monkeypatch, experiments):
    registry = {name: _check.Check(name, (), f"{name} (test)", experiment) for name, experiment in experiments.items()}
    monkeypatch.setattr(_check, "CHECKS", registry)


def _tiny_figure(results):
    pyplot = _figures._pyplot()
    figure, axis = pyplot.subplots()
    axis.plot([0, 1], [len(results), 0])
    return figure


@pytest.fixture
def small_figures(monkeypatch):
    monkeypatch.setattr(_figures, "FIGURES", {"tiny": _tiny_figure, "absent": lambda results: None})


def _read_every_file(directory):
    """Parse each file of the report: JSON, UTF-8 text, PNG and PDF; returns results.json."""
    names = sorted(os.listdir(directory))
    for name in names:
        data = (directory / name).read_bytes()
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and _figures._pyplot().imread(directory / name).size
        elif name.endswith(".pdf"):
            assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
        else:
            assert name in ("results.json", "report.md", "report.tex"), name
            data.decode("utf-8")
    assert "results.json" in names
    return json.loads((directory / "results.json").read_text())


def test_all_checks_are_written_as_they_finish_and_an_errored_one_is_marked(tmp_path, monkeypatch, small_figures,
                                                                             capsys):
    target = tmp_path / "report"
    seen_on_disk = {}

    def numbers_of_every_library(mode):
        return [_comparison(np.float64(1.0), passed=np.bool_(True), exact=sympy.Rational(1, 3),
                            digits=mpmath.mpf(2) ** -60, curve=np.linspace(0, 1, 3))]

    def raising(mode):
        raise ValueError("the integrand overflowed\nsecond line of the message")

    def unwritable(mode):
        return [_comparison(1.0, handle=object())]

    def looks_at_the_disk(mode):
        seen_on_disk.update(json.loads((target / "results.json").read_text()))
        return [_comparison(1.5)]  # fails: |0.5| > 4 x 0.01

    _register(monkeypatch, {"numbers": numbers_of_every_library, "raising": raising, "unwritable": unwritable,
                            "failing": looks_at_the_disk})
    status = main(["verify", "--all", "--quick", "--report", str(target)])
    assert status == 1
    # while the fourth check ran, the first three were already on disk and the run was marked incomplete
    assert seen_on_disk["complete"] is False and seen_on_disk["pending"] == ["failing"]
    assert [c["name"] for c in seen_on_disk["checks"]] == ["numbers", "raising", "unwritable"]

    payload = _read_every_file(target)
    assert payload["complete"] is True and payload["passed"] is False and payload["pending"] == []
    assert payload["figures"] == ["tiny"] and sorted(os.listdir(target)) == [
        "report.md", "report.tex", "results.json", "tiny.pdf", "tiny.png"]
    checks = {c["name"]: c for c in payload["checks"]}
    assert [c["status"] for c in checks.values()] == ["passed", "errored", "errored", "failed"]
    assert checks["numbers"]["comparisons"][0]["details"] == {
        "passed": True, "exact": 1 / 3, "digits": 2.0**-60, "curve": [0.0, 0.5, 1.0]}
    assert checks["raising"]["error"] == "ValueError: the integrand overflowed"
    assert "Traceback" in checks["raising"]["traceback"]
    assert checks["unwritable"]["error"].startswith("its result could not be written: TypeError:")
    assert list(payload["errors"]) == ["check unwritable"]
    assert "**ERROR**: ValueError: the integrand overflowed" in (target / "report.md").read_text()
    assert r"\textbf{ERROR}" in (target / "report.tex").read_text()
    stderr = capsys.readouterr().err
    assert "raising: ERROR (ValueError: the integrand overflowed)" in stderr and "Traceback" not in stderr
    assert sorted(os.listdir(tmp_path)) == ["report"]  # no temporary file left behind


def test_an_interrupted_run_leaves_the_finished_checks_marked_incomplete(tmp_path, monkeypatch, small_figures):
    target = tmp_path / "report"

    def interrupted(mode):
        raise KeyboardInterrupt

    _register(monkeypatch, {"first": lambda mode: [_comparison(1.0)], "interrupted": interrupted,
                            "never_run": lambda mode: [_comparison(1.0)]})
    assert main(["verify", "--quick", "--report", str(target)]) == 130
    payload = _read_every_file(target)
    assert payload["complete"] is False and payload["passed"] is False
    assert [c["name"] for c in payload["checks"]] == ["first"] and payload["checks"][0]["status"] == "passed"
    assert payload["pending"] == ["interrupted", "never_run"]
    assert "Incomplete: 2 checks not run yet" in (target / "report.md").read_text()


def test_named_real_check_end_to_end(tmp_path, monkeypatch):
    """A real registered check selected by name, with the one figure that needs no long computation."""
    monkeypatch.setattr(_figures, "FIGURES", {"ewc_barrier_growth": _figures.FIGURES["ewc_barrier_growth"],
                                              "exit_time_bias": _figures.FIGURES["exit_time_bias"]})
    target = tmp_path / "report"
    assert main(["verify", "ewc_reduction_vs_direct_sum", "--quick", "--report", str(target)]) == 0
    payload = _read_every_file(target)
    assert payload["complete"] is True and payload["passed"] is True and payload["errors"] == {}
    assert [c["name"] for c in payload["checks"]] == ["ewc_reduction_vs_direct_sum"]
    assert all(row["passed"] is True for row in payload["checks"][0]["comparisons"])
    assert payload["figures"] == ["ewc_barrier_growth"]


def test_an_unknown_check_writes_nothing(tmp_path, capsys):
    assert main(["verify", "no_such_check", "--report", str(tmp_path / "report")]) == 2
    assert os.listdir(tmp_path) == [] and "no_such_check" in capsys.readouterr().err


@pytest.mark.slow
def test_verify_all_quick_report_end_to_end(tmp_path):
    """The real thing: every registered check and every figure (minutes)."""
    target = tmp_path / "report"
    # the checkout under test first on the path (the working directory is tmp_path, not the repository)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run([sys.executable, "-m", "verify.cli", "verify", "--all", "--quick", "--report",
                                str(target)], capture_output=True, text=True, cwd=tmp_path, env=environment,
                               timeout=3600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    payload = _read_every_file(target)
    assert payload["complete"] is True and payload["passed"] is True and payload["errors"] == {}
    assert len(payload["checks"]) == len(_check.check_names())  # the registry is filled lazily: load it
    assert set(payload["figures"]) == set(_figures.FIGURES)


def test_a_check_of_a_missing_extra_is_left_out_of_all_and_refused_by_name(monkeypatch):
    never = lambda mode: pytest.fail("a check whose package is missing must not run")  # noqa: E731
    registry = {
        "plain": _check.Check("plain", (), "plain (test)", lambda mode: [_comparison(1.0)]),
        "needs_extra": _check.Check("needs_extra", (), "needs a missing package", never,
                                    ("no_such_package_kramers_test",)),
    }
    monkeypatch.setattr(_check, "CHECKS", registry)
    with pytest.warns(UserWarning, match="needs_extra left out: it needs no_such_package_kramers_test"):
        assert _check.check_names() == ["plain"]
    with pytest.raises(_check.InvalidParameter, match="needs no_such_package_kramers_test"):
        _check.check_names(["needs_extra"])
