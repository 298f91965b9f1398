"""Temperature schedules: spec parsing, refusals, and every derivation against an independent result.

Independent results used here: hand-integrated closed forms (plateaus, budgets), the
hand-derived Laplace coefficients (below), tanh-sinh quadrature from mpmath, and
elementary facts about the rate k(T) = nu exp(-dU/T).

Hand derivation of the Laplace coefficients.  With x = (t - t0)/sigma, r = A/T_p and
q = 1 - exp(-x^2/2) = x^2/2 - x^4/8 + ..., the exponent is -dU/T_p - lambda phi(x),
phi = q/(1 - r q) = x^2/2 + (2r - 1) x^4/8 + O(x^6).  Then
int exp(-lambda phi) dx = sqrt(2 pi/lambda) (1 - 3 (2r - 1)/(8 lambda) + ...)
since <v^4> = 3 for a unit Gaussian.  For the exponential spike, q = 1 - exp(-x) =
x - x^2/2 + ..., phi = x + (r - 1/2) x^2 + ..., and int_0^inf exp(-lambda phi) dx =
(1/lambda)(1 - 2 (r - 1/2)/lambda + ...) since int w^2 e^{-w} dw = 2.
"""

import math

import mpmath
import pytest
import sympy

import theory
from theory import (
    AdiabaticEscape, Constant, EscapeProblem, ExponentialSpike, ExpressionPulse, GaussianSpike, InvalidParameter,
    Interval, Plateau, Potential, ScheduleSum, adiabatic_escape, best_pulse_height, derivation, design_pulse,
    optimal_pulse, parse_schedule, symbols,
)

t = symbols.t


def at(schedule, time):
    return float(schedule.temperature.subs(t, time))


def hand_rate(temperature, prefactor=1.0, barrier=1.0):
    return prefactor * math.exp(-barrier / temperature)


# ------------------------------------------------------------------ parsing
def test_each_kind_gives_its_temperature_in_the_canonical_t():
    plateau = parse_schedule("plateau:h=0.2,start=1,duration=5", "0.1")
    spike = parse_schedule("spike:A=0.5,t0=10,sigma=2", "0.1")
    decay = parse_schedule("expspike:A=0.5,t0=10,tau=2", "0.1")
    user = parse_schedule("expr:0.1+0.3*exp(-t/5)", "0.1")
    for schedule in (plateau, spike, decay, user):
        assert isinstance(schedule.temperature, sympy.Expr)
        assert schedule.temperature.free_symbols == {t}
    assert isinstance(plateau, Plateau) and isinstance(spike, GaussianSpike)
    assert isinstance(decay, ExponentialSpike) and isinstance(user, ExpressionPulse)
    assert [at(plateau, time) for time in (0.5, 1, 3, 6, 6.5)] == pytest.approx([0.1, 0.3, 0.3, 0.3, 0.1])
    assert at(spike, 12) == pytest.approx(0.1 + 0.5 * math.exp(-4 / 8))
    assert at(decay, 9.99) == pytest.approx(0.1) and at(decay, 12) == pytest.approx(0.1 + 0.5 * math.exp(-1))
    assert at(user, 5) == pytest.approx(0.2 + 0.3 * math.exp(-1))


def test_plus_splits_terms_only_before_a_kind_and_a_colon():
    schedule = parse_schedule("expr:0.1+0.3*exp(-t/5) + spike:A=1,t0=5,sigma=1+plateau:h=0.2,duration=3", "0.1")
    assert isinstance(schedule, ScheduleSum) and len(schedule.pulses) == 3
    hand = 0.1 + (0.1 + 0.3 * math.exp(-2 / 5)) + math.exp(-9 / 2) + 0.0
    assert at(schedule, 2) == pytest.approx(hand + 0.2)
    assert at(schedule, 4) == pytest.approx(0.1 + 0.1 + 0.3 * math.exp(-4 / 5) + math.exp(-1 / 2))


