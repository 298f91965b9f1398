"""The network experiment: the torch engine against independent results, and the pipeline end to end.

Skipped when the ``networks`` extra (torch, scikit-learn) is absent; ``make test`` installs it.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from numerics._network import (  # noqa: E402
    DTYPE, MLP, DoubleWell, Quadratic, TaskEnergy, boundary_minimum, first_passage, largest_curvature,
    permuted_digits, single_thread,
)
from verify._network import EWCNetworkExperiment, arrhenius_fit, ladder_bias, run_experiment  # noqa: E402
from verify._statistics import weighted_polynomial_fit  # noqa: E402

Z = 4.0


def test_backpropagation_matches_autograd():
    network = MLP(hidden=3)
    data = permuted_digits(2, 30, seed=1)
    x, y = data.task(2)
    theta = torch.randn(3, network.size, dtype=DTYPE, generator=torch.Generator().manual_seed(0))
    loss, gradient = network.loss_and_gradient(theta, x, y)
    variable = theta.clone().requires_grad_(True)
    w1, b1, w2, b2 = network.unflatten(variable)
    scores = torch.tanh(x @ w1 + b1[:, None]) @ w2 + b2[:, None]
    reference = -(torch.log_softmax(scores, -1) * y).sum(dim=(1, 2)) / x.shape[0]
    (automatic,) = torch.autograd.grad(reference.sum(), variable)
    assert torch.allclose(loss, reference.detach(), rtol=1e-13, atol=0)
    assert torch.allclose(gradient, automatic, rtol=1e-11, atol=1e-14)
    per_sample = network.per_sample_gradients(theta[:1], x, y)
    assert torch.allclose(per_sample.mean(dim=0), gradient[0], rtol=1e-11, atol=1e-14)


def test_sum_of_quadratics_is_one_quadratic():
    g = torch.Generator().manual_seed(3)
    first = Quadratic(torch.rand(5, generator=g, dtype=DTYPE), torch.randn(5, generator=g, dtype=DTYPE), 0.3)
    second = Quadratic(torch.rand(5, generator=g, dtype=DTYPE), torch.randn(5, generator=g, dtype=DTYPE))
    points = torch.randn(7, 5, generator=g, dtype=DTYPE)
    total = first + second
    assert torch.allclose(total.value(points), first.value(points) + second.value(points), rtol=1e-13)
    assert torch.allclose(total.gradient(points), first.gradient(points) + second.gradient(points), rtol=1e-13)


def test_boundary_minimum_of_the_double_well():
    # target {x >= -0.8} from the well at -1: min U on x = -0.8 minus min U = (0.64 - 1)^2, by hand.
    # Budget: L-BFGS stops at |grad| <= 1e-7, i.e. |x - x_b| <~ 1e-7 / U''(-0.8) = 3e-8, and
    # U'(-0.8) = 1.15 turns that into 4e-8 of barrier (3e-7 relative).
    boundary = boundary_minimum(DoubleWell(), torch.tensor([[-1.0]], dtype=DTYPE), 0.8, relative_tolerance=1e-9)
    assert boundary.energy_minimum == pytest.approx(0.0, abs=1e-12)
    assert float(boundary.boundary[0, 0]) == pytest.approx(-0.8, rel=1e-7)
    assert boundary.barrier == pytest.approx(0.36**2, rel=1e-6)


def test_runs_do_not_depend_on_the_batch():
    start = torch.tensor([[-1.0]], dtype=DTYPE)
    many = first_passage(DoubleWell(), start, 0.5, 0.02, -1.0, runs=12, max_steps=20000, seed=5, key=(2,))
    few = first_passage(DoubleWell(), start, 0.5, 0.02, -1.0, runs=4, max_steps=20000, seed=5, key=(2,))
    assert np.array_equal(many.times[:4], few.times)
    again = first_passage(DoubleWell(), start, 0.5, 0.02, -1.0, runs=4, max_steps=20000, seed=5, key=(2,))
    assert np.array_equal(again.times, few.times)


def test_arrhenius_fit_recovers_the_double_well_barrier():
    """The Arrhenius slope of Langevin exit times on (x^2-1)^2 against the slope of the exact MFPTs.

    Exact MFPTs from -1 to +1 at T = 0.4, 0.5, 0.6 by quadrature; their Arrhenius
    slope is 0.968, not 1, because the prefactor varies with T (tau k_K = 1 + 3T/8 + ...):
    that is the declared asymptotic error of reading a barrier off an Arrhenius line,
    |slope_exact - 1| < 0.05.  The measured slope is compared with the exact-MFPT slope:
    budget z * stderr + 0.05 for the Euler step eta = 0.02 (discrete monitoring
    overshoots the target, delaying exits by O(sqrt(eta)) in relative terms, a few
    per cent, nearly the same at each T, so the slope moves by much less).
    """
    from theory import Potential, mean_first_passage_time

    temperatures = (0.4, 0.5, 0.6)
    start = torch.tensor([[-1.0]], dtype=DTYPE)
    with single_thread():
        passages = [first_passage(DoubleWell(), start, t, 0.02, -1.0, runs=1000, max_steps=200000, seed=11, key=(i,))
                    for i, t in enumerate(temperatures)]
    cells, fit = arrhenius_fit(temperatures, [p.times for p in passages], [p.escaped for p in passages])
    barrier, intercept = fit.coefficient(1), fit.coefficient(0)
    assert all(cell["censored"] == 0 for cell in cells)
    quartic = Potential.from_string("(x**2-1)**2", variables=["x"], parameters={}, what="potential")
    exact = [float(mean_first_passage_time(quartic, -1, 1, t, digits=6).value) for t in temperatures]
    exact_slope = weighted_polynomial_fit([1 / t for t in temperatures], np.log(exact), [1.0] * 3, 1).coefficients[1]
    assert abs(exact_slope - 1.0) < 0.05
    assert abs(barrier.value - exact_slope) <= Z * barrier.stderr + 0.05, (barrier, exact_slope)
    assert barrier.stderr < 0.06  # the test has power: 1000 runs per temperature
    assert math.isfinite(intercept.value)


def test_ladder_bias_against_the_asymptotic_harmonic_exit_time():
    """Exit of U = q^2/2 through q_b: tau = sqrt(pi / kappa) e^kappa (1 + O(1/kappa)), kappa = dU/T.

    With the T^{1/2} prefactor divided out the Arrhenius slope is 1 + O(1/kappa^2); the plain
    line reads the secant of kappa - (1/2) ln kappa, 1 - ln(kappa_2/kappa_1) / (2 (kappa_2 - kappa_1)),
    up to O(1/kappa^2).  Declared: 1/kappa_1^2 for the O(1/kappa^2) terms at kappa_1 = 20.
    """
    ladder = (20.0, 40.0)
    assert abs(ladder_bias(ladder, power=0.5)) < 1 / 20**2
    secant = -math.log(2) / (2 * 20)
    assert ladder_bias(ladder, power=0.0) == pytest.approx(secant, abs=1 / 20**2)


def test_largest_curvature_against_the_full_hessian():
    network = MLP(hidden=2)
    data = permuted_digits(1, 20, seed=3)
    x, y = data.task(1)
    energy = TaskEnergy(network, x, y, Quadratic.isotropic(network.size, 0.05))
    theta = network.initial(4)

    def gradient(point):
        return energy.evaluate(point[None])[2][0]

    hessian = torch.autograd.functional.jacobian(gradient, theta[0], vectorize=True)
    eigenvalues = torch.linalg.eigvalsh(0.5 * (hessian + hessian.T))
    largest = float(eigenvalues.abs().max())
    assert largest_curvature(energy, theta, iterations=2000) == pytest.approx(largest, rel=1e-5)


def test_tiny_experiment_end_to_end():
    experiment = EWCNetworkExperiment(tasks=(1, 2, 3), strength=5.0, temperatures=(0.5, 1.0), runs=3, seed=2,
                                      hidden=2, samples=40, gap=0.05, step=0.05, max_steps=40)
    payload = run_experiment(experiment)
    assert payload["tasks"] == [1, 2, 3]
    assert [len(cells) for cells in payload["escape_times"]] == [2, 2, 2]
    for cells in payload["escape_times"]:
        for cell in cells:
            assert set(cell) >= {"mean", "stderr", "censored"} and 0 <= cell["censored"] <= 3
    assert len(payload["predicted_barrier"]) == 3 and all(b >= 0 for b in payload["predicted_barrier"])
    assert all(q >= 0 for q in payload["quadratic_estimate"])
    for key in ("barrier", "prefactor", "slope", "slope_stderr", "curvature", "curvature_stderr", "predicted_slope"):
        assert key in payload
    assert payload["temperature_ladders"] == [[0.5, 1.0]] * 3  # a fixed ladder: the same at every N
    assert payload["temperatures"] == [0.5, 1.0]
    assert run_experiment(experiment) == payload  # same seed, same numbers


def test_tiny_experiment_with_a_ladder_per_task():
    """Without temperatures each N's ladder is dU_pred(N) / kappa; the target lies gap below the first minimum."""
    experiment = EWCNetworkExperiment(tasks=(1, 2), strength=0.5, runs=3, seed=2, hidden=2, samples=40, gap=0.05,
                                      ladder=(1.0, 2.0), step=0.05, max_steps=40)
    payload = run_experiment(experiment)
    assert payload["threshold"] == pytest.approx(payload["minimum_loss"][0] - 0.05, rel=1e-12)
    for ladder, barrier in zip(payload["temperature_ladders"], payload["predicted_barrier"]):
        assert barrier > 0
        assert ladder == pytest.approx([barrier / 1.0, barrier / 2.0], rel=1e-12)


