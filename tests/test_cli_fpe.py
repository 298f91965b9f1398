"""``kramers fpe``: JSON keys, closed forms through the command line, one-line errors."""

import json
import math
import subprocess
import sys

import pytest

QUARTIC = "(x**2-1)**2"


def kramers(*arguments):
    return subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                          timeout=600)


def fpe(*arguments):
    completed = kramers("fpe", *arguments, "--json")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_constant_temperature_reports_survival_hazard_and_rate():
    out = fpe("--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5", "--horizon", "40",
              "--cells", "1000", "--steps", "4000", "--outputs", "40")
    for key in ("times", "survival", "hazard", "hazard_rate", "temperatures", "rate", "mfpt"):
        assert key in out
    assert len(out["times"]) == len(out["survival"]) == len(out["hazard"]) == 41
    assert out["times"][-1] == pytest.approx(40)
    # exact MFPT 10.25857006... (docs/kramers.md check values); the 1000-cell grid is second order with error 4e-6 relative
    assert out["mfpt"] == pytest.approx(10.25857006, rel=2e-5)
    # late hazard rate is the lowest eigenvalue (the rest of the spectrum decays as e^{-3.4 t})
    assert out["hazard_rate"][-1] == pytest.approx(out["rate"], rel=1e-6)
    assert out["hazard"][-1] == pytest.approx(-math.log(out["survival"][-1]))


