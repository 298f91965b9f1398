"""Skill learning: the Resource model, its Domino limit, SignGD versus SGD, scaling exponents.

Liu, Liu, Michaud, Gore, Tegmark (2025), "Physics of Skill Learning",
arXiv:2501.12391; the Quanta model is Michaud, Liu, Girit, Tegmark (2023).

Resource model.  Skill k (frequency p_k, unlearned fraction l_k = 1 - s_k) draws
from a fixed budget of "resource" in proportion to its competitiveness
w_k = p_k l_k; a share N0 of the budget is wasted.  The authors' map
l <- max(0, l - eta C w / (sum_j w_j + N0)) has, for C = I and step -> 0, the flow

    dl_k/dt = -eta p_k l_k / (sum_j p_j l_j + N0).                          (1)

Summing (1) over k, the total unlearned mass M = sum_k l_k obeys
dM/dt = -eta W/(W + N0), W = sum_j p_j l_j; for N0 -> 0 it falls at the constant rate
eta whatever the frequencies, so n skills take n t0, t0 = 1/eta.  A gate
c_k = prod_j (1 - l_j^a) on a composite skill's competitiveness cancels in the
same sum: prerequisites change the order, not the total time.

Two skills.  Dividing the two equations (1), dl_1/dl_2 = r l_1/l_2 with
r = p_1/p_2, independently of N0 and eta; from l_1 = l_2 = 1,

    l_1 = l_2^r.                                                             (2)

Along (2) the flow integrates in closed form,

    eta t = (1 - l_1) + (1 - l_2) + (N0/p_2) log(1/l_2),                     (3)

so with the threshold s > theta (l < 1 - theta) the learning-time ratio t_2/t_1
is a function of r, N0 and theta alone.  For r -> oo and N0 -> 0 it tends to
(1 + theta)/theta (2 for theta -> 1): the Domino effect.  Skill 2 waits for skill 1
and then learns at the full rate.

Domino model.  In that limit skill i starts when skill i-1 is done:
s_i(t) = clip(eta t - (i - 1), 0, 1), learning time t_i = (i - 1 + theta) t0 and
total time n t0.

SignGD on the Geometry model.  For task vectors with independent N(0, 1/d)
components (random orthonormal ones in high d), the SignGD step
x <- x + lr sign(sum_k w_k t_k) moves skill i, on average, by

    ds_i = lr sqrt(d) E[z_i sign(w . z)] = lr sqrt(2 d / pi) w_i / |w|_2     (4)

(Stein's lemma: E[z_i h(w . z)] = w_i E[h'(w . z)], and sign' = 2 delta).  The loss
vector (l_1, l_2) thus moves at constant Euclidean speed lr sqrt(2d/pi) along the
curve (2); the learning times are arc lengths of (2), with the same Domino limit.
The Resource model's L1 normalisation is the authors' simpler version of (4),
with eta_eff = 2 lr sqrt(d) fitted.

SGD.  Plain gradient descent on orthonormal tasks gives ds_i/dt = lr p_i (1 - s_i):
no competition, l_i = exp(-lr p_i t) and t_i = log(1/(1-theta))/(lr p_i), so
t_2/t_1 = p_1/p_2.

Scaling.  With p_k ~ k^-alpha / zeta(alpha) and a loss sum_k p_k l_k^2, the Domino
model has learned the first eta t skills at time t, so L(t) ~ int_{eta t}^oo p_k dk
~ t^-(alpha-1): alpha_S = alpha - 1.  The Quanta model (parallel, l_k = e^{-p_k t})
gives L(t) ~ int_0^oo k^-alpha exp(-c t k^-alpha) dk ~ t^-(alpha-1)/alpha, and with N
learned quanta L(N) ~ N^-(alpha-1): alpha_N = alpha - 1 and alpha_S = (alpha-1)/alpha.
"""

from __future__ import annotations

import functools

import mpmath
import sympy

from ._derivation import Derivation, ValidityRegime
from ._typeset import (
    Prose, much_greater, proportional_to, tends_to, written_product, written_ratio, written_root, written_sum,
)
from ._symbols import LATEX_NAMES, t

__all__ = [
    "skill_symbols",
    "resource_flow",
    "resource_mass_decay",
    "compositional_gate",
    "resource_two_task_invariant",
    "resource_two_task_time",
    "resource_time_ratio",
    "domino_time_ratio",
    "domino_skill_curve",
    "domino_learning_time",
    "domino_total_time",
    "gated_epoch_learning_time",
    "signgd_speed",
    "signgd_time_ratio",
    "sgd_learning_time",
    "sgd_time_ratio",
    "domino_loss_exponent",
    "quanta_parameter_exponent",
    "quanta_step_exponent",
    "SKILL_DERIVATIONS",
]