def test_schedule_objects_add_and_are_frozen():
    total = Plateau("0.1", "0.2", 0, 5) + GaussianSpike("0.1", "0.3", 10, 1)
    assert isinstance(total, ScheduleSum)
    assert at(total, 10) == pytest.approx(0.4)
    assert Constant("0.1") + Plateau("0.1", "0.2", 0, 5) == ScheduleSum((Plateau("0.1", "0.2", 0, 5),))
    with pytest.raises(Exception):
        total.terms = ()
    with pytest.raises(InvalidParameter, match="different baselines"):
        Plateau("0.1", "0.2", 0, 5) + Plateau("0.2", "0.2", 0, 5)


@pytest.mark.parametrize("spec, message", [
    ("", "empty schedule"),
    ("spike", "expected KIND:FIELDS"),
    ("bump:A=1", "unknown kind 'bump'"),
    ("spike:A=0.5,t0=10", "field 'sigma' is missing"),
    ("spike:A=0.5,t0=10,sigma=1,sigma=2", "field 'sigma' given twice"),
    ("spike:A=0.5,t0=10,width=1", "unknown field 'width'"),
    ("spike:A=0.5,t0=10,sigma", "expected FIELD=VALUE"),
    ("spike:A=0.5,t0=10,sigma=-1", "term 1 \\(spike\\).*sigma must be positive"),
    ("plateau:h=0.1,duration=0", "duration must be positive"),
    ("plateau:h=abc,duration=1", "term 1 \\(plateau\\) field h"),
    ("spike:A=0.5,t0=10,sigma=1+expspike:A=1,t0=0", "term 2 \\(expspike\\).*'tau' is missing"),
    ("expr:x+1", "unknown name 'x'"),
    ("expr:__import__('os')", "not allowed"),
])
def test_malformed_specs_are_refused_naming_the_term_and_field(spec, message):
    with pytest.raises(InvalidParameter, match=message):
        parse_schedule(spec, "0.1")


def test_a_non_positive_baseline_is_refused():
    with pytest.raises(InvalidParameter, match="baseline temperature T_0 must be positive"):
        parse_schedule("spike:A=0.5,t0=10,sigma=1", "0")


def test_a_schedule_that_reaches_zero_on_the_horizon_is_refused():
    dip = parse_schedule("spike:A=-0.2,t0=20,sigma=2", "0.1")
    with pytest.raises(InvalidParameter, match=r"T = -0.1 at t = 20"):
        AdiabaticEscape(dip, 1, 1, 40)
    ramp = parse_schedule("expr:-0.01*t", "0.1")
    AdiabaticEscape(ramp, 1, 1, 5)  # T >= 0.05 on [0, 5]
    with pytest.raises(InvalidParameter, match="must keep T > 0"):
        AdiabaticEscape(ramp, 1, 1, 20)  # T = 0 at t = 10
    shallow = parse_schedule("plateau:h=-0.05,start=1,duration=2", "0.1")
    AdiabaticEscape(shallow, 1, 1, 5)  # a dip that stays positive is allowed


@pytest.mark.parametrize("spec, message", [
    ("expr:1/(t-5)", "no finite real value at t = 5"),
    ("expr:sqrt(t-5)", "no finite real value at t = 0"),
    ("expr:log(t)", "not finite at t = 0"),
])
def test_poles_and_complex_values_are_refused(spec, message):
    with pytest.raises(InvalidParameter, match=message):
        AdiabaticEscape(parse_schedule(spec, "0.1"), 1, 1, 10)


