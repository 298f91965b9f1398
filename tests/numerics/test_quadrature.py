"""Exit-time statistics by panel quadrature against check values, closed forms and independent mpmath.

Independent results: the check values of the quartic double well (computed
with mpmath tanh-sinh to 30 digits), hand-derived closed forms for free
diffusion and a linear potential on an interval, the Kramers asymptotics
with their first correction at a barrier of 1000 T, and theory's nested
tanh-sinh quadrature (:func:`theory.mean_first_passage_time`).  Every
comparison is held to the quadrature's own error estimate, so the estimate
is tested as well as the value.
"""

import math

import mpmath
import pytest

from numerics import exit_time_statistics
from theory import InvalidParameter, Potential, kramers_escape, mean_first_passage_time

QUARTIC = Potential.from_string("(x**2-1)**2")
FREE = Potential.from_string("0*x")


@pytest.mark.parametrize(
    "temperature, target, check_value",
    [(0.5, 1, "10.2585700672"), (0.25, 1, "69.2636447608"), (0.5, 0, "4.60653961311")],
)
def test_check_values_of_the_quartic_well(temperature, target, check_value):
    result = exit_time_statistics(QUARTIC, -1, target, temperature)
    assert result.precision == "double" and result.mfpt_error < 1e-14
    assert result.mfpt == pytest.approx(float(check_value), rel=5e-12)  # the check value has 12 digits
    assert result.decimal().startswith(check_value[:-1])


@pytest.mark.parametrize("ratio", [2, 200])
def test_double_precision_within_its_estimate_of_thirty_digits(ratio):
    double = exit_time_statistics(QUARTIC, -1, 1, 1 / ratio, moments=2)
    many = exit_time_statistics(QUARTIC, -1, 1, 1 / ratio, moments=2, digits=30)
    assert many.precision == "mpmath" and many.mfpt_error < 1e-30
    assert abs(double.log_mfpt - float(many.log_mfpt)) <= double.mfpt_error
    assert abs(double.log_variance - float(many.log_variance)) <= double.variance_error


def test_many_digits_agree_with_theory_tanh_sinh_quadrature():
    # theory.mean_first_passage_time: nested mpmath tanh-sinh, split at the stationary points (independent).
    # Rational inputs: it reads decimal strings as 15-digit floats (30.671956667920780231 for "0.3", "-1.2";
    # the exact value, also by plain nested mpmath.quad at 30 digits, is 30.6719566679207780505724161863).
    independent = mean_first_passage_time(QUARTIC, "-1/2", "7/10", "3/10", reflect="-6/5", digits=17)
    panels = exit_time_statistics(QUARTIC, "-1/2", "7/10", "3/10", reflect="-6/5", digits=25)
    with mpmath.workdps(30):
        assert mpmath.nstr(mpmath.exp(panels.log_mfpt), 25) == "30.67195666792077805057242"
        assert abs(panels.log_mfpt - mpmath.log(independent.value)) < mpmath.mpf(10) ** -16


def test_free_diffusion_on_an_interval():
    # U = 0, absorbing at A and B, D = T/gamma; hand solutions of D u'' = -f:
    # pi_R = (x-A)/l, T1 = (x-A)(B-x)/(2D), T2 = (x-A)(B-x)(l^2 + (x-A)(B-x))/(12 D^2),
    # T_R = (l^2 - (x-A)^2)/(6D), T_L = (l^2 - (B-x)^2)/(6D), l = B - A
    A, x, B, temperature, friction = -1.0, 0.2, 2.0, 0.3, 2.0
    D, l, p, q = temperature / friction, B - A, x - A, B - x
    result = exit_time_statistics(FREE, x, B, temperature, friction=friction, absorb=A, moments=2)
    first = p * q / (2 * D)
    second = p * q * (l**2 + p * q) / (12 * D**2)
    assert result.splitting_right == pytest.approx(p / l, rel=result.splitting_error / result.splitting_right)
    assert result.mfpt == pytest.approx(first, rel=result.mfpt_error)
    assert result.variance == pytest.approx(second - first**2, rel=result.variance_error)
    assert result.conditional_mfpt_right == pytest.approx((l**2 - p**2) / (6 * D), rel=result.conditional_error)
    assert result.conditional_mfpt_left == pytest.approx((l**2 - q**2) / (6 * D), rel=result.conditional_error)
    # the law of total expectation ties them: T1 = pi_R T_R + pi_L T_L
    pi = result.splitting_right
    assert first == pytest.approx(pi * result.conditional_mfpt_right + (1 - pi) * result.conditional_mfpt_left)