# --- symbols (created once; assumptions carried) ------------------------------------

eta = sympy.Symbol("eta", positive=True)
t_0 = sympy.Symbol("t_0", positive=True)
N_0 = sympy.Symbol("N_0", nonnegative=True)
p_1, p_2, p_i = sympy.symbols("p_1 p_2 p_i", positive=True)
l_1, l_2, l_i = sympy.symbols("l_1 l_2 l_i", nonnegative=True)
W = sympy.Symbol("W", positive=True)
M = sympy.Symbol("M", nonnegative=True)
r = sympy.Symbol("r", positive=True)
theta = sympy.Symbol("theta", positive=True)
i = sympy.Symbol("i", positive=True, integer=True)
n = sympy.Symbol("n", positive=True, integer=True)
j = sympy.Symbol("j", positive=True, integer=True)
a = sympy.Symbol("a", positive=True)
alpha = sympy.Symbol("alpha", positive=True)
lr = sympy.Symbol("lr", positive=True)
d = sympy.Symbol("d", positive=True)
s_i = sympy.Symbol("s_i", real=True)
c_k = sympy.Symbol("c_k", nonnegative=True)
t_i = sympy.Symbol("t_i", positive=True)
rho = sympy.Symbol("rho", positive=True)  # a time ratio t_2 / t_1
alpha_S = sympy.Symbol("alpha_S", real=True)
alpha_N = sympy.Symbol("alpha_N", real=True)
ldot_i = sympy.Symbol("ldot_i", real=True)
sdot_i = sympy.Symbol("sdot_i", real=True)
w_i = sympy.Symbol("w_i", nonnegative=True)
w_norm = sympy.Symbol("w_norm", positive=True)

LATEX = {
    eta: r"\eta_{\mathrm{eff}}", N_0: "N_0", ldot_i: r"\dot l_i", sdot_i: r"\dot s_i", w_norm: r"\|w\|_2",
    rho: r"t_2/t_1", alpha_S: r"\alpha_S", alpha_N: r"\alpha_N", lr: r"\eta",
}
LATEX_NAMES.update(LATEX)  # typeset names used by Derivation.latex()


def skill_symbols() -> dict[str, sympy.Symbol]:
    """The symbols of this module by name (for evaluating derivations by symbol)."""
    return {s.name: s for s in (eta, t_0, N_0, p_1, p_2, p_i, l_1, l_2, l_i, W, M, r, theta, i, n, a, alpha, lr, d, t)}


_PAPER = ("Liu2025skills",)
# Symbols that appear only in meanings, titles and validity regimes.
_C, _I, _l, _s, _c, _k, _N, _B = sympy.symbols("C I l s c k N B", positive=True)
_p_j, _l_j, _p_k, _l_k, _t_1 = sympy.symbols("p_j l_j p_k l_k t_1", positive=True)
_O = sympy.Function("O")
_IDENTITY = sympy.Eq(_C, _I, evaluate=False)  # competition matrix C = I
_NO_WASTE = tends_to(N_0, 0)
_RESOURCE = {
    eta: Prose("effective learning rate (resource per step;", sympy.Eq(eta, 2 * lr * sympy.sqrt(d)),
               "in the authors' calibration)"),
    N_0: "wasted resource",
}
_THRESHOLD = Prose("learning threshold: a skill is learned when", sympy.Gt(_s, theta), "(0.9 in the paper)")
_RATIO = Prose("frequency ratio", p_1 / p_2)
_SAFE_LOG = functools.partial(sympy.expand_log, force=True)


# --- the Resource model -------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def resource_flow() -> Derivation:
    """Eq. (1): the continuous-time limit of the Resource-model map for C = I."""
    step = sympy.Symbol("Delta", positive=True)
    # one map step of length Delta (the map has Delta = 1): l_i(t + Delta) = l_i - Delta eta w_i/(W + N0)
    update = l_i - step * eta * p_i * l_i / (W + N_0)
    flow = sympy.limit((update - l_i) / step, step, 0)
    return Derivation(
        name="resource_flow",
        title=Prose("Resource model: flow of the unlearned fraction (", _IDENTITY, ")"),
        quantity=ldot_i,
        expression=flow,
        symbols={**_RESOURCE, p_i: Prose("frequency of skill", i),
                 l_i: Prose("unlearned fraction", written_sum(1, -s_i), "of skill", i),
                 W: Prose("total competitiveness", sympy.Sum(_p_j * _l_j, (j, 1, n)))},
        conditions=(sympy.Ge(N_0, 0),),
        validity=ValidityRegime(Prose("continuous limit of the map; the map's clip at", sympy.Eq(_l, 0), "is implied"),
                                small_parameter=eta, error_order=eta),
        references=_PAPER,
        notes="Step-length limit of l <- l - eta C(p*l)/(sum p l + N0) with C = I; the clip max(0, .) "
              "only acts once a skill is learned.",
    )