# ------------------------------------------------------------------ budgets
def test_budgets_match_hand_integrals():
    with mpmath.workdps(30):
        assert Plateau("0.1", "0.2", 1, 5).budget(10) == pytest.approx(1.0, rel=1e-25)
        gaussian = GaussianSpike("0.1", "0.3", 20, 2).budget(40)  # +- 10 sigma inside
        assert float(gaussian) == pytest.approx(0.3 * 2 * math.sqrt(2 * math.pi), rel=1e-15)
        decay = ExponentialSpike("0.1", "0.5", 2, 3).budget(8)
        assert float(decay) == pytest.approx(0.5 * 3 * (1 - math.exp(-2)), rel=1e-15)
        user = parse_schedule("expr:0.3*exp(-t/5)", "0.1").budget(10)
        assert float(user) == pytest.approx(0.3 * 5 * (1 - math.exp(-2)), rel=1e-15)


# ------------------------------------------------------------------ plateau
PLATEAU = dict(nu=0.9, DeltaU=1.0, T_0=0.1, h=0.15, t_s=5.0, t_d=20.0, t_e=40.0)


def test_plateau_hazard_equals_the_hand_formula_and_quadrature():
    p = PLATEAU
    low, high = hand_rate(p["T_0"], p["nu"]), hand_rate(p["T_0"] + p["h"], p["nu"])
    hand = low * (p["t_e"] - p["t_d"]) + high * p["t_d"]
    closed = float(derivation("plateau_hazard").evaluate(**p))
    assert closed == pytest.approx(hand, rel=1e-14)
    schedule = Plateau("0.1", "0.15", 5, 20)
    temperature = sympy.lambdify(t, schedule.temperature, "mpmath")
    with mpmath.workdps(25):
        quadrature = mpmath.quad(lambda s: p["nu"] * mpmath.exp(-1 / temperature(s)), [0, 5, 25, 40])
    assert closed == pytest.approx(float(quadrature), rel=1e-13)


def test_plateau_hazard_refuses_a_window_shorter_than_the_plateau():
    with pytest.raises(InvalidParameter, match="t_d \\+ t_s <= t_e"):
        derivation("plateau_hazard").evaluate(**{**PLATEAU, "t_e": 10.0})


def test_plateau_mean_time_equals_the_hand_formula_and_the_engine():
    p = PLATEAU
    k0, k1 = hand_rate(p["T_0"], p["nu"]), hand_rate(p["T_0"] + p["h"], p["nu"])
    ts, td = p["t_s"], p["t_d"]
    hand = ((1 - math.exp(-k0 * ts)) / k0 + math.exp(-k0 * ts) * (1 - math.exp(-k1 * td)) / k1
            + math.exp(-k0 * ts - k1 * td) / k0)
    closed = derivation("plateau_mean_transition_time").evaluate(**{k: v for k, v in p.items() if k != "t_e"})
    assert float(closed) == pytest.approx(hand, rel=1e-12)
    engine = AdiabaticEscape(Plateau("0.1", "0.15", 5, 20), "0.9", 1, 40)
    mean, error = engine.mean_transition_time()
    assert float(mean) == pytest.approx(hand, rel=1e-12) and error < 1e-10 * mean
    assert float(engine.hazard()) == pytest.approx(k0 * 20 + k1 * 20, rel=1e-14)
    assert float(engine.transition_probability()) == pytest.approx(1 - math.exp(-(k0 * 20 + k1 * 20)), rel=1e-14)


def test_constant_schedule_has_the_exponential_law():
    engine = AdiabaticEscape(Constant("0.2"), 2, 1, 7)
    rate = hand_rate(0.2, 2)
    assert float(engine.hazard()) == pytest.approx(rate * 7, rel=1e-14)
    assert float(engine.mean_transition_time()[0]) == pytest.approx(1 / rate, rel=1e-13)


def test_engine_hazard_on_a_sum_matches_tanh_sinh():
    schedule = parse_schedule("spike:A=0.2,t0=12,sigma=1.5+expspike:A=0.1,t0=20,tau=2+expr:0.01*sin(t)", "0.1")
    engine = AdiabaticEscape(schedule, "0.9", 1, 40, digits=14)
    temperature = sympy.lambdify(t, schedule.temperature, "mpmath")
    with mpmath.workdps(25):
        points = [0, 6, 10, 12, 14, 18, 20, 22, 28, 40]
        reference = mpmath.quad(lambda s: 0.9 * mpmath.exp(-1 / temperature(s)), points)
    assert float(engine.hazard()) == pytest.approx(float(reference), rel=1e-12)


