"""`kramers skills`: JSON contract, the closed forms behind it, one-line errors with status 2."""

import json
import math
import subprocess
import sys

import pytest

from verify.cli import main


def run_json(capsys, *arguments):
    assert main(["skills", *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_domino_defaults_are_the_papers_and_times_are_the_closed_form(capsys):
    out = run_json(capsys, "domino")
    eta = 2 * 3e-4 * 1000**0.5
    assert out["n"] == 10 and out["eta_eff"] == pytest.approx(eta)
    assert out["learning_times"] == pytest.approx([(i - 1 + 0.9) / eta for i in range(1, 11)])
    assert out["total_time"] == pytest.approx(10 / eta)


def test_resource_two_tasks_has_time_ratio_close_to_the_closed_form(capsys):
    from theory import skills

    out = run_json(capsys, "resource", "--frequencies", "10,1", "--eta", "0.0005", "--steps", "9000")
    assert set(out) >= {"learning_times", "time_ratio", "frequencies", "final_skills", "final_loss", "wasted"}
    closed = float(skills.resource_time_ratio().evaluate(r=10, N_0=0.003, theta=0.9))
    t1, t2 = out["learning_times"]
    assert out["time_ratio"] == pytest.approx(t2 / t1)
    assert abs(out["time_ratio"] - closed) <= closed * (1 / t1 + 1 / t2) * 2  # two whole steps of rounding


def test_geometry_two_tasks_keys_and_domino_effect(capsys):
    out = run_json(capsys, "geometry", "--frequencies", "10,1", "--steps", "300", "--runs", "4", "--batch", "512")
    assert {"learning_times", "time_ratio", "time_ratio_stderr", "learning_times_runs", "optimizer"} <= set(out)
    assert out["d"] == 1000 and out["optimizer"] == "signgd" and len(out["learning_times_runs"]) == 4
    assert 1.5 < out["time_ratio"] < 2.1  # SignGD: ~1.78, far from the SGD value p1/p2 = 10


def test_many_tasks_have_no_time_ratio(capsys):
    out = run_json(capsys, "resource", "--n", "3", "--steps", "200")
    assert "time_ratio" not in out and len(out["learning_times"]) == 3


@pytest.mark.parametrize("arguments, fragment", [
    (["geometry", "--lr", "-1"], "--lr"),
    (["resource", "--threshold", "1.5"], "--threshold"),
    (["resource", "--frequencies", "1,__import__"], "--frequencies"),
    (["geometry", "--n", "50", "--d", "10"], "--n"),
    (["domino", "--n", "0"], "--n"),
    (["scaling", "--quick", "--workers", "0"], "--workers"),
])
def test_bad_input_is_one_line_and_status_2(arguments, fragment):
    completed = subprocess.run([sys.executable, "-m", "verify.cli", "skills", *arguments], capture_output=True,
                               text=True, timeout=600)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


@pytest.mark.parametrize("optimizer, rate", [("sgd", 3e-2), ("signgd", 3e-4), ("adam", 3e-4)])
def test_learning_rate_defaults_per_optimizer_and_is_printed(capsys, optimizer, rate):
    out = run_json(capsys, "geometry", "--optimizer", optimizer, "--frequencies", "0.9,0.1", "--d", "100",
                   "--steps", "20")
    assert out["learning_rate"] == rate
    assert main(["skills", "geometry", "--optimizer", optimizer, "--d", "100", "--steps", "20"]) == 0
    assert f"learning_rate   {rate:g}" in capsys.readouterr().out


def test_sgd_with_its_default_rate_learns_at_the_closed_form_time(capsys):
    # t_i = log(1/(1-theta))/(lr p_i): 85 and 768 steps at lr = 3e-2 (the SignGD rate 3e-4 learns nothing here)
    out = run_json(capsys, "geometry", "--optimizer", "sgd", "--frequencies", "0.9,0.1", "--steps", "1000",
                   "--runs", "4", "--d", "200")
    t1, t2 = out["learning_times"]
    assert abs(t1 - math.log(10) / (3e-2 * 0.9)) < 4 and abs(t2 - math.log(10) / (3e-2 * 0.1)) < 60


def test_compositional_and_or_tree_keys_gates_and_the_epoch_law(capsys):
    out = run_json(capsys, "compositional", "--structure", "and-or-tree", "--eta", "1e-3", "--wasted", "0",
                   "--gate-exponent", "1e-9", "--steps", "8000")
    assert {"learning_times", "order", "gates", "limit_learning_times", "limit_order"} <= set(out)
    assert out["gates"] == {"X5": "X1 AND X2", "X6": "X3 OR X4", "X7": "X5 OR X6"}
    # epochs by hand (t0 = 1000 steps): leaves end at 4 t0; X3 is clipped first and opens X6 (OR),
    # X6 ends at 5 t0 and opens X7 (OR); X5 waits for X2, the least frequent leaf, until 6 t0
    assert out["limit_order"] == ["X3", "X4", "X1", "X2", "X6", "X7", "X5"]
    assert out["limit_learning_times"][4:] == pytest.approx([6900, 4900, 5900])
    # the composite X5 = X1 AND X2 learns only after both parents, at eta = 1e-3 as in the limit
    assert out["learning_times"][4] > max(out["learning_times"][:2])
    assert out["learning_times"][4] == pytest.approx(6900, abs=2)


def test_compositional_chain_waits_for_each_parent(capsys):
    out = run_json(capsys, "compositional", "--structure", "chain", "--wasted", "0", "--gate-exponent", "1e-9",
                   "--steps", "3500")
    assert out["order"] == ["X1", "X2", "X3"] and out["gates"] == {"X2": "X1", "X3": "X2"}
    assert out["learning_times"] == pytest.approx([900, 1900, 2900], abs=2)  # (i - 1 + theta) t0, any p


def test_scaling_keys_and_predictions_on_a_tiny_sweep(capsys, monkeypatch):
    from verify import _checks_skills

    monkeypatch.setitem(_checks_skills.SCALING, "quick", {"dimensions": (10, 20, 40), "steps": 200, "seeds": 2})
    out = run_json(capsys, "scaling", "--alpha", "2", "--quick")
    assert {"alpha", "alpha_N", "alpha_N_stderr", "alpha_S", "alpha_S_stderr", "dimensions", "steps",
            "predictions"} <= set(out)
    assert out["predictions"][0] == {"quanta_N": 1.0, "quanta_S": 0.5, "domino": 1.0, "chinchilla_N": 0.34,
                                     "chinchilla_S": 0.28}
    assert out["alpha_N"][0] > 0 and out["alpha_S"][0] > 0  # more dimensions and more steps lower the loss


def test_scaling_on_two_dask_workers_is_the_serial_sweep_bit_for_bit(capsys, monkeypatch):
    pytest.importorskip("distributed")
    from verify import _checks_skills

    monkeypatch.setitem(_checks_skills.SCALING, "quick", {"dimensions": (8, 16), "steps": 100, "seeds": 2})
    monkeypatch.setitem(_checks_skills.SCALING, "n", 50)
    serial = run_json(capsys, "scaling", "--alpha", "1.5", "--quick")
    distributed = run_json(capsys, "scaling", "--alpha", "1.5", "--quick", "--workers", "2")
    assert serial["workers"] == 1 and distributed["workers"] == 2
    for key in ("alpha_N", "alpha_N_stderr", "alpha_S", "alpha_S_stderr", "loss_curves", "final_loss"):
        assert distributed[key] == serial[key]  # floats through JSON: equal means bit for bit


def test_modularity_keys_on_two_runs(capsys, monkeypatch):
    pytest.importorskip("torch")
    from numerics import _skill_networks

    original = _skill_networks.modularity_experiment
    monkeypatch.setattr(_skill_networks, "modularity_experiment",
                        lambda **options: original(**{**options, "steps": 60, "points": 200, "fraction": 0.05}))
    out = run_json(capsys, "modularity", "--runs", "2")
    for case in ("non_modular", "modular"):
        assert {"t1_median", "t2_median", "ratio_median", "ratio_mean", "ratio_stderr", "runs", "censored"} <= set(
            out[case])
        assert out[case]["runs"] == 2 and 0 <= out[case]["censored"] <= 2
    assert {"non_modular", "modular"} <= set(out["prediction"])
