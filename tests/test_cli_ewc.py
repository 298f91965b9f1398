"""``kramers ewc`` and ``kramers rate`` in d dimensions: JSON contracts, no-barrier answers, one-line errors."""

import json
import math
import subprocess
import sys

import pytest

QUARTIC = "(x**2-1)**2"
CANONICAL = ("ewc", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--lam", "0.1", "--fisher", "1",
             "--anchor", "-1")


def kramers(*arguments, check=True):
    completed = subprocess.run(
        [sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True, timeout=600
    )
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


def test_ewc_json_keys_and_canonical_values():
    out = json.loads(kramers(*CANONICAL, "--tasks", "4", "--temperature", "0.25", "--json").stdout)
    for key in ("barrier", "barrier_linear", "slope", "critical_tasks", "rate", "plasticity_ratio", "latex"):
        assert key in out
    c = 0.4  # N lambda F; hand formulas of docs/ewc.md (canonical case)
    saddle = (1 - math.sqrt(1 - c)) / 2
    barrier = (saddle**2 - 1) ** 2 + c / 2 * (saddle + 1) ** 2
    assert out["barrier"] == pytest.approx(barrier, rel=1e-14)
    assert out["saddle"] == [pytest.approx(saddle, rel=1e-14)]
    assert out["slope"] == pytest.approx(0.05, rel=1e-14)
    assert out["barrier_linear"] == pytest.approx(1.2, rel=1e-14)
    assert out["critical_tasks"] == pytest.approx(10, rel=1e-14)
    rate = math.sqrt((8 + c) * (4 - c - 12 * saddle**2)) / (2 * math.pi) * math.exp(-barrier / 0.25)
    assert out["rate"] == pytest.approx(rate, rel=1e-13)
    assert out["plasticity_ratio"] == pytest.approx(rate / (math.sqrt(32) / (2 * math.pi) * math.exp(-4)), rel=1e-13)
    assert "N" in out["latex"] and "\\lambda" in out["latex"]


def test_ewc_past_the_critical_count_answers_null_with_a_reason():
    completed = kramers(*CANONICAL, "--tasks", "12", "--temperature", "0.25", "--json")
    out = json.loads(completed.stdout)
    assert out["barrier"] is None and out["rate"] is None and out["plasticity_ratio"] is None
    assert "N* = 10" in out["reason"]
    text = kramers(*CANONICAL, "--tasks", "12").stdout
    assert "no barrier" in text


def test_ewc_tasks_file_and_two_dimensions(tmp_path):
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps({"tasks": [{"anchor": [-1, 0], "fisher": [[1, 0], [0, 2]]},
                                           {"anchor": [-1, 0], "fisher": [1, 2]}]}))
    from_file = json.loads(kramers("ewc", "--potential", "(x**2-1)**2 + y**2/2", "--var", "x,y", "--from", "-1,0",
                                   "--to", "1,0", "--lam", "0.1", "--tasks-file", str(tasks), "--json").stdout)
    # separable, anchored on the old minimum: x sees the canonical case with c = 2 * 0.1 * 1
    c = 0.2
    saddle = (1 - math.sqrt(1 - c)) / 2
    assert from_file["tasks"] == 2
    assert from_file["barrier"] == pytest.approx((saddle**2 - 1) ** 2 + c / 2 * (saddle + 1) ** 2, rel=1e-12)
    assert from_file["critical_tasks"] == pytest.approx(10, rel=1e-9)


@pytest.mark.parametrize("arguments, message", [
    (("--tasks", "2", "--lam", "-0.1", "--fisher", "1", "--anchor", "-1"), "lambda"),
    (("--tasks", "-2", "--lam", "0.1", "--fisher", "1", "--anchor", "-1"), "--tasks"),
    (("--tasks", "2", "--lam", "0.1", "--fisher", "-1", "--anchor", "-1"), "positive semi-definite"),
    (("--tasks", "2", "--lam", "0.1", "--fisher", "1"), "--anchor"),
    (("--tasks", "2", "--lam", "0.1", "--fisher", "1", "--anchor", "__import__('os')"), "anchor"),
])
def test_ewc_bad_inputs_are_one_line_with_status_2(arguments, message):
    completed = kramers("ewc", "--potential", QUARTIC, "--from", "-1", "--to", "1", *arguments, check=False)
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_ewc_indefinite_fisher_in_a_file_names_the_task(tmp_path):
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps([{"anchor": [-1, 0], "fisher": [1, 1]}, {"anchor": [-1, 0], "fisher": [[1, 2], [2, 1]]}]))
    completed = kramers("ewc", "--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1,0", "--to", "1,0",
                        "--lam", "0.1", "--tasks-file", str(tasks), check=False)
    assert completed.returncode == 2 and "task 2: Fisher matrix [[1, 2], [2, 1]]" in completed.stderr


def test_rate_in_two_dimensions_has_the_hessian_keys():
    out = json.loads(kramers("rate", "--potential", "(x**2-1)**2 + y**2/2 + x*y/5", "--var", "x,y", "--from", "-1,0",
                             "--to", "1,0", "--temperature", "0.1", "--json").stdout)
    for key in ("hessian_minimum", "hessian_saddle", "negative_eigenvalue", "rate", "barrier", "latex"):
        assert key in out
    assert out["hessian_saddle"] == [[-4.0, 0.2], [0.2, 1.0]]
    assert out["negative_eigenvalue"] == pytest.approx((-3 - math.sqrt(25 + 4 * 0.04)) / 2, rel=1e-14)
    hand = -out["negative_eigenvalue"] / (2 * math.pi) * math.sqrt(2) * math.exp(-(1 + 0.02 + 0.0001) / 0.1)
    assert out["rate"] == pytest.approx(hand, rel=1e-13)


def test_rate_refuses_a_saddle_seed_of_wrong_index():
    completed = kramers("rate", "--potential", "(x**2-1)**2 + (y**2-1)**2", "--var", "x,y", "--from", "-1,-1",
                        "--to", "1,1", "--saddle", "0,0", check=False)
    assert completed.returncode == 2 and "index 2" in completed.stderr and completed.stderr.count("\n") == 1


def test_rate_on_a_path_through_an_intermediate_minimum_reports_the_hops():
    # four wells at (+-1, +-1): from (-1,-1) to (1,1) the path turns at a corner well, over saddles (0,-1) or
    # (-1,0), then (1,0) or (0,1): two hops of barrier 1 each, curvatures 8 (minimum) and -4 (saddle) per axis
    completed = kramers("rate", "--potential", "(x**2-1)**2 + (y**2-1)**2", "--var", "x,y", "--from", "-1,-1",
                        "--to", "1,1", "--temperature", "0.2", "--json")
    out = json.loads(completed.stdout)
    assert "2 hops" in completed.stderr and out["hop_count"] == 2
    assert [h["barrier"] for h in out["hops"]] == [pytest.approx(1, abs=1e-14)] * 2
    hop = 4 / (2 * math.pi) * math.sqrt(64 / 32) * math.exp(-1 / 0.2)  # |lambda_1|/(2 pi) sqrt(det H_a/|det H_z|)
    assert out["hops"][0]["rate"] == pytest.approx(hop, rel=1e-12)
    assert out["escape_time"] == pytest.approx(2 / hop + 1 / hop, rel=1e-12)  # (k + k)/(k k) + 1/k