def test_the_general_derivations_state_the_integrals():
    hazard = derivation("adiabatic_hazard").expression
    assert isinstance(hazard, sympy.Integral) and hazard.free_symbols >= {t}
    probability = derivation("transition_probability").expression
    assert probability == 1 - sympy.exp(-hazard)
    mean = derivation("mean_transition_time")
    assert mean.expression.has(sympy.Integral)
    # the tail term: with no hazard in the window (nu -> rate at T_0 constant), tail = e^{dU/T_0}/nu
    tail = [term for term in mean.expression.args if not isinstance(term, sympy.Integral)][0]
    nu, T_0 = theory._schedules.nu, theory._schedules.T_0
    check = tail.replace(lambda e: isinstance(e, sympy.Integral), lambda e: 0).subs({nu: 2, symbols.DeltaU: 1, T_0: 1})
    assert float(check) == pytest.approx(math.e / 2)


# ------------------------------------------------------------------ Laplace
def test_gaussian_laplace_leading_term_is_the_textbook_formula():
    values = dict(nu=0.7, DeltaU=2, T_p=0.2, A=0.15, sigma=2.5)
    hand = 0.7 * math.exp(-2 / 0.2) * math.sqrt(2 * math.pi) * 2.5 * 0.2 / math.sqrt(2 * 0.15)
    assert float(derivation("gaussian_spike_laplace").evaluate(**values)) == pytest.approx(hand, rel=1e-14)
    lam, r = 2 * 0.15 / 0.2**2, 0.15 / 0.2
    corrected = float(derivation("gaussian_spike_laplace_corrected").evaluate(**values))
    assert corrected == pytest.approx(hand * (1 - 3 * (2 * r - 1) / (8 * lam)), rel=1e-14)


def test_exponential_laplace_matches_the_hand_coefficients():
    values = dict(nu=0.7, DeltaU=2, T_p=0.2, A=0.15, tau_d=2.5)
    hand = 0.7 * math.exp(-2 / 0.2) * 2.5 * 0.2**2 / (2 * 0.15)
    assert float(derivation("exponential_spike_laplace").evaluate(**values)) == pytest.approx(hand, rel=1e-14)
    lam, r = 2 * 0.15 / 0.2**2, 0.15 / 0.2
    corrected = float(derivation("exponential_spike_laplace_corrected").evaluate(**values))
    assert corrected == pytest.approx(hand * (1 - 2 * (r - 0.5) / lam), rel=1e-14)


@pytest.mark.parametrize("shape", ["gaussian", "exponential"])
def test_laplace_error_is_within_the_declared_next_term(shape):
    # lambda = 50, deep in the regime: |exact/corrected - 1| <= 2 |c_2| / lambda^2
    barrier, peak, amplitude, width = 1.0, 0.016, 0.0128, 1.5
    lam = barrier * amplitude / peak**2
    assert lam == pytest.approx(50)
    values = dict(nu=1, DeltaU=barrier, T_p=peak, A=amplitude, **({"sigma": width} if shape == "gaussian"
                                                                   else {"tau_d": width}))
    corrected = derivation(f"{shape}_spike_laplace_corrected")
    with mpmath.workdps(30):
        base = peak - amplitude
        rate = lambda T: mpmath.exp(-barrier / T)  # noqa: E731
        if shape == "gaussian":
            exact = mpmath.quad(lambda u: rate(base + amplitude * mpmath.exp(-u**2 / (2 * width**2))) - rate(base),
                                [-mpmath.inf, -width, 0, width, mpmath.inf])
        else:
            exact = mpmath.quad(lambda u: rate(base + amplitude * mpmath.exp(-u / width)) - rate(base),
                                [0, width, 10 * width, mpmath.inf])
    declared = float(corrected.validity.error_order.subs(
        {theory._schedules.schedule_symbols[k]: v for k, v in values.items() if k != "DeltaU"}
        | {symbols.DeltaU: barrier}))
    error = abs(float(exact) / float(corrected.evaluate(**values)) - 1)
    assert error <= 2 * declared
    assert error > declared / 10  # the declared order is the real one, not a loose bound