def test_temperature_expression_in_t_for_free_diffusion_matches_the_images_solution():
    # T(t) = 1 + t/2: int_0^t T = t + t^2/4; S = erf(1 / sqrt(4 (t + t^2/4))) with a far reflecting end
    out = fpe("--potential", "0", "--from", "0", "--to", "1", "--reflect", "-14", "--temperature-expr", "1 + t/2",
              "--horizon", "2", "--cells", "2800", "--steps", "800", "--outputs", "8")
    assert out["rate"] is None and out["mfpt"] is None
    for t, survival, temperature in zip(out["times"][1:], out["survival"][1:], out["temperatures"][1:]):
        assert temperature == pytest.approx(1 + t / 2)
        # measured second-order error at this resolution is below 5e-5 (tests/numerics/test_fokker_planck.py)
        assert survival == pytest.approx(math.erf(1 / math.sqrt(4 * (t + t * t / 4))), abs=2e-4)


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        (("--temperature", "0.5", "--temperature-expr", "0.5"), "not both"),
        (("--schedule", "spike"), "--schedule"),
        (("--temperature-expr", "__import__('os')"), "--temperature-expr"),
        (("--temperature-expr", "0.1 - t"), "T > 0"),
        (("--temperature-expr", "0.5 + y"), "--temperature-expr"),
        ((), "--temperature or --temperature-expr is required"),
        (("--temperature", "0.5", "--outputs", "7"), "--outputs"),
    ],
)
def test_bad_input_is_one_line_with_status_2(arguments, fragment):
    completed = kramers("fpe", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--horizon", "1", *arguments)
    assert completed.returncode == 2
    assert fragment in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1 and "Traceback" not in completed.stderr


def test_verify_refuses_names_together_with_all():
    completed = kramers("verify", "--all", "kramers_vs_exact")
    assert completed.returncode == 2 and "--all" in completed.stderr


def test_verify_refuses_a_report_directory_that_cannot_be_written_before_running_checks(tmp_path):
    (tmp_path / "file").write_text("")
    for destination in (tmp_path / "missing" / "out", tmp_path / "file"):
        completed = kramers("verify", "kramers_vs_exact", "--report", str(destination))
        assert completed.returncode == 2 and "--report" in completed.stderr and "[1/1]" not in completed.stderr


def test_schedule_spec_equals_the_same_temperature_expression():
    common = ("fpe", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--horizon", "40", "--json")
    by_spec = json.loads(kramers(*common, "--temperature", "0.1", "--schedule", "spike:A=0.1,t0=20,sigma=2").stdout)
    by_expr = json.loads(kramers(*common, "--temperature-expr", "0.1+0.1*exp(-(t-20)**2/8)").stdout)
    assert by_spec["survival"] == by_expr["survival"]
    assert by_spec["temperatures"] == pytest.approx(by_expr["temperatures"], rel=1e-15)


def test_schedule_below_zero_is_refused():
    completed = kramers("fpe", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--horizon", "40",
                        "--temperature", "0.1", "--schedule", "spike:A=-0.2,t0=20,sigma=2")
    assert completed.returncode == 2 and "T > 0" in completed.stderr and completed.stderr.count("\n") == 1


# ------------------------------------------------------------------ two variables
SEPARABLE = "(x**2-1)**2 + y**2"


def test_two_variables_report_grid_order_and_the_one_dimensional_mfpt():
    out = fpe("--var", "x,y", "--potential", SEPARABLE, "--from", "-1,0", "--absorb", "x >= 0",
              "--temperature", "0.2", "--horizon", "50", "--cells", "128", "--steps", "40", "--outputs", "4")
    for key in ("times", "survival", "hazard", "hazard_rate", "rate", "mfpt", "grid", "grid_convergence",
                "grid_convergence_order"):
        assert key in out
    assert out["grid"]["cells"] == [128, 128]
    assert out["grid_convergence"]["cells"] == [[32, 32], [64, 64], [128, 128]]
    assert 1.7 < out["grid_convergence_order"] < 2.3
    # the y motion never matters: the exact 1-D MFPT of (x^2-1)^2 from -1 to 0 at T = 0.2 is 90.476 (quadrature
    # with the box's reflecting wall); the 128-cell grid is 0.03 below it (second order, tests/numerics)
    assert out["mfpt"] == pytest.approx(90.476, abs=1.25 * out["grid_convergence"]["error_estimate"] + 0.03)
    assert out["rate"] * out["mfpt"] == pytest.approx(1, abs=0.02)


def test_two_variables_under_a_schedule_measure_the_order_on_the_final_survival():
    out = fpe("--var", "x,y", "--potential", SEPARABLE, "--from=-1,0", "--to", "1,0", "--radius", "0.5",
              "--temperature", "0.15", "--schedule", "spike:A=0.2,t0=6,sigma=1", "--horizon", "12", "--cells", "48",
              "--steps", "100", "--outputs", "4", "--box=-2:2,-2:2")
    assert out["rate"] is None and out["mfpt"] is None
    assert out["grid"]["box"] == [[-2, 2], [-2, 2]]
    assert out["grid_convergence"]["quantity"] == "survival at the horizon"
    assert 0 < out["survival"][-1] < 1


@pytest.mark.parametrize("arguments, fragment", [
    (("--cells", "34"), "multiples of 4"),
    (("--cells", "16"), "at least 32"),
    (("--box", "1:0,-1:1"), "--box"),
    (("--box", "-2:2"), "--box"),
    (("--reflect", "-2"), "--reflect"),
])
def test_two_variable_bad_input_is_one_line_with_status_2(arguments, fragment):
    completed = kramers("fpe", "--var", "x,y", "--potential", SEPARABLE, "--from", "-1,0", "--absorb", "x >= 0",
                        "--temperature", "0.2", "--horizon", "1", *arguments)
    assert completed.returncode == 2, completed.stderr
    assert fragment in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1 and "Traceback" not in completed.stderr


def test_absorb_with_one_variable_is_refused():
    completed = kramers("fpe", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--absorb", "x > 1",
                        "--temperature", "0.5", "--horizon", "1")
    assert completed.returncode == 2 and "--absorb" in completed.stderr


def test_a_disc_too_small_for_the_coarsest_rung_is_refused_before_running():
    completed = kramers("fpe", "--var", "x,y", "--potential", SEPARABLE, "--from", "-1,0", "--to", "1,0",
                        "--temperature", "0.3", "--horizon", "1", "--cells", "32", "--steps", "8", "--outputs", "1")
    assert completed.returncode == 2 and "coarsest grid" in completed.stderr and "8 x 8" in completed.stderr
    assert completed.stdout == ""