@functools.lru_cache(maxsize=None)
def resource_mass_decay() -> Derivation:
    """M(t) = n - eta t: the total unlearned mass falls at a constant rate (C = I, N0 -> 0)."""
    w = sympy.IndexedBase("w")
    flow = resource_flow().expression.subs({p_i * l_i: w[j]})
    constant, summand = flow.as_independent(j, as_Add=False)  # linearity: sum_j c w_j = c W
    total_rate = constant * sympy.Sum(summand, (j, 1, n)).subs(sympy.Sum(w[j], (j, 1, n)), W)
    rate = sympy.limit(total_rate, N_0, 0)  # -eta, independent of the frequencies and of any gate
    mass = sympy.Function("M")
    solution = sympy.dsolve(sympy.Eq(mass(t).diff(t), rate), mass(t), ics={mass(0): n}).rhs
    return Derivation(
        name="resource_mass_decay",
        title=Prose("Resource model: conserved decay of the total unlearned mass (", _IDENTITY, ",", _NO_WASTE, ")"),
        quantity=M,
        expression=solution,
        readable=written_sum(n, written_product(-1, eta, t)),
        symbols={eta: _RESOURCE[eta], n: "number of skills", t: "training time (steps)"},
        conditions=(sympy.Le(t, n / eta),),
        validity=ValidityRegime(Prose("exact for", sympy.Eq(N_0, 0), "before the last skill is learned; for",
                                      sympy.Gt(N_0, 0), "the rate is", eta * W / (W + N_0)), small_parameter=N_0 / W,
                                error_order=N_0 / W),
        references=_PAPER,
        notes="Sum the flow (1) over the skills: sum_k dl_k/dt = -eta W/(W + N0) -> -eta as N0 -> 0. "
              "A compositional gate multiplies w_k and cancels in the same sum.",
    )


@functools.lru_cache(maxsize=None)
def compositional_gate() -> Derivation:
    """c_k = (1 - l_1^a)(1 - l_2^a): the gate multiplying a composite skill's competitiveness."""
    gate = sympy.Mul(*[1 - unlearned**a for unlearned in (l_1, l_2)])
    # the gate is shut while a prerequisite is unlearned and open once both are learned
    assert gate.subs(l_1, 1) == 0 and gate.subs({l_1: 0, l_2: 0}) == 1
    return Derivation(
        name="compositional_gate",
        title="Resource model: gate of a skill composed of skills 1 and 2",
        quantity=c_k,
        expression=gate,
        symbols={l_1: "unlearned fraction of prerequisite 1", l_2: "unlearned fraction of prerequisite 2",
                 a: "gate sharpness exponent"},
        conditions=(sympy.Le(l_1, 1), sympy.Le(l_2, 1)),
        validity=ValidityRegime("model assumption (exact by construction)"),
        references=_PAPER,
        notes="The composite's competitiveness is p_k l_k c_k; because c_k multiplies w_k, the total "
              "mass still falls at rate eta (resource_mass_decay): the gate reorders, it does not slow.",
    )


@functools.lru_cache(maxsize=None)
def resource_two_task_invariant() -> Derivation:
    """Eq. (2): l_1 = l_2^r along the two-skill flow, for any N0 and eta."""
    curve = sympy.Function("l")
    ratio_of_flows = sympy.cancel((p_1 * curve(l_2)) / (p_2 * l_2)).subs(p_1, r * p_2)
    solution = sympy.dsolve(sympy.Eq(curve(l_2).diff(l_2), ratio_of_flows), curve(l_2), ics={curve(1): 1}).rhs
    return Derivation(
        name="resource_two_task_invariant",
        title=Prose("Resource model, two skills: the invariant curve", sympy.Eq(l_1, l_2**r)),
        quantity=l_1,
        expression=solution,
        symbols={l_2: "unlearned fraction of the rarer skill 2", r: _RATIO},
        conditions=(sympy.Le(l_2, 1),),
        validity=ValidityRegime(Prose("exact for the flow (1) with", _IDENTITY, ", any", N_0)),
        references=_PAPER,
        notes="dl_1/dl_2 = p_1 l_1/(p_2 l_2): N0 and eta cancel; separate variables from l_1 = l_2 = 1.",
    )