QUARTIC = Potential.from_string("(x**2-1)**2")


def quartic_escape(spec, horizon, **options):
    """adiabatic_escape of (x^2-1)^2 from -1 over the barrier at 0 towards 1, at T0 = 0.1 plus ``spec``."""
    return adiabatic_escape(EscapeProblem(QUARTIC, -1, 1, parse_schedule(spec, "0.1"), **options), horizon)


def test_engine_laplace_hazard_only_for_spikes_inside_the_window():
    inside, _ = quartic_escape("spike:A=0.2,t0=20,sigma=2", 40)
    total, error = inside.laplace_hazard()
    assert abs(total - inside.hazard()) <= 2 * error
    cut, _ = quartic_escape("spike:A=0.2,t0=5,sigma=2", 40)
    assert cut.laplace_hazard() is None
    assert quartic_escape("spike:A=0.2,t0=20,sigma=2+spike:A=0.1,t0=24,sigma=2", 60)[0].laplace_hazard() is None
    assert quartic_escape("plateau:h=0.1,start=1,duration=3", 40)[0].laplace_hazard() is None


# ------------------------------------------------------------------ design
def test_convexity_threshold_is_half_the_barrier():
    assert derivation("convexity_threshold").expression == symbols.DeltaU / 2
    # independently: k'' changes sign there
    k2 = lambda T: mpmath.diff(lambda s: mpmath.exp(-1.0 / s), T, 2)  # noqa: E731
    assert k2(0.49) > 0 > k2(0.51)


def test_tangent_condition_and_best_height():
    barrier, baseline = 1.0, 0.1
    best = float(best_pulse_height(barrier, baseline))
    k = lambda T: math.exp(-barrier / T)  # noqa: E731
    dk = lambda T: barrier / T**2 * k(T)  # noqa: E731
    T = baseline + best
    assert dk(T) * best == pytest.approx(k(T) - k(baseline), rel=1e-12)  # the tangent through (T0, k(T0))
    assert T > barrier / 2  # the tangent point lies in the concave region
    residual = derivation("pulse_tangent_condition").evaluate(h=best, nu=1, DeltaU=barrier, T_0=baseline)
    assert abs(float(residual)) < 1e-15
    gain = lambda h: (k(baseline + h) - k(baseline)) / h  # noqa: E731  (per unit budget)
    heights = [0.05, 0.2, 0.4, best * 0.99, best, best * 1.01, 1.5, 3]
    gains = [gain(h) for h in heights]
    assert max(gains) == gain(best)
    assert gains[:5] == sorted(gains[:5])  # concentrating beats spreading below h*


def test_above_the_threshold_spreading_is_best():
    assert best_pulse_height(1, "0.5") is None and best_pulse_height(1, "0.7") is None
    design = design_pulse(1, "0.7", 2, 100)
    assert design.height is None and design.gain_ratio == 1
    k = lambda T: math.exp(-1 / T)  # noqa: E731
    gain = lambda h: (k(0.7 + h) - k(0.7)) / h  # noqa: E731
    assert gain(0.01) > gain(0.1) > gain(1)


