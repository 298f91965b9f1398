"""The command line: JSON contracts, one-line errors with status 2, nothing evaluated."""

import json
import subprocess
import sys

import pytest

QUARTIC = "(x**2-1)**2"


def kramers(*arguments, check=True):
    completed = subprocess.run(
        [sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True, timeout=600
    )
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


def test_rate_json_keys_and_values():
    out = json.loads(kramers("rate", "--potential", QUARTIC, "--from", "-1", "--to", "1",
                             "--temperature", "0.1", "--json").stdout)
    for key in ("minimum", "saddle", "barrier", "curvature_minimum", "curvature_saddle", "prefactor", "rate",
                "escape_time", "latex"):
        assert key in out
    assert (out["minimum"], out["saddle"], out["barrier"]) == (-1.0, 0.0, 1.0)
    assert (out["curvature_minimum"], out["curvature_saddle"]) == (8.0, -4.0)
    assert out["rate"] == pytest.approx(32**0.5 / (2 * 3.141592653589793) * 2.718281828459045**-10, rel=1e-14)
    assert out["escape_time"] == pytest.approx(1 / out["rate"], rel=1e-14)


def test_rate_with_a_parameter_stays_symbolic_in_latex():
    out = json.loads(kramers("rate", "--potential", "x**4/4 - a*x**2/2", "--param", "a=0.7", "--from", "-1",
                             "--to", "1", "--json").stdout)
    assert out["rate"] is None and out["barrier"] == pytest.approx(0.1225)
    assert "a" in out["latex"] and "T" in out["latex"]


def test_mfpt_prints_the_requested_digits():
    out = json.loads(kramers("mfpt", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5",
                             "--digits", "10", "--json").stdout)
    assert out == {**out, "mfpt": "10.25857007", "digits": 10, "precision": "double"}
    assert out["log_mfpt"] == pytest.approx(2.3281134603596, abs=1e-12)


def test_mfpt_two_absorbing_ends_and_the_second_moment():
    # free diffusion on [0, 1] from 0.3, D = 1: pi_R = 0.3, T1 = 0.105, var = 0.01015, T_R = 0.91/6, T_L = 0.51/6
    out = json.loads(kramers("mfpt", "--potential", "0", "--from", "0.3", "--to", "1", "--left", "0",
                             "--temperature", "1", "--moments", "2", "--digits", "12", "--json").stdout)
    assert out == {**out, "mfpt": "0.105000000000", "splitting_right": "0.300000000000",
                   "variance": "0.0101500000000", "conditional_mfpt_right": "0.151666666667",
                   "conditional_mfpt_left": "0.0850000000000"}


def test_mfpt_beyond_fifteen_digits_and_beyond_the_float_range():
    many = json.loads(kramers("mfpt", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5",
                              "--digits", "30", "--json").stdout)
    assert many["mfpt"] == "10.2585700671841779514673278472" and many["precision"] == "mpmath"
    huge = json.loads(kramers("mfpt", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature",
                              "0.001", "--json").stdout)
    assert huge["mfpt"].endswith("e+434") and huge["error_estimate"] is None and huge["log_mfpt"] > 1000


def test_simulate_is_reproducible_across_thread_counts():
    common = ("simulate", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5",
              "--trajectories", "500", "--dt", "0.005", "--seed", "11", "--json")
    one = json.loads(kramers(*common, "--threads", "1").stdout)
    two = json.loads(kramers(*common, "--threads", "2").stdout)
    for key in ("mean", "stderr", "trajectories", "censored", "seed", "steps_per_second"):
        assert key in one
    assert (one["mean"], one["stderr"], one["censored"]) == (two["mean"], two["stderr"], two["censored"])
    assert one["trajectories"] == 500 and one["seed"] == 11


def test_simulate_reports_censoring():
    completed = kramers("simulate", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.2",
                        "--trajectories", "50", "--dt", "0.01", "--seed", "1", "--max-time", "1", "--json")
    out = json.loads(completed.stdout)
    assert out["censored"] == 50 and out["mean"] is None
    assert "censored" in completed.stderr


def test_latex_and_list():
    latex = kramers("latex", "kramers_rate").stdout
    assert r"\label{eq:kramers_rate}" in latex
    listing = kramers("list").stdout
    assert "kramers_rate" in listing and "ensemble_vs_exact_mfpt" in listing


def test_latex_writes_a_file_whole(tmp_path):
    target = tmp_path / "derivations.tex"
    kramers("latex", "-o", str(target))
    assert target.read_text().count(r"\begin{equation}") >= 4
    missing = tmp_path / "nowhere" / "out.tex"
    completed = kramers("latex", "-o", str(missing), check=False)
    assert completed.returncode == 2 and not missing.exists()