@functools.lru_cache(maxsize=None)
def resource_two_task_time() -> Derivation:
    """Eq. (3): eta t as a function of l_2 along the invariant curve."""
    v = sympy.Symbol("v", positive=True)
    along_curve = resource_two_task_invariant().expression.subs(l_2, v)
    # dl_2/dt = -eta p_2 l_2 / (p_1 l_1 + p_2 l_2 + N0)  ->  eta dt = -(p_1 l_1 + p_2 l_2 + N0)/(p_2 l_2) dl_2
    integrand = sympy.expand((r * p_2 * along_curve + p_2 * v + N_0) / (p_2 * v))
    elapsed = sympy.integrate(integrand, (v, l_2, 1)) / eta
    return Derivation(
        name="resource_two_task_time",
        title=Prose("Resource model, two skills: time to reach", l_2),
        quantity=t,
        expression=sympy.expand(elapsed),
        readable=written_ratio(
            written_sum(2, -l_2, -l_2**r, written_product(-1, written_ratio(N_0, p_2), sympy.log(l_2))), eta),
        symbols={**_RESOURCE, l_2: "unlearned fraction of skill 2 reached", r: _RATIO,
                 p_2: "frequency of the rarer skill 2"},
        conditions=(sympy.Le(l_2, 1),),
        validity=ValidityRegime(Prose("exact for the flow (1) with", _IDENTITY, "; the map (a step of", eta,
                                      ") is its Euler scheme")),
        references=_PAPER,
        notes="Integrate the flow of l_2 along l_1 = l_2^r.",
    )


def _two_task_ratio(time_of_l2: sympy.Expr) -> sympy.Expr:
    epsilon = 1 - theta
    p_2_normalised = 1 / (1 + r)
    at = lambda unlearned: time_of_l2.subs({p_2: p_2_normalised}).subs(l_2, unlearned)  # noqa: E731
    return at(epsilon) / at(epsilon ** (1 / r))  # skill 2 at l_2 = eps; skill 1 at l_1 = eps, l_2 = eps^(1/r)


@functools.lru_cache(maxsize=None)
def resource_time_ratio() -> Derivation:
    """t_2/t_1 as a function of p_1/p_2, N0 and the threshold (frequencies normalised, p_1 + p_2 = 1)."""
    ratio = _two_task_ratio(resource_two_task_time().expression)
    ratio = sympy.cancel(_SAFE_LOG(sympy.powsimp(ratio, force=True)))
    return Derivation(
        name="resource_time_ratio",
        title=Prose("Resource model: two-skill learning-time ratio", rho),
        quantity=rho,
        expression=ratio,
        symbols={N_0: _RESOURCE[N_0], r: Prose(_RATIO, "(", sympy.Eq(p_1 + p_2, 1), ")"), theta: _THRESHOLD},
        conditions=(sympy.Ge(r, 1), sympy.Lt(theta, 1)),
        validity=ValidityRegime(Prose("exact for the flow (1); the map adds", _O(1 / _t_1), "from whole steps")),
        references=_PAPER,
        notes="Ratio of eq. (3) at l_2 = 1 - theta and at l_1 = 1 - theta (l_2 = (1 - theta)^(1/r)).",
        readable=_readable_time_ratio(),
    )


def _readable_time_ratio() -> sympy.Expr:
    """t_2/t_1 grouped: [r ((1 - theta)^r - 1 - theta) + r N_0 (r + 1) log(1 - theta)]
    / [r ((1 - theta)^(1/r) - 1 - theta) + N_0 (r + 1) log(1 - theta)].

    SymPy keeps ((1 - theta)^(1/r))^r, which is 1 - theta for theta < 1 (the condition).
    """
    remaining = written_sum(1, -theta)
    logarithm = written_product(N_0, written_sum(r, 1), sympy.log(remaining))
    return written_ratio(
        written_sum(written_product(r, written_sum(remaining**r, -1, -theta)), written_product(r, logarithm)),
        written_sum(written_product(r, written_sum(remaining ** (1 / r), -1, -theta)), logarithm))