def test_design_against_spreading_over_the_window():
    design = design_pulse(1, "0.1", 2, 100)
    k = lambda T: math.exp(-1 / T)  # noqa: E731
    h = float(design.height)
    assert float(design.gain) == pytest.approx(2 / h * (k(0.1 + h) - k(0.1)), rel=1e-14)
    assert float(design.spread_gain) == pytest.approx(2 / 0.02 * (k(0.12) - k(0.1)), rel=1e-14)
    assert float(design.duration) == pytest.approx(2 / h)


def test_validity_flags_carry_their_numbers():
    _, slow = quartic_escape("spike:A=0.1,t0=20,sigma=2", 40)  # U''(-1) = 8: relaxation 1/8
    assert slow["relaxation_time"] == pytest.approx(0.125)
    assert slow["adiabatic_number"] == pytest.approx(16) and slow["adiabatic_ok"]
    assert slow["arrhenius_number"] == pytest.approx(5) and slow["arrhenius_ok"]
    _, fast = quartic_escape("spike:A=0.2,t0=20,sigma=0.5", 40)
    assert fast["adiabatic_number"] == pytest.approx(4) and not fast["adiabatic_ok"]
    assert fast["arrhenius_number"] == pytest.approx(1 / 0.3) and not fast["arrhenius_ok"]


def test_adiabatic_escape_reads_everything_from_the_problem():
    """U = a (x^2-1)^2 with a = 3/2, gamma = 1/2, a plateau over T0 = 1/5: the closed forms by hand.

    dU = a, U''(-1) = 8a = 12, U''(0) = -4a = -6: nu = sqrt(72)/(2 pi gamma) = 6 sqrt(2)/pi,
    relaxation gamma/U''(-1) = 1/24; H = nu (t_d e^{-dU/(T0+h)} + (t_e - t_d) e^{-dU/T0}).
    """
    potential = Potential.from_string("a*(x**2-1)**2", parameters={"a": "3/2"})
    plateau = Plateau("1/5", "1/10", 2, 6)
    problem = EscapeProblem(potential, -1, 1, plateau, friction=0.5)
    with mpmath.workdps(30):
        engine, flags = adiabatic_escape(problem, 20, digits=20)
        nu, barrier = 6 * mpmath.sqrt(2) / mpmath.pi, mpmath.mpf(3) / 2
        hazard = nu * (6 * mpmath.exp(-barrier / mpmath.mpf("0.3")) + 14 * mpmath.exp(-barrier / mpmath.mpf("0.2")))
        assert engine.schedule is plateau
        assert abs(engine.prefactor / nu - 1) < 1e-25 and abs(engine.barrier - barrier) < 1e-25
        assert abs(engine.hazard() / hazard - 1) < 1e-18
        # the old call shape (schedule, prefactor and barrier by hand) gives the same numbers
        by_hand = AdiabaticEscape(plateau, nu, barrier, 20, digits=20)
        assert abs(engine.mean_transition_time()[0] / by_hand.mean_transition_time()[0] - 1) < 1e-18
    assert flags["relaxation_time"] == pytest.approx(1 / 24, rel=1e-15)
    assert flags["time_scale"] == 6 and flags["peak_temperature"] == pytest.approx(0.3)


def test_a_constant_temperature_problem_escapes_at_the_constant_rate():
    """T = 0.1 on the quartic: H = k t_e and the mean transition time 1/k exactly (the tail included)."""
    engine, flags = adiabatic_escape(EscapeProblem(QUARTIC, -1, 1, 0.1), 40)
    rate = math.sqrt(32) / (2 * math.pi) * math.exp(-10)
    assert float(engine.hazard()) == pytest.approx(40 * rate, rel=1e-14)
    assert float(engine.mean_transition_time()[0]) == pytest.approx(1 / rate, rel=1e-14)
    assert engine.schedule == Constant("0.1") and flags["time_scale"] == math.inf


