"""Geometry and Resource simulators: against the closed forms, against each other, and reproducible."""

import math

import numba
import numpy as np
import pytest

from numerics import eta_effective, geometry_model, learning_times, power_law_frequencies, resource_model, task_vectors
from theory import InvalidParameter, skills

THETA = 0.9
Z = 4.0


def test_power_law_and_task_vectors():
    p = power_law_frequencies(4, 2)
    assert p == pytest.approx(np.array([1, 1 / 4, 1 / 9, 1 / 16]) / (1 + 1 / 4 + 1 / 9 + 1 / 16))
    vectors = task_vectors(5, 50, seed=3)
    assert vectors @ vectors.T == pytest.approx(np.eye(5), abs=1e-12)
    random = task_vectors(5, 50, orthonormal=False, seed=3)
    assert np.linalg.norm(random, axis=1) == pytest.approx(np.ones(5))
    assert not np.array_equal(task_vectors(5, 50, seed=3, run=1), vectors)


def test_resource_map_with_separated_frequencies_is_the_domino_model():
    eta, n = 0.02, 4
    levels = resource_model(1000.0 ** -np.arange(n), eta=eta, wasted=0.0, steps=260)
    times = learning_times(levels, THETA)
    for k in range(n):
        domino = float(skills.domino_learning_time().evaluate(i=k + 1, t_0=1 / eta, theta=THETA))
        leak = (k + 1) / eta * math.log(10) / 1000  # the 1/r leak into later skills
        assert abs(times[k] - domino) <= leak + 1  # + one whole step
    # total mass: exact until the first clip
    for step in (10, 40):
        assert (1 - levels[step]).sum() == pytest.approx(n - eta * step, abs=1e-12)


def test_resource_map_converges_to_the_two_task_closed_form():
    ratio, wasted = 10.0, 0.003
    closed = float(skills.resource_time_ratio().evaluate(r=ratio, N_0=wasted, theta=THETA))
    p = [ratio / (1 + ratio), 1 / (1 + ratio)]
    errors = []
    for eta in (0.004, 0.001):
        t1, t2 = learning_times(resource_model(p, eta=eta, wasted=wasted, steps=int(3 / eta)), THETA)
        errors.append(abs(t2 / t1 - closed))
    assert errors[1] < errors[0] / 2 and errors[1] < 2e-3  # Euler scheme: first order in eta


def test_gate_delays_the_composite_but_not_the_total():
    eta = 0.01
    plain = resource_model([1 / 3] * 3, eta=eta, wasted=0.0, steps=320)
    gated = resource_model([1 / 3] * 3, eta=eta, wasted=0.0, steps=320, prerequisites={2: (0, 1)})
    t_plain, t_gated = learning_times(plain, THETA), learning_times(gated, THETA)
    assert t_gated[2] > max(t_gated[:2]) and t_gated[2] > t_plain[2]
    for levels in (plain, gated):
        assert int(np.argmax(np.all(levels >= 1, axis=1))) == pytest.approx(3 / eta, abs=1)


def test_geometry_sgd_learning_times_match_the_closed_form():
    ratio, lr, runs = 10.0, 3e-2, 8
    p = [ratio / (1 + ratio), 1 / (1 + ratio)]
    run = geometry_model(p, d=200, steps=900, learning_rate=lr, optimizer="sgd", runs=runs, seed=5, vectors_per_run=True)
    times = run.learning_times(THETA)
    for k in range(2):
        predicted = float(skills.sgd_learning_time().evaluate(lr=lr, p_i=p[k], theta=THETA))
        stderr = times[:, k].std(ddof=1) / math.sqrt(runs)
        assert abs(times[:, k].mean() - predicted) <= Z * stderr + predicted * lr * p[k] / 2 + 1


def test_geometry_signgd_ratio_matches_the_arc_length_law():
    ratio, runs = 10.0, 8
    run = geometry_model([ratio / (1 + ratio), 1 / (1 + ratio)], d=1000, steps=300, batch=1024, runs=runs, seed=9,
                         vectors_per_run=True)
    times = run.learning_times(THETA)
    ratios = times[:, 1] / times[:, 0]
    law = float(skills.signgd_time_ratio().evaluate(r=ratio, theta=THETA))
    rounding = law * (1 / times[:, 0].mean() + 1 / times[:, 1].mean())
    assert abs(ratios.mean() - law) <= Z * ratios.std(ddof=1) / math.sqrt(runs) + rounding


def test_same_seed_same_numbers_any_threads_and_chunks():
    p = power_law_frequencies(5, 2)
    options = dict(d=64, steps=120, batch=16, noise=1e-3, seed=4, vectors_per_run=True)
    whole = geometry_model(p, runs=4, **options).skills
    numba.set_num_threads(1)
    try:
        single = geometry_model(p, runs=4, **options).skills
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    chunks = np.concatenate([geometry_model(p, runs=2, first_run=first, **options).skills for first in (0, 2)])
    assert np.array_equal(whole, single) and np.array_equal(whole, chunks)
    other = geometry_model(p, runs=4, **{**options, "seed": 5}).skills
    assert not np.array_equal(whole, other)