def kramers(*arguments):
    return subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("arguments, message", [
    (("--temperatures", "0.1"), "--temperatures"),
    (("--temperatures", "0.1,-2"), "--temperatures"),
    (("--lam", "0"), "--lam"),
    (("--runs", "1"), "--runs"),
    (("--tasks", "2.5"), "--tasks"),
    (("--report", "/nonexistent/dir/out"), "--report"),
    (("--ladder", "1,0"), "--ladder"),
    (("--temperatures", "0.1,0.2", "--ladder", "1,2"), "--temperatures"),
    (("--gap", "-0.1"), "--gap"),
])
def test_bad_input_is_one_line_and_exit_2(arguments, message):
    completed = kramers("network", "ewc", "--quick", *arguments)
    assert completed.returncode == 2
    assert message in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
    assert completed.stdout == ""


def test_help_does_not_import_torch():
    code = "import sys; from verify.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n" \
           "print('torch' in sys.modules, 'sklearn' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.stdout.strip().splitlines()[-1] == "False False"


@pytest.mark.slow
def test_network_barrier_check_passes():
    """The registered check (quick mode, about 35 s of CPU): measured barriers and slope within budget."""
    from verify import QUICK, run_checks

    (result,) = run_checks(["ewc_network_barriers"], QUICK)
    assert result.passed, [c.as_dict() for c in result.comparisons if not c.passed]
    assert len(result.comparisons) == 3 and all(c.budget.tolerance > 0 for c in result.comparisons)