@pytest.mark.parametrize("problem, parameter, message", [
    (EscapeProblem(QUARTIC, -1, 1, sympy.Rational(1, 10) + t / 100), "temperature", "needs a baseline T_0"),
    (EscapeProblem(QUARTIC, -1, 1, 0.1, mass=1.0), "mass", "overdamped Kramers rate"),
    (EscapeProblem(QUARTIC, 0, Interval(-1.5, 1.5), 0.1), "absorbing", "needs a half-line"),
    (QUARTIC, "problem", "must be a theory.EscapeProblem"),
])
def test_adiabatic_escape_refuses_what_it_does_not_solve(problem, parameter, message):
    with pytest.raises(InvalidParameter, match=message) as error:
        adiabatic_escape(problem, 40)
    assert error.value.parameter == parameter


def test_optimal_pulse_reads_friction_and_the_exact_baseline_from_the_problem():
    """T0 = 1/7, gamma = 0.3 on the quartic: nu = sqrt(32)/(0.6 pi), relaxation 0.3/8; the regime's edge
    T0 + h = dU/4 lies below h*, so the regime height is 1/4 - 1/7, and its gain G(h) is by hand."""
    design, numbers = optimal_pulse(EscapeProblem(QUARTIC, -1, 1, Constant("1/7"), friction=0.3), 2, 100)
    nu = math.sqrt(32) / (0.6 * math.pi)
    assert numbers["prefactor"] == pytest.approx(nu, rel=1e-15) and numbers["barrier"] == 1.0
    assert numbers["relaxation_time"] == pytest.approx(0.0375, rel=1e-15)
    by_hand = design_pulse(1, sympy.Rational(1, 7), 2, 100, prefactor=sympy.sqrt(32) / (sympy.Rational(6, 10) * sympy.pi))
    assert abs(design.height / by_hand.height - 1) < 1e-18 and abs(design.gain / by_hand.gain - 1) < 1e-18
    k = lambda T: nu * math.exp(-1 / T)  # noqa: E731
    regime = 0.25 - 1 / 7
    assert numbers["regime_height"] == pytest.approx(regime, rel=1e-14)
    assert numbers["regime_gain"] == pytest.approx(2 / regime * (k(1 / 7 + regime) - k(1 / 7)), rel=1e-12)
    assert numbers["baseline_hazard"] == pytest.approx(100 * k(1 / 7), rel=1e-14)
    assert numbers["peak_temperature"] == pytest.approx(1 / 7 + float(design.height), rel=1e-15)
    assert numbers["adiabatic_number"] == pytest.approx(2 / float(design.height) / 0.0375, rel=1e-14)
    assert numbers["arrhenius_ok"] is False


def test_optimal_pulse_starts_from_a_constant_temperature():
    with pytest.raises(InvalidParameter, match="starts from a constant temperature") as error:
        optimal_pulse(EscapeProblem(QUARTIC, -1, 1, parse_schedule("spike:A=0.1,t0=5,sigma=1", "0.1")), 2, 100)
    assert error.value.parameter == "temperature"
    with pytest.raises(InvalidParameter, match="overdamped") as error:
        optimal_pulse(EscapeProblem(QUARTIC, -1, 1, 0.1, mass=1.0), 2, 100)
    assert error.value.parameter == "mass"


def test_the_old_call_shape_is_gone():
    with pytest.raises(TypeError):
        adiabatic_escape(QUARTIC, -1, 1, Constant("0.1"), 40)  # one call shape: the problem


def test_every_schedule_derivation_is_catalogued_and_exports_latex():
    names = ["adiabatic_hazard", "transition_probability", "mean_transition_time", "thermal_budget",
             "plateau_hazard", "plateau_mean_transition_time", "gaussian_spike_laplace",
             "gaussian_spike_laplace_corrected", "exponential_spike_laplace", "exponential_spike_laplace_corrected",
             "convexity_threshold", "pulse_gain", "pulse_tangent_condition"]
    for name in names:
        item = derivation(name)
        assert rf"\label{{eq:{name}}}" in item.latex()
        assert item.references