@functools.lru_cache(maxsize=None)
def domino_time_ratio() -> Derivation:
    """The Domino limit of t_2/t_1: r -> oo, N0 -> 0, giving (1 + theta)/theta (-> 2)."""
    log_inverse_epsilon = sympy.Symbol("lambda", positive=True)  # log(1/(1 - theta)) > 0 makes the limit decidable
    ratio = resource_time_ratio().expression.subs(N_0, 0)
    ratio = ratio.subs(theta, 1 - sympy.exp(-log_inverse_epsilon))
    limit = sympy.limit(ratio, r, sympy.oo)
    limit = sympy.factor(sympy.simplify(limit.subs(log_inverse_epsilon, -sympy.log(1 - theta))))
    # first correction in 1/r, the declared error of the limit at finite r
    x = sympy.Symbol("x", positive=True)
    correction = sympy.series(ratio.subs(r, 1 / x), x, 0, 2).removeO() - sympy.limit(ratio, r, sympy.oo)
    correction = sympy.simplify((correction / x).subs(log_inverse_epsilon, -sympy.log(1 - theta))) / r
    return Derivation(
        name="domino_time_ratio",
        title=Prose("Domino effect:", rho, "for", much_greater(p_1, p_2), "under resource competition"),
        quantity=rho,
        expression=limit,
        readable=written_ratio(written_sum(1, theta), theta),
        symbols={theta: _THRESHOLD, r: Prose(_RATIO, "(enters the declared error only)")},
        conditions=(sympy.Lt(theta, 1),),
        validity=ValidityRegime(Prose("leading order in", sympy.Eq(1 / r, p_2 / p_1, evaluate=False), "and", _NO_WASTE),
                                small_parameter=sympy.Abs(correction),
                                error_order=sympy.Abs(correction), threshold=0.5),
        references=_PAPER,
        notes="Limit r -> oo of resource_time_ratio at N0 = 0; its 1/r term is the declared error. "
              "At theta -> 1 the ratio is 2 whatever p_1/p_2 is.",
    )


# --- the Domino model ----------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def domino_skill_curve() -> Derivation:
    """s_i(t) = clip(eta t - (i - 1), 0, 1): skill i learns alone, after the i - 1 before it."""
    unlearned = sympy.Function("l")
    start = sympy.Symbol("t_start", nonnegative=True)
    # alone in the budget (N0 -> 0): dl_i/dt = -eta p_i l_i / (p_i l_i) = -eta
    alone = sympy.cancel(resource_flow().expression.subs({W: p_i * l_i, N_0: 0}))
    linear = 1 - sympy.dsolve(sympy.Eq(unlearned(t).diff(t), alone), unlearned(t),
                              ics={unlearned(start): 1}).rhs
    # the mass of the i - 1 earlier skills is spent first, at rate eta (resource_mass_decay)
    start_time = sympy.solve(sympy.Eq(resource_mass_decay().expression.subs(n, i - 1) + 0, 0), t)[0]
    linear = sympy.expand(linear.subs(start, start_time))
    curve = sympy.Min(1, sympy.Max(0, linear))
    return Derivation(
        name="domino_skill_curve",
        title=Prose("Domino model: skill curve", sympy.Function("s_i")(t)),
        quantity=s_i,
        expression=curve,
        symbols={eta: Prose("effective learning rate (", sympy.Eq(t_0, 1 / eta), ")"),
                 i: Prose("skill index (", sympy.Eq(i, 1), "is the most frequent)"),
                 t: "training time (steps)"},
        validity=ValidityRegime(Prose("limit", much_greater(p_1, p_2),
                                      "(each skill much more frequent than the next) and", _NO_WASTE,
                                      "of the Resource model"),
                                small_parameter=sympy.Integer(0)),
        references=_PAPER,
        notes="Skill i alone has dl/dt = -eta; it starts when the mass i - 1 of the earlier skills is spent.",
    )


@functools.lru_cache(maxsize=None)
def domino_learning_time() -> Derivation:
    """t_i = (i - 1 + theta) t_0; the completion time (theta = 1) is i t_0."""
    linear = domino_skill_curve().expression.args  # Min(1, Max(0, linear))
    ramp = next(arg for arg in linear if isinstance(arg, sympy.Max)).args
    ramp = next(arg for arg in ramp if arg != 0)
    time = sympy.solve(sympy.Eq(ramp, theta), t)[0].subs(eta, 1 / t_0)
    return Derivation(
        name="domino_learning_time",
        title=Prose("Domino model: learning time of skill", i),
        quantity=t_i,
        expression=sympy.expand(time),
        readable=written_product(written_sum(i, -1, theta), t_0),
        symbols={t_0: Prose("time to learn one skill,", 1 / eta), i: "skill index", theta: _THRESHOLD},
        conditions=(sympy.Le(theta, 1),),
        validity=ValidityRegime("Domino limit of the Resource model"),
        references=_PAPER,
        notes="Solve s_i(t) = theta on the ramp of domino_skill_curve.",
    )


