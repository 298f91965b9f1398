"""``kramers schedule``: the JSON contract against hand formulas, and one-line errors with status 2."""

import json
import math
import subprocess
import sys

import pytest

from verify.cli import main

QUARTIC = ("--potential", "(x**2-1)**2", "--from", "-1", "--to", "1")
#: Kramers prefactor of (x^2-1)^2 with gamma = 1: sqrt(8 * 4) / (2 pi); barrier 1.
PREFACTOR = math.sqrt(32) / (2 * math.pi)


def kramers(*arguments):
    completed = subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr
    return completed


def rate(temperature):
    return PREFACTOR * math.exp(-1 / temperature)


def test_plateau_keys_and_values_match_the_hand_formulas():
    out = json.loads(kramers("schedule", *QUARTIC, "--temperature", "0.1", "--schedule",
                             "plateau:h=0.1,start=5,duration=20", "--horizon", "40", "--json").stdout)
    for key in ("hazard", "transition_probability", "mean_transition_time", "budget", "laplace_hazard",
                "adiabatic_ok", "arrhenius_ok", "adiabatic_number", "arrhenius_number"):
        assert key in out
    k0, k1 = rate(0.1), rate(0.2)
    hazard = 20 * k0 + 20 * k1
    assert out["hazard"] == pytest.approx(hazard, rel=1e-12)
    assert out["transition_probability"] == pytest.approx(1 - math.exp(-hazard), rel=1e-12)
    mean = ((1 - math.exp(-5 * k0)) / k0 + math.exp(-5 * k0) * (1 - math.exp(-20 * k1)) / k1
            + math.exp(-5 * k0 - 20 * k1) / k0)
    assert out["mean_transition_time"] == pytest.approx(mean, rel=1e-11)
    assert out["budget"] == pytest.approx(2.0, rel=1e-14)
    assert out["laplace_hazard"] is None
    # duration 20 vs relaxation 1/8; dU/T_peak = 5 >= 4
    assert out["adiabatic_ok"] is True and out["adiabatic_number"] == pytest.approx(160)
    assert out["arrhenius_ok"] is True and out["arrhenius_number"] == pytest.approx(5)


def test_spike_reports_the_laplace_hazard_and_warns_out_of_regime():
    completed = kramers("schedule", *QUARTIC, "--temperature", "0.1", "--schedule", "spike:A=0.2,t0=20,sigma=2",
                        "--horizon", "40", "--json")
    out = json.loads(completed.stdout)
    assert abs(out["laplace_hazard"] - out["hazard"]) <= 2 * out["laplace_error"]
    assert out["budget"] == pytest.approx(0.2 * 2 * math.sqrt(2 * math.pi), rel=1e-12)
    assert out["arrhenius_ok"] is False and "dU / T_peak = 3.33" in completed.stderr


def test_optimize_gives_the_tangent_height_and_its_gain():
    out = json.loads(kramers("schedule", *QUARTIC, "--temperature", "0.1", "--optimize", "--budget", "2",
                             "--horizon", "100", "--json").stdout)
    h = out["best_height"]
    k = lambda T: math.exp(-1 / T)  # noqa: E731
    assert 1 / (0.1 + h) ** 2 * k(0.1 + h) * h == pytest.approx(k(0.1 + h) - k(0.1), rel=1e-10)
    gain = 2 / h * PREFACTOR * (k(0.1 + h) - k(0.1))
    spread = 2 / 0.02 * PREFACTOR * (k(0.12) - k(0.1))
    assert out["hazard_gain"] == pytest.approx(gain / spread, rel=1e-10)
    assert out["best_duration"] == pytest.approx(2 / h)
    assert out["convexity_threshold"] == 0.5 and out["arrhenius_ok"] is False
    assert out["regime_height"] == pytest.approx(0.15)  # T_peak = dU/4, the edge of Kramers' regime


def run(capsys, *arguments):
    status = main(list(arguments))
    return status, capsys.readouterr()


@pytest.mark.parametrize("arguments, message", [
    (("--schedule", "spike:A=-0.2,t0=20,sigma=2"), "--schedule: the temperature reaches T = -0.1 at t = 20"),
    (("--schedule", "spike:A=0.2,t0=20"), "field 'sigma' is missing"),
    (("--schedule", "bump:A=1"), "unknown kind 'bump'"),
    (("--schedule", "expr:exec(1)"), "function 'exec' is not allowed"),
    (("--optimize",), "--optimize needs --budget"),
    (("--optimize", "--budget", "1", "--schedule", "spike:A=0.2,t0=20,sigma=2"), "leave out --schedule"),
    (("--budget", "1",), "--budget belongs to --optimize"),
])
def test_bad_input_is_one_line_with_status_2(capsys, arguments, message):
    status, captured = run(capsys, "schedule", *QUARTIC, "--temperature", "0.1", "--horizon", "40", *arguments)
    assert status == 2
    assert message in captured.err and captured.err.count("\n") == 1 and not captured.out


def test_bad_horizon_and_temperature(capsys):
    status, captured = run(capsys, "schedule", *QUARTIC, "--temperature", "0", "--horizon", "40")
    assert status == 2 and "--temperature must be positive" in captured.err
    status, captured = run(capsys, "schedule", *QUARTIC, "--temperature", "0.1", "--horizon", "-1")
    assert status == 2 and "--horizon must be positive" in captured.err
