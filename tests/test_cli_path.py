"""``kramers path`` and ``kramers rate --var``: JSON contract, the figure, --saddle, one-line errors."""

import json
import math

import pytest

from test_cli_ewc import kramers
from verify._checks_paths import BANANA, TRIPLE_WELL, banana_by_hand

PATH_KEYS = {"minima", "saddles", "hops", "path", "rate", "escape_time"}


def test_path_json_keys_and_the_figure(tmp_path):
    figure = tmp_path / "path.png"
    completed = kramers("path", "--var", "x,y", "--potential", TRIPLE_WELL, "--from", "-1,0", "--to", "1,0",
                        "--temperature", "0.1", "--images", "25", "--plot", str(figure), "--json")
    out = json.loads(completed.stdout)
    assert PATH_KEYS <= set(out)
    assert all(set(m) == {"point", "energy"} for m in out["minima"])
    assert all(set(z) == {"point", "energy", "negative_eigenvalue"} for z in out["saddles"])
    assert all({"from", "saddle", "to", "barrier", "rate"} <= set(h) for h in out["hops"])
    assert len(out["path"]) == 25 and len(out["hops"]) == 2 and out["hops"][1]["from"] == out["minima"][1]["point"]
    assert out["rate"] == pytest.approx(1 / out["escape_time"], rel=1e-15)
    assert "k_CA + k_CB" in out["formula"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_path_without_temperature_has_null_rates():
    out = json.loads(kramers("path", "--var", "x,y", "--potential", BANANA, "--from", "-1,0", "--to", "1,0",
                             "--json").stdout)
    assert out["rate"] is None and out["escape_time"] is None and out["hops"][0]["rate"] is None
    assert out["saddles"][0]["point"][1] == pytest.approx(banana_by_hand(1)["saddle_y"], rel=1e-14)


def test_rate_on_the_bent_landscape_keeps_its_keys_and_saddle_seeds_newton():
    from_path = json.loads(kramers("rate", "--var", "x,y", "--potential", BANANA, "--from", "-1,0", "--to", "1,0",
                                   "--temperature", "0.1", "--json").stdout)
    for key in ("minimum", "saddle", "barrier", "hessian_minimum", "hessian_saddle", "negative_eigenvalue",
                "prefactor", "rate", "escape_time", "temperature", "friction", "exact_stationary_points", "latex"):
        assert key in from_path
    assert from_path["rate"] == pytest.approx(banana_by_hand(0.1)["rate"], rel=1e-12)
    seeded = json.loads(kramers("rate", "--var", "x,y", "--potential", BANANA, "--from", "-1,0", "--to", "1,0",
                                "--temperature", "0.1", "--saddle", "0.1,0.7", "--json").stdout)
    assert seeded["rate"] == pytest.approx(from_path["rate"], rel=1e-14)


@pytest.mark.parametrize("arguments, message", [
    (("--images", "2"), "--images must be at least 3"),
    (("--plot", "/nonexistent-directory/path.png"), "--plot: directory"),
    (("--temperature", "-1"), "--temperature must be positive"),
    (("--to", "1"), "--to: expected 2"),
])
def test_path_bad_inputs_are_one_line_with_status_2(arguments, message):
    base = {"--var": "x,y", "--potential": BANANA, "--from": "-1,0", "--to": "1,0"}
    overrides = dict(zip(arguments[::2], arguments[1::2]))
    flat = [item for key, value in {**base, **overrides}.items() for item in (key, value)]
    completed = kramers("path", *flat, check=False)
    assert completed.returncode == 2 and message in completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr


def test_one_variable_rate_refuses_saddle():
    completed = kramers("rate", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--saddle", "0",
                        check=False)
    assert completed.returncode == 2 and "--saddle" in completed.stderr