@functools.lru_cache(maxsize=None)
def domino_total_time() -> Derivation:
    """n skills take n t_0."""
    total = domino_learning_time().expression.subs({i: n, theta: 1})
    return Derivation(
        name="domino_total_time",
        title=Prose("Domino model: time to learn all", n, "skills"),
        quantity=sympy.Symbol("T_n", positive=True),
        expression=total,
        symbols={t_0: Prose("time to learn one skill,", 1 / eta), n: "number of skills"},
        validity=ValidityRegime(Prose("exact for the Resource model with", _IDENTITY, "and", sympy.Eq(N_0, 0),
                                      "(any frequencies)")),
        references=_PAPER,
        notes="Completion time of the last skill; equals the time at which resource_mass_decay reaches 0.",
    )


@functools.lru_cache(maxsize=None)
def gated_epoch_learning_time() -> Derivation:
    """t_k = T_0 + t_0 (m - sum_j (1 - theta)^(p_j/p_k)) for m skills whose gates open together at T_0."""
    T_0 = sympy.Symbol("T_0", nonnegative=True)
    m = sympy.Symbol("m", positive=True, integer=True)
    group_sum = sympy.Symbol("Sigma_k", positive=True)  # sum_j (1 - theta)^(p_j/p_k) over the group
    p_j_symbol, p_k_symbol = sympy.symbols("p_j p_k", positive=True)
    N0_symbol, a_symbol = sympy.Symbol("N_0", nonnegative=True), sympy.Symbol("a", positive=True)
    # with N0 -> 0 the group's mass falls at rate eta from m (resource_mass_decay), and l_j = u^(p_j)
    # (resource_two_task_invariant for each pair); l_k = 1 - theta fixes u = (1 - theta)^(1/p_k)
    mass = m - eta * (t - T_0)
    time = sympy.solve(sympy.Eq(mass, group_sum), t)[0].subs(eta, 1 / t_0)
    return Derivation(
        name="gated_epoch_learning_time",
        title="Gated Resource model: learning time within an epoch of skills opened together",
        quantity=t_i,
        expression=sympy.expand(time),
        symbols={T_0: "time at which the epoch's gates open", m: Prose("number of skills opened at", T_0),
                 group_sum: Prose("sum over the epoch's skills", p_j_symbol, "of",
                                  (1 - theta) ** (p_j_symbol / p_k_symbol)),
                 t_0: Prose("time unit", 1 / eta)},
        conditions=(sympy.Le(theta, 1),),
        validity=ValidityRegime(Prose("wasted resource", tends_to(N0_symbol, 0), ", gate exponent",
                                      tends_to(a_symbol, 0), "(a gate opens when its prerequisite is exactly learned), "
                                      "step", tends_to(eta, 0), "; skills left from earlier epochs carry a mass of order",
                                      eta)),
        references=_PAPER,
        notes="An epoch's skills reach l = 0 together at T_0 + m t_0 (l_j are powers of one another); the map "
              "clips them in decreasing p_j, and a gate that opens on the way starts the next epoch, so the "
              "least frequent prerequisite may wait one more epoch (numerics.gated_learning_order).",
    )


# --- optimisers on the Geometry model ---------------------------------------------------------


@functools.lru_cache(maxsize=None)
def signgd_speed() -> Derivation:
    """Eq. (4): mean SignGD speed of skill i, lr sqrt(2d/pi) w_i/|w|_2."""
    u = sympy.Symbol("u", real=True)
    density = sympy.exp(-u**2 / (2 * w_norm**2)) / (sympy.sqrt(2 * sympy.pi) * w_norm)  # law of w . z
    # Stein: E[z_i sign(w.z)] = w_i E[sign'(w.z)] = w_i E[2 delta(w.z)] = 2 w_i density(0)
    expectation = 2 * w_i * density.subs(u, 0)
    speed = lr * sympy.sqrt(d) * expectation  # d coordinates of size 1/sqrt(d) each
    return Derivation(
        name="signgd_speed",
        title=Prose("Geometry model under SignGD: mean speed of skill", i),
        quantity=sdot_i,
        expression=sympy.simplify(speed),
        readable=written_product(written_root(written_ratio(written_product(2, d), sympy.pi)), lr,
                                 written_ratio(w_i, w_norm)),
        symbols={lr: "learning rate", d: "dimension", w_i: Prose("competitiveness", p_i * l_i, "of skill", i),
                 w_norm: "Euclidean norm of the competitiveness vector"},
        validity=ValidityRegime(Prose("task-vector components independent, each distributed as",
                                      sympy.Function("N")(0, 1 / d), "; infinite batch"),
                                small_parameter=1 / sympy.sqrt(d), error_order=1 / sympy.sqrt(d)),
        references=_PAPER + ("Stein1981",),
        notes="Gaussian integration by parts on E[z_i sign(w . z)].",
    )