def test_linear_potential_on_an_interval():
    # U = -F x, drift v = F/gamma: pi_R = (1 - e^{-v(x-A)/D}) / (1 - e^{-v l/D}), T1 = (l pi_R - (x - A)) / v
    F, temperature, A, x, B = 1.5, 0.4, -1.0, 0.0, 1.0
    v, D = F, temperature
    pi = -math.expm1(-v * (x - A) / D) / -math.expm1(-v * (B - A) / D)
    result = exit_time_statistics(Potential.from_string("-3/2*x"), x, B, temperature, absorb=A)
    assert result.splitting_right == pytest.approx(pi, rel=result.splitting_error / pi)
    assert result.mfpt == pytest.approx(((B - A) * pi - (x - A)) / v, rel=result.mfpt_error)


def test_linear_potential_with_a_reflecting_wall():
    # tau = (b - x0)/v - (D/v^2) e^{-v (x0-L)/D} (1 - e^{-v (b-x0)/D})
    F, temperature, x0, b, L = 1.0, 0.5, 0.0, 1.0, -0.5
    v, D = F, temperature
    closed = (b - x0) / v - (D / v**2) * math.exp(-v * (x0 - L) / D) * -math.expm1(-v * (b - x0) / D)
    result = exit_time_statistics(Potential.from_string("-x"), x0, b, temperature, reflect=L)
    assert result.mfpt == pytest.approx(closed, rel=result.mfpt_error)
    # U = -x confines at -infinity (e^{-U/T} is integrable there): L -> -infinity gives (b - x0)/v
    unbounded = exit_time_statistics(Potential.from_string("-x"), x0, b, temperature)
    assert unbounded.mfpt == pytest.approx((b - x0) / v, rel=unbounded.mfpt_error)


def test_mirror_image_gives_the_same_statistics():
    left = exit_time_statistics(QUARTIC, -1, 1, 0.3, moments=2)
    right = exit_time_statistics(QUARTIC, 1, -1, 0.3, moments=2)
    assert right.log_mfpt == pytest.approx(left.log_mfpt, abs=left.mfpt_error + right.mfpt_error)
    assert right.log_variance == pytest.approx(left.log_variance, abs=left.variance_error + right.variance_error)


def test_a_barrier_of_a_thousand_T_stays_in_log_space():
    # tau k_K = 1 + C1 T + O(T^2): at T = 1e-3 the log of the exact time is Kramers' within 2|C1| T
    temperature = 1e-3
    result = exit_time_statistics(QUARTIC, -1, 1, temperature)
    assert result.mfpt == math.inf and math.isfinite(result.log_mfpt)
    assert result.decimal().endswith("e+434")
    theory = kramers_escape(QUARTIC, -1, 1)
    log_kramers = math.log(2 * math.pi / math.sqrt(8 * 4)) + 1 / temperature
    assert abs(result.log_mfpt - log_kramers) <= 2 * abs(float(theory.correction_coefficient(1))) * temperature


def test_bad_inputs_name_the_parameter():
    with pytest.raises(InvalidParameter, match="^temperature"):
        exit_time_statistics(QUARTIC, -1, 1, 0)
    with pytest.raises(InvalidParameter, match="^digits"):
        exit_time_statistics(QUARTIC, -1, 1, 0.5, digits=0)
    with pytest.raises(InvalidParameter, match="^moments"):
        exit_time_statistics(QUARTIC, -1, 1, 0.5, moments=3)
    with pytest.raises(InvalidParameter, match="^target must differ"):
        exit_time_statistics(QUARTIC, -1, -1, 0.5)
    with pytest.raises(InvalidParameter, match="^absorb must lie"):
        exit_time_statistics(QUARTIC, -1, 1, 0.5, absorb=2)
    with pytest.raises(InvalidParameter, match="at most one"):
        exit_time_statistics(QUARTIC, -1, 1, 0.5, absorb=-2, reflect=-2)
    with pytest.raises(InvalidParameter, match="^reflect: U does not confine"):
        exit_time_statistics(Potential.from_string("x"), 0, 1, 0.5)  # U falls without bound towards -infinity
