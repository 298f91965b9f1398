"""``kramers simulate`` in d dimensions: absorbing conditions, schedules, integrators, dt ladder."""

import json
import subprocess
import sys

import pytest

TWO_WELLS = ("--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1,0")


def kramers(*arguments):
    completed = subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_condition_schedule_and_dt_ladder_in_two_dimensions():
    common = ("simulate", *TWO_WELLS, "--absorb", "x + y/10 > 0.5", "--temperature-expr", "0.5*(1 + t/10)",
              "--trajectories", "300", "--dt", "0.01", "--seed", "3", "--dt-ladder", "2", "--json")
    one = kramers(*common, "--threads", "1")
    two = kramers(*common, "--threads", "2")
    assert one["mean"] == two["mean"] and one["dt_bias_estimate"] == two["dt_bias_estimate"]
    assert one["dt_ladder"] == [0.01, 0.005] and one["dt"] == 0.005
    assert one["bridge"] is True and one["dimension"] == 2  # a linear condition is a half-space
    assert one["dt_bias_estimate"] == pytest.approx(one["dt_ladder_means"][0] - one["dt_ladder_means"][1])
    assert one["temperature"] == "t/20 + 1/2"


def test_baoab_with_mass_and_a_ball_around_the_target():
    out = kramers("simulate", *TWO_WELLS, "--to", "1,0", "--radius", "0.3", "--temperature", "0.5",
                  "--integrator", "baoab", "--mass", "0.5", "--friction", "2", "--trajectories", "50",
                  "--dt", "0.01", "--seed", "1", "--json")
    assert out["integrator"] == "baoab" and out["mass"] == 0.5 and out["bridge"] is False
    assert out["censored"] == 0 and out["absorbing"].startswith("|x - (1, 0)| <= 0.3")


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        (("--absorb", "x < -0.5", "--temperature", "0.5"), "already contains the start"),
        (("--to", "1,0", "--temperature", "0.5", "--dt", "0.5"), "too large for stability"),
        (("--absorb", "__import__('os').system('touch pwned') > 0", "--temperature", "0.5"), "--absorb"),
        (("--absorb", "x > 0", "--to", "1,0", "--temperature", "0.5"), "exactly one of --to"),
        (("--to", "1,0", "--temperature", "0.5", "--mass", "2"), "--mass"),
        (("--to", "1,0", "--temperature-expr", "0.5 - t", "--max-time", "2"), "not positive"),
        (("--to", "1,0", "--temperature-expr", "exec(t)"), "--temperature-expr"),
        (("--to", "1,0", "--temperature", "0.5", "--temperature-expr", "t"), "not both"),
        (("--to", "1", "--temperature", "0.5"), "--to"),
        (("--to", "1,0", "--temperature", "0.5", "--dt-ladder", "1"), "--dt-ladder"),
    ],
)
def test_bad_input_is_one_line_with_status_2(arguments, fragment, tmp_path):
    command = ["simulate", *TWO_WELLS, "--trajectories", "4", "--seed", "1"]
    if "--dt" not in arguments:
        command += ["--dt", "0.01"]
    completed = subprocess.run([sys.executable, "-m", "verify.cli", *command, *arguments], capture_output=True,
                               text=True, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert fragment in completed.stderr
    assert not (tmp_path / "pwned").exists()


def test_bench_reports_the_contract_keys_without_timing_anything_in_the_test():
    out = kramers("bench", "--trajectories", "20", "--baseline-trajectories", "20", "--threads", "1",
                  "--repeats", "1", "--no-start-up", "--json")
    for key in ("steps_per_second_per_core", "threads", "numpy_baseline_steps_per_second", "ratio_vs_numpy",
                "normals_baseline_per_second", "philox_normals_per_second", "ratio_vs_normals", "kernels"):
        assert key in out
    assert out["threads"] == 1
    assert out["ratio_vs_numpy"] == out["steps_per_second_per_core"] / out["numpy_baseline_steps_per_second"]
    assert set(out["kernels"]) == {"em_1d_bridge", "em_2d_half_plane", "baoab_1d"}
    normals = out["normals_baseline_per_second"]
    for case in out["kernels"].values():
        assert case["ratio_vs_normals"] == case["steps_per_second"] / normals
    assert out["ratio_vs_normals"] == out["kernels"]["em_1d_bridge"]["ratio_vs_normals"]


def test_plain_runs_are_chunked_for_progress_and_equal_one_chunk_bit_for_bit():
    # 10000 trajectories: the default chunk size (4096) makes three chunks of the lanes kernel; --chunk-size
    # 10000 takes the chunked runner's single chunk of the scalar kernel. Same noise, same numbers.
    common = ["simulate", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--temperature", "0.5",
              "--trajectories", "10000", "--dt", "0.01", "--seed", "5", "--json", "--quiet"]
    outputs = []
    for extra in ([], ["--chunk-size", "10000"]):
        completed = subprocess.run([sys.executable, "-m", "verify.cli", *common, *extra], capture_output=True,
                                   text=True)
        assert completed.returncode == 0, completed.stderr
        outputs.append(json.loads(completed.stdout))
    plain, single = outputs
    assert (plain["mean"], plain["stderr"], plain["steps"]) == (single["mean"], single["stderr"], single["steps"])