def _signgd_ratio_evaluator(values, digits):
    ratio, threshold = float(values[r]), values[theta]
    epsilon = 1 - threshold

    def arc(v):
        return mpmath.sqrt(1 + ratio**2 * v ** (2 * ratio - 2))

    knee = epsilon ** (1 / mpmath.mpf(ratio))
    return mpmath.quad(arc, [epsilon, knee, 1]) / mpmath.quad(arc, [knee, 1])


@functools.lru_cache(maxsize=None)
def signgd_time_ratio() -> Derivation:
    """t_2/t_1 under SignGD: ratio of arc lengths of l_1 = l_2^r (constant Euclidean speed)."""
    v = sympy.Symbol("v", positive=True)
    curve = resource_two_task_invariant().expression.subs(l_2, v)
    arc = sympy.sqrt(1 + sympy.diff(curve, v) ** 2)
    epsilon = 1 - theta
    ratio = sympy.Integral(arc, (v, epsilon, 1)) / sympy.Integral(arc, (v, epsilon ** (1 / r), 1))
    return Derivation(
        name="signgd_time_ratio",
        title="Geometry model under SignGD: two-skill learning-time ratio",
        quantity=rho,
        expression=ratio,
        symbols={r: _RATIO, theta: _THRESHOLD},
        conditions=(sympy.Ge(r, 1), sympy.Lt(theta, 1)),
        validity=ValidityRegime(Prose("infinite batch; a finite batch", _B, "adds a bias", _O(1 / (_B * p_2))),
                                small_parameter=sympy.Integer(0)),
        references=_PAPER,
        notes="By (4) the loss vector moves at constant Euclidean speed; by (2) along l_1 = l_2^r. "
              "Same Domino limit (1 + theta)/theta as the Resource model.",
        evaluator=_signgd_ratio_evaluator,
    )


@functools.lru_cache(maxsize=None)
def sgd_learning_time() -> Derivation:
    """t_i = log(1/(1 - theta)) / (lr p_i) under SGD: no competition."""
    skill = sympy.Function("s")
    # expected SGD step on orthonormal tasks: ds_i = lr p_i (1 - s_i)
    curve = sympy.dsolve(sympy.Eq(skill(t).diff(t), lr * p_i * (1 - skill(t))), skill(t), ics={skill(0): 0}).rhs
    epsilon = sympy.Symbol("epsilon", positive=True)  # 1 - theta > 0 keeps the logarithm real
    time = sympy.solve(sympy.Eq(curve, 1 - epsilon), t)[0].subs(epsilon, 1 - theta)
    return Derivation(
        name="sgd_learning_time",
        title=Prose("Geometry model under SGD: learning time of skill", i),
        quantity=t_i,
        expression=_SAFE_LOG(time),
        symbols={lr: "learning rate", p_i: Prose("frequency of skill", i), theta: _THRESHOLD},
        conditions=(sympy.Lt(theta, 1),),
        validity=ValidityRegime(Prose("continuous time; the discrete map adds a relative", _O(lr * p_i / 2)),
                                small_parameter=lr * p_i / 2, error_order=lr * p_i / 2),
        references=_PAPER,
        notes="Orthonormal task vectors decouple the skills: s_i = 1 - exp(-lr p_i t).",
    )


@functools.lru_cache(maxsize=None)
def sgd_time_ratio() -> Derivation:
    """t_2/t_1 = p_1/p_2 under SGD."""
    time = sgd_learning_time().expression
    ratio = sympy.cancel(time.subs(p_i, p_2) / time.subs(p_i, p_1))
    return Derivation(
        name="sgd_time_ratio",
        title="Geometry model under SGD: two-skill learning-time ratio",
        quantity=rho,
        expression=ratio,
        symbols={p_1: "frequency of skill 1", p_2: "frequency of skill 2"},
        validity=ValidityRegime("continuous time", small_parameter=lr * p_1 / 2, error_order=lr * p_1 / 2),
        references=_PAPER,
        notes="Ratio of sgd_learning_time for the two skills: the threshold and the rate cancel.",
    )


# --- scaling exponents --------------------------------------------------------------------------


