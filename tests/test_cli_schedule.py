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


# ------------------------------------------------ the problem object behind the command
def schedule_json(capsys, *arguments):
    status, captured = run(capsys, "schedule", *arguments, "--json")
    assert status == 0, captured.err
    return json.loads(captured.out)


def test_constant_temperature_reads_friction_and_temperature_from_the_problem(capsys):
    """T = 0.1, gamma = 1/2: k = sqrt(32)/(2 pi gamma) e^{-10}, H = 40 k, mean time 1/k, relaxation gamma/8."""
    out = schedule_json(capsys, *QUARTIC, "--temperature", "0.1", "--friction", "0.5", "--horizon", "40")
    k = 2 * PREFACTOR * math.exp(-10)
    assert out["hazard"] == pytest.approx(40 * k, rel=1e-13)
    assert out["mean_transition_time"] == pytest.approx(1 / k, rel=1e-13)
    assert out["baseline_rate"] == pytest.approx(k, rel=1e-14)
    assert out["prefactor"] == pytest.approx(2 * PREFACTOR, rel=1e-15) and out["barrier"] == 1.0
    assert out["relaxation_time"] == 1 / 16 and out["time_scale"] is None and out["adiabatic_number"] is None
    assert (out["temperature"], out["friction"], out["horizon"], out["schedule"]) == (0.1, 0.5, 40.0, "1/10")
    assert out["budget"] == 0.0 and out["laplace_hazard"] is None and out["peak_temperature"] == 0.1


def test_spike_json_against_quadrature_and_the_python_problem(capsys):
    """The spike of docs/schedules.md: hazard by mpmath's tanh-sinh rule, budget A sigma sqrt(2 pi) = 2 by hand;
    the same EscapeProblem built in Python gives the same numbers through adiabatic_escape."""
    import mpmath
    import sympy

    from theory import EscapeProblem, Potential, adiabatic_escape, parse_schedule, symbols

    spec = "spike:A=0.2,t0=60,sigma=10/sqrt(2*pi)"
    out = schedule_json(capsys, *QUARTIC, "--temperature", "0.05", "--schedule", spec, "--horizon", "120")
    width = 10 / math.sqrt(2 * math.pi)
    with mpmath.workdps(30):
        sigma = 10 / mpmath.sqrt(2 * mpmath.pi)
        excess = lambda s: mpmath.mpf("0.2") * mpmath.exp(-(s - 60) ** 2 / (2 * sigma**2))  # noqa: E731
        hazard = PREFACTOR * mpmath.quad(lambda s: mpmath.exp(-1 / (mpmath.mpf("0.05") + excess(s))),
                                         [0, 60 - 4 * sigma, 60, 60 + 4 * sigma, 120])
    assert out["hazard"] == pytest.approx(float(hazard), rel=1e-12)
    assert out["budget"] == pytest.approx(2.0, rel=1e-13)
    assert out["time_scale"] == pytest.approx(width, rel=1e-15)
    assert out["adiabatic_number"] == pytest.approx(8 * width, rel=1e-15)
    assert out["peak_temperature"] == pytest.approx(0.25, rel=1e-12) and out["peak_time"] == pytest.approx(60)
    t = symbols.t
    by_hand = sympy.Rational(1, 20) + sympy.Rational(1, 5) * sympy.exp(-(t - 60) ** 2 * sympy.pi / 100)
    assert out["schedule"] == str(by_hand)
    problem = EscapeProblem(Potential.from_string("(x**2-1)**2"), -1, 1, parse_schedule(spec, "0.05"))
    with mpmath.workdps(22):
        engine, _ = adiabatic_escape(problem, 120, digits=12)
        assert out["hazard"] == float(engine.hazard()) and out["budget"] == float(engine.budget())


def test_optimize_reads_friction_and_the_exact_baseline_from_the_problem(capsys):
    """T0 = 1/7 (parsed exactly), gamma = 0.3: nu = sqrt(32)/(0.6 pi), relaxation 0.3/8, and the tangent condition."""
    out = schedule_json(capsys, *QUARTIC, "--temperature", "1/7", "--friction", "0.3", "--optimize", "--budget", "2",
                        "--horizon", "100")
    assert out["prefactor"] == pytest.approx(PREFACTOR / 0.3, rel=1e-15)
    assert out["relaxation_time"] == pytest.approx(0.0375, rel=1e-15) and out["temperature"] == 1 / 7
    h, T0 = out["best_height"], 1 / 7
    k = lambda T: math.exp(-1 / T)  # noqa: E731
    assert h / (T0 + h) ** 2 * k(T0 + h) == pytest.approx(k(T0 + h) - k(T0), rel=1e-10)
    assert out["hazard"] == pytest.approx(100 * PREFACTOR / 0.3 * k(T0) + out["gain"], rel=1e-14)


@pytest.mark.parametrize("arguments, message", [
    (("--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1", "--to", "1", "--horizon", "40"),
     "--var: `kramers schedule` handles one variable, got 2"),
    (("--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1", "--to", "1", "--horizon", "40",
      "--optimize", "--budget", "1"), "--var: `kramers schedule` handles one variable, got 2"),
    ((*QUARTIC[:4], "--to", "-1", "--horizon", "40"), "--to must differ from --from"),
    ((*QUARTIC, "--horizon", "40", "--friction", "0"), "--friction must be positive"),
    ((*QUARTIC, "--horizon", "40", "--friction", "0", "--optimize", "--budget", "1"), "--friction must be positive"),
    ((*QUARTIC, "--horizon", "40", "--schedule", "expr:-0.2+t/100"), "--schedule: the temperature reaches"),
])
def test_problem_errors_name_the_flag(capsys, arguments, message):
    status, captured = run(capsys, "schedule", "--temperature", "0.1", *arguments)
    assert status == 2
    assert message in captured.err and captured.err.count("\n") == 1 and not captured.out


@pytest.mark.parametrize("arguments, message", [
    (("--temperature-expr", "0.1+t/100"), "the following arguments are required: --temperature"),
    (("--temperature", "0.1", "--temperature-expr", "0.1+t/100"), "unrecognized arguments: --temperature-expr"),
])
def test_temperature_expr_is_not_a_flag_of_schedule(capsys, arguments, message):
    """T(t) alone has no baseline T0 (the temperature after the window): --schedule 'expr:...' over --temperature."""
    with pytest.raises(SystemExit) as exit_status:
        main(["schedule", *QUARTIC, *arguments, "--horizon", "40"])
    captured = capsys.readouterr()
    assert exit_status.value.code == 2
    assert message in captured.err and captured.err.count("\n") == 1 and not captured.out