def test_recording_fewer_steps_changes_no_number():
    """Between recorded steps only the sampled tasks are projected (row order); the levels kept are the same."""
    for alpha, n in ((2.0, 200), (0.5, 30)):  # few distinct tasks per batch (row order), and many (column order)
        p = power_law_frequencies(n, alpha)
        options = dict(d=21, steps=150, batch=64, optimizer="adam", loss="ce", orthonormal=False, runs=2, seed=9,
                       vectors_per_run=True, learning_rate=0.02)
        every = geometry_model(p, **options)
        kept = [3, 40, 41, 149, 150]
        sparse = geometry_model(p, record=kept, **options)
        assert np.array_equal(sparse.skills, every.skills[:, kept]) and list(sparse.recorded) == kept
        assert np.array_equal(sparse.losses(), every.losses()[:, kept])
    with pytest.raises(InvalidParameter, match="record"):
        geometry_model(p, record=[5, 5], **options)


def test_scaling_tasks_give_the_same_curves_in_any_chunks():
    from numerics import GeometryScalingTasks

    tasks = tuple((alpha, d, r) for alpha in (1.0, 2.0) for d in (6, 12) for r in range(3))
    sweep = GeometryScalingTasks(tasks, steps=40, recorded=(4, 20, 40), n=30, batch=32)
    whole = np.array(sweep(0, len(tasks)))
    assert whole.shape == (12, 3)
    for size in (1, 5):
        pieces = [curve for first in range(0, len(tasks), size) for curve in sweep(first, min(size, len(tasks) - first))]
        assert np.array_equal(np.array(pieces), whole)
    alone = geometry_model(power_law_frequencies(30, 2.0), d=12, steps=40, learning_rate=0.01, batch=32,
                           optimizer="adam", loss="ce", orthonormal=False, seed=2012, first_run=1,
                           vectors_per_run=True)
    assert np.array_equal(alone.losses()[0, [4, 20, 40]], whole[10])


@pytest.mark.parametrize("optimizer", ["adam", "signgd", "sgd"])
def test_cross_entropy_skills_rise_towards_one(optimizer):
    lr = 0.3 if optimizer == "sgd" else 3e-3
    run = geometry_model([0.7, 0.3], d=100, steps=400, learning_rate=lr, optimizer=optimizer, loss="ce", seed=1)
    assert run.skills[0, 0] == pytest.approx([0.5, 0.5])
    assert np.all(run.skills[0, -1] > 0.8)
    assert np.all(np.diff(run.losses()[0][::50]) < 0)


def test_resource_cross_entropy_and_coupling():
    levels = resource_model([0.5, 0.5], eta=0.05, wasted=0.01, loss="ce", steps=200)
    assert levels[0] == pytest.approx([0.5, 0.5]) and np.all(levels[-1] > 0.9)
    coupled = resource_model([0.5, 0.5], eta=0.01, wasted=0.01, steps=50, coupling=np.eye(2))
    plain = resource_model([0.5, 0.5], eta=0.01, wasted=0.01, steps=50)
    assert np.array_equal(coupled, plain)


@pytest.mark.parametrize("call", [
    lambda: geometry_model([0.5, 0.5], optimizer="lion"),
    lambda: geometry_model([0.5, 0.5], learning_rate=-1),
    lambda: geometry_model([0.5, -0.5]),
    lambda: geometry_model([0.5] * 5, d=3),
    lambda: resource_model([0.5, 0.5], eta=0.1, wasted=-1),
    lambda: resource_model([0.5, 0.5], eta=0.1, prerequisites={0: (0,)}),
    lambda: resource_model([0.5, 0.5], eta=0.1, prerequisites={0: ((1, 1),)}),
    lambda: resource_model([0.5, 0.5], eta=0.1, wasted=0.0, loss="ce"),
])
def test_bad_input_is_refused(call):
    with pytest.raises(InvalidParameter):
        call()


def test_eta_effective_is_the_authors_calibration():
    assert eta_effective(3e-4, 1000) == pytest.approx(2 * 3e-4 * math.sqrt(1000))


def test_or_gate_is_the_larger_and_and_gate_the_product():
    from numerics import learning_times, resource_model

    # X3 = X1 OR X2 opens as soon as the frequent X1 is learned; X3 = X1 AND X2 waits for X2 too
    p, eta = [1.0, 0.001, 1.0], 1e-3
    either = learning_times(resource_model(p, eta=eta, steps=4000, prerequisites={2: ((0, 1),)},
                                           gate_exponent=1e-9), 0.9)
    both = learning_times(resource_model(p, eta=eta, steps=4000, prerequisites={2: (0, 1)},
                                         gate_exponent=1e-9), 0.9)
    assert either[2] < either[1] and both[2] > both[1]