def _exponent(loss: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """-d log L / d log x."""
    return sympy.simplify(-variable * sympy.diff(sympy.log(loss), variable))


@functools.lru_cache(maxsize=None)
def domino_loss_exponent() -> Derivation:
    """Domino model: L(t) ~ t^-(alpha - 1)."""
    k = sympy.Symbol("k", positive=True)
    learned = sympy.Symbol("K", positive=True)
    tail = sympy.integrate(k ** (-alpha), (k, learned, sympy.oo), conds="none")  # unlearned skills have l = 1
    loss = tail.subs(learned, eta * t)  # the Domino model has learned eta t skills at time t
    return Derivation(
        name="domino_loss_exponent",
        title=Prose("Domino model: loss-vs-steps exponent", alpha_S),
        quantity=alpha_S,
        expression=_exponent(loss, t),
        symbols={alpha: Prose("frequency exponent,", proportional_to(_p_k, _k**-alpha))},
        conditions=(sympy.Gt(alpha, 1),),
        validity=ValidityRegime(Prose("many skills,", much_greater(eta * t, 1), "and", much_greater(n, eta * t)),
                                small_parameter=1 / (eta * t),
                                error_order=sympy.Integer(0)),
        references=_PAPER,
        notes="L(t) = sum_{k > eta t} p_k ~ (eta t)^(1 - alpha).",
    )


@functools.lru_cache(maxsize=None)
def quanta_parameter_exponent() -> Derivation:
    """Quanta model: with N quanta learned, L(N) ~ N^-(alpha - 1)."""
    k = sympy.Symbol("k", positive=True)
    quanta = sympy.Symbol("N", positive=True)
    loss = sympy.integrate(k ** (-alpha), (k, quanta, sympy.oo), conds="none")
    return Derivation(
        name="quanta_parameter_exponent",
        title=Prose("Quanta model: loss-vs-parameters exponent", alpha_N),
        quantity=alpha_N,
        expression=_exponent(loss, quanta),
        symbols={alpha: Prose("frequency exponent,", proportional_to(_p_k, _k**-alpha))},
        conditions=(sympy.Gt(alpha, 1),),
        validity=ValidityRegime(Prose("many quanta,", much_greater(_N, 1)), error_order=sympy.Integer(0)),
        references=("Michaud2023quanta", "Liu2025skills"),
        notes="The N most frequent quanta are learned: L(N) = sum_{k > N} p_k.",
    )


@functools.lru_cache(maxsize=None)
def quanta_step_exponent() -> Derivation:
    """Quanta (parallel) model: L(t) ~ t^-(alpha - 1)/alpha."""
    k = sympy.Symbol("k", positive=True)
    rate = sympy.Symbol("c", positive=True)
    loss = sympy.integrate(k ** (-alpha) * sympy.exp(-rate * t * k ** (-alpha)), (k, 0, sympy.oo), conds="none")
    return Derivation(
        name="quanta_step_exponent",
        title=Prose("Quanta model: loss-vs-steps exponent", alpha_S),
        quantity=alpha_S,
        expression=_exponent(loss, t),
        symbols={alpha: Prose("frequency exponent,", proportional_to(_p_k, _k**-alpha))},
        conditions=(sympy.Gt(alpha, 1),),
        validity=ValidityRegime(Prose("many quanta learned in parallel,", sympy.Eq(_l_k, sympy.exp(-_c * _p_k * t))),
                                error_order=sympy.Integer(0)),
        references=("Michaud2023quanta", "Liu2025skills"),
        notes="Substitute k = (c t)^(1/alpha) u: L(t) = (c t)^((1-alpha)/alpha) Gamma(1 - 1/alpha)/alpha.",
    )


#: The derivations of this module, by name (appended to theory's catalogue).
SKILL_DERIVATIONS = {
    "resource_flow": resource_flow,
    "resource_mass_decay": resource_mass_decay,
    "compositional_gate": compositional_gate,
    "resource_two_task_invariant": resource_two_task_invariant,
    "resource_two_task_time": resource_two_task_time,
    "resource_time_ratio": resource_time_ratio,
    "domino_time_ratio": domino_time_ratio,
    "domino_skill_curve": domino_skill_curve,
    "domino_learning_time": domino_learning_time,
    "domino_total_time": domino_total_time,
    "gated_epoch_learning_time": gated_epoch_learning_time,
    "signgd_speed": signgd_speed,
    "signgd_time_ratio": signgd_time_ratio,
    "sgd_learning_time": sgd_learning_time,
    "sgd_time_ratio": sgd_time_ratio,
    "domino_loss_exponent": domino_loss_exponent,
    "quanta_parameter_exponent": quanta_parameter_exponent,
    "quanta_step_exponent": quanta_step_exponent,
}
