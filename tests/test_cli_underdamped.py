"""``kramers rate --mass``: the underdamped rates beside the overdamped one, against hand closed forms."""

import json
import math
import subprocess
import sys

import pytest


def kramers(*arguments):
    return subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                          timeout=600)


def test_mass_adds_the_three_underdamped_rates_with_their_closed_forms_on_the_quartic():
    completed = kramers("rate", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--temperature", "0.2",
                        "--friction", "0.3", "--mass", "1", "--json")
    assert completed.returncode == 0, completed.stderr
    out = json.loads(completed.stdout)
    arrhenius = math.exp(-1 / 0.2) * math.sqrt(8) / (2 * math.pi)   # omega_0 = sqrt(8), dU = 1
    assert out["rate"] == pytest.approx(math.sqrt(32) / (2 * math.pi * 0.3) * math.exp(-5))  # today's key, kept
    assert out["rate_spatial_diffusion"] == pytest.approx((math.sqrt(0.3**2 / 4 + 4) - 0.15) / 2 * arrhenius)
    assert out["rate_energy_diffusion"] == pytest.approx(0.3 * (8 / 3) / 0.2 * arrhenius)
    assert out["energy_loss"] == pytest.approx(4.0)
    assert out["rate_spatial_diffusion"] * 0.8 < out["rate_turnover"] < out["rate_spatial_diffusion"]


def test_mass_is_refused_in_two_dimensions_and_must_be_positive():
    completed = kramers("rate", "--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1,0", "--to", "1,0",
                        "--temperature", "0.2", "--mass", "1")
    assert completed.returncode == 2 and "--mass" in completed.stderr and "Traceback" not in completed.stderr
    completed = kramers("rate", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--mass", "0")
    assert completed.returncode == 2 and "--mass must be positive" in completed.stderr
