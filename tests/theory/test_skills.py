"""Skill-learning derivations against independent results: ODE solutions, quadrature, hand limits, Monte Carlo."""

import math

import numpy as np
import pytest
import sympy
from scipy.integrate import quad, solve_ivp

from theory import DERIVATIONS, REFERENCES, derivation, skills

THETA = 0.9


def two_task_flow(ratio, wasted, eta=1.0):
    """Learning times of the flow (1) for p = (r, 1)/(1 + r), integrated by an adaptive Runge-Kutta solver."""
    p = np.array([ratio, 1.0]) / (1 + ratio)

    def flow(_, l):
        w = p * np.maximum(l, 0)
        return -eta * w / (w.sum() + wasted)

    events = []
    for k in range(2):
        def crossing(_, l, k=k):
            return l[k] - (1 - THETA)
        crossing.terminal = k == 1
        events.append(crossing)
    with np.errstate(under="ignore"):  # the solver's step-size control underflows harmlessly
        solution = solve_ivp(flow, (0, 10), [1.0, 1.0], events=events, rtol=1e-11, atol=1e-13, dense_output=True)
    return solution.t_events[0][0], solution.t_events[1][0], solution


def test_every_skill_derivation_is_catalogued_with_latex_and_references():
    for name in skills.SKILL_DERIVATIONS:
        assert name in DERIVATIONS
        result = derivation(name)
        assert result.references and all(key in REFERENCES for key in result.references)
        assert r"\begin{equation}" in result.latex()
    assert "Liu2025skills" in REFERENCES and "Michaud2023quanta" in REFERENCES


@pytest.mark.parametrize("ratio, wasted", [(10.0, 0.0), (10.0, 0.003), (40.0, 0.01), (1.0, 0.05)])
def test_resource_time_ratio_matches_the_integrated_flow(ratio, wasted):
    t1, t2, _ = two_task_flow(ratio, wasted)
    closed = float(skills.resource_time_ratio().evaluate(r=ratio, N_0=wasted, theta=THETA))
    # the solver's tolerance 1e-11 is the whole budget
    assert closed == pytest.approx(t2 / t1, rel=1e-7)


def test_invariant_curve_and_time_along_it_match_the_flow():
    ratio, wasted = 5.0, 0.02
    _, _, solution = two_task_flow(ratio, wasted)
    time = skills.resource_two_task_time()
    for when in (0.3, 0.8, 1.2):
        l1, l2 = solution.sol(when)
        assert l1 == pytest.approx(float(skills.resource_two_task_invariant().evaluate(l_2=l2, r=ratio)), rel=1e-7)
        predicted = time.evaluate(l_2=l2, r=ratio, N_0=wasted, p_2=1 / (1 + ratio), eta=1)
        assert float(predicted) == pytest.approx(when, rel=1e-7)


def test_domino_limit_is_one_plus_theta_over_theta_and_two_at_completion():
    limit = skills.domino_time_ratio()
    assert float(limit.evaluate(theta=THETA)) == pytest.approx(1.9 / 0.9, rel=1e-14)
    assert sympy.limit(limit.expression, skills.theta, 1) == 2
    # the closed form approaches the limit as r grows, and the declared 1/r term bounds the gap
    for ratio in (100.0, 1000.0):
        gap = abs(float(skills.resource_time_ratio().evaluate(r=ratio, N_0=0, theta=THETA)) - 1.9 / 0.9)
        declared = float(limit.validity.error_order.subs({skills.theta: THETA, skills.r: ratio}))
        assert gap <= declared
        assert gap >= declared / 2  # it is the leading term, not a loose bound


def test_domino_curve_times_and_total():
    curve = skills.domino_skill_curve()
    eta = 0.02
    for i, t, expected in ((1, 25, 0.5), (3, 100, 0.0), (3, 125, 0.5), (3, 200, 1.0)):
        assert float(curve.evaluate(eta=eta, i=i, t=t)) == pytest.approx(expected, abs=1e-14)
    assert float(skills.domino_learning_time().evaluate(i=3, t_0=50, theta=THETA)) == pytest.approx(145.0)
    assert float(skills.domino_learning_time().evaluate(i=4, t_0=50, theta=1)) == pytest.approx(200.0)
    assert float(skills.domino_total_time().evaluate(n=7, t_0=50)) == pytest.approx(350.0)


def test_mass_decay_and_flow():
    assert sympy.simplify(skills.resource_mass_decay().expression - (skills.n - skills.eta * sympy.Symbol("t", real=True))) == 0
    flow = skills.resource_flow()
    assert float(flow.evaluate(eta=0.1, p_i=0.5, l_i=0.4, W=0.3, N_0=0.1)) == pytest.approx(-0.1 * 0.2 / 0.4)


def test_compositional_gate_limits():
    gate = skills.compositional_gate()
    assert float(gate.evaluate(l_1=1, l_2=0.2, a=2)) == 0
    assert float(gate.evaluate(l_1=0, l_2=0, a=2)) == 1
    assert float(gate.evaluate(l_1=0.5, l_2=0.5, a=1)) == pytest.approx(0.25)


def test_sgd_times_and_ratio():
    assert float(skills.sgd_learning_time().evaluate(lr=0.03, p_i=0.5, theta=THETA)) == pytest.approx(
        math.log(10) / 0.015, rel=1e-14)
    assert float(skills.sgd_time_ratio().evaluate(p_1=0.8, p_2=0.2)) == pytest.approx(4.0)


def test_signgd_ratio_against_independent_quadrature_and_its_domino_limit():
    def arc(v, r):
        return math.sqrt(1 + r * r * v ** (2 * r - 2))

    for ratio in (3.0, 10.0):
        knee = 0.1 ** (1 / ratio)
        expected = (quad(arc, 0.1, knee, args=(ratio,), epsabs=1e-13)[0] + quad(arc, knee, 1, args=(ratio,))[0]) \
            / quad(arc, knee, 1, args=(ratio,), epsabs=1e-13)[0]
        assert float(skills.signgd_time_ratio().evaluate(r=ratio, theta=THETA)) == pytest.approx(expected, rel=1e-9)
    assert float(skills.signgd_time_ratio().evaluate(r=2000.0, theta=THETA)) == pytest.approx(1.9 / 0.9, rel=1e-2)


def test_signgd_speed_against_monte_carlo():
    rng = np.random.default_rng(7)
    w = np.array([0.6, 0.3, 0.1])
    z = rng.standard_normal((400_000, 3))
    samples = z[:, 0] * np.sign(z @ w)
    speed = float(skills.signgd_speed().evaluate(lr=1, d=10_000, w_i=w[0], w_norm=np.linalg.norm(w))) / 100
    assert samples.mean() == pytest.approx(speed, abs=4 * samples.std() / math.sqrt(samples.size))


@pytest.mark.parametrize("alpha", [1.5, 2.0, 3.0])
def test_scaling_exponents(alpha):
    assert float(skills.domino_loss_exponent().evaluate(alpha=alpha)) == pytest.approx(alpha - 1)
    assert float(skills.quanta_parameter_exponent().evaluate(alpha=alpha)) == pytest.approx(alpha - 1)
    assert float(skills.quanta_step_exponent().evaluate(alpha=alpha)) == pytest.approx((alpha - 1) / alpha)
