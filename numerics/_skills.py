"""Simulators of skill learning: the Geometry model and the Resource model.

Liu, Liu, Michaud, Gore, Tegmark (2025, arXiv:2501.12391), section 3; the
parameter values and update rules follow the authors' code
(KindXiaoming/physics_of_skill_learning, ``scripts/Fig4_geometry_2task``,
``Fig7_*``, ``resource_model``).

Geometry model
--------------
Parameters x in R^d start at 0.  There are n unit task vectors t_k (rows of
``task_vectors``; orthonormal, or random unit vectors that may overlap).  The
level of skill k is

    s_k = t_k . x                  (MSE skills),
    s_k = sigmoid(t_k . x)         (cross-entropy skills).

A step draws B task indices from the frequencies p (p_k ~ k^-alpha) and forms the
batch gradient

    g = -(1/B) sum_b (1 - s_{k_b}) t_{k_b}  (+ sigma z,  z ~ N(0, I_d) if noise is on),

which is the gradient of (1/2B) sum_b (1 - s_{k_b})^2 for MSE (the authors'
"mimic gradient", without the factor 2 of autograd) and of
-(1/B) sum_b log sigmoid(t_{k_b} . x) for cross-entropy.  The optimisers are

    SGD:      x <- x - lr g,
    Adam:     m <- b1 m + (1-b1) g,  v <- b2 v + (1-b2) g^2,
              x <- x - lr (m / (1-b1^k)) / (sqrt(v / (1-b2^k)) + eps),
    SignGD:   Adam with b1 = b2 = 0, i.e. x <- x - lr g / (|g| + eps)

(the authors' ``torch.optim.Adam(betas=(0, 0))``, eps = 1e-8).  The learning time
of skill k is the first step at which s_k > threshold (0.9 in the paper).

Resource model
--------------
With unlearned fractions l_k = 1 - s_k (MSE), one step is

    l <- max(0, l - eta_eff C (p*l) / (sum_j p_j l_j + N0)),   eta_eff = 2 lr sqrt(d),

with C = I for orthogonal tasks, or C_ij = t_i . t_j.  For cross-entropy the
authors integrate the logit z_k: z <- z + eta_eff C w / (sum_j w_j + N0) with
w_k = p_k sigmoid(-z_k).  A compositional skill k is gated by its prerequisites:
w_k is multiplied by prod_{j in pre(k)} (1 - l_j^a) (AND); an alternative among
prerequisites (OR) contributes the largest of their gates, max_j (1 - l_j^a).

Randomness
----------
Batch indices and gradient noise come from the counter-based streams of
:mod:`numerics._random`: the index of sample b at step m of run r under seed s is
drawn from uniform(key_uniform(s, r), m B + b), the noise of coordinate j from
normal(key_normal(s, r), m d + j).  A run therefore gives the same numbers on any
thread and in any chunk of an ensemble.  The task vectors are drawn in Python
by ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from theory._errors import InvalidParameter, SimulationError

from . import _random
from ._codegen import build_kernel_module
from ._validate import integer as _integer

__all__ = [
    "OPTIMIZERS",
    "LOSSES",
    "GeometryRun",
    "GeometryScalingTasks",
    "power_law_frequencies",
    "task_vectors",
    "geometry_model",
    "resource_model",
    "gated_learning_order",
    "COMPOSITIONAL_STRUCTURES",
    "learning_times",
    "eta_effective",
]

#: Optimiser names and their kernel codes.
OPTIMIZERS = {"signgd": 0, "adam": 1, "sgd": 2}
#: Skill (loss) names and their kernel codes.
LOSSES = {"mse": 0, "ce": 1}

prange = range  # in the generated module this name is numba.prange


# --- kernel source (compiled by numerics._codegen) ----------------------------


#: A step whose batch holds more than n / ROW_ORDER_RATIO distinct tasks projects all n tasks in
#: column order (vectorised over tasks); below, only the sampled tasks, row by row (one serial dot
#: product each, about this many times slower per element on current CPUs).  Both orders add the
#: terms of t_k . x in the same sequence j = 0 .. d-1, so the choice never changes a number.
ROW_ORDER_RATIO = 5


def geometry_trajectory(
    vectors, transposed, cumulative, guide, optimizer, loss, learning_rate, beta1, beta2, epsilon, batch, steps, noise,
    seed, run, recorded, skills,
):
    """One Geometry-model run; skills[r, k] is the level of skill k before step recorded[r] (step ``steps``: after).

    ``transposed`` is vectors.T (contiguous), ``guide[i]`` the first task with cumulative > i/len(guide)
    (an index table for sampling, Chen & Asau 1974), ``recorded`` increasing steps in [0, steps].
    """
    n = vectors.shape[0]
    d = vectors.shape[1]
    x = np.zeros(d)
    m1 = np.zeros(d)
    m2 = np.zeros(d)
    g = np.zeros(d)
    projection = np.zeros(n)
    residual = np.zeros(n)
    counts = np.zeros(n)
    active = np.zeros(n, dtype=np.int64)
    uniforms = np.zeros(batch)
    uniform_key = uniform_stream_key(seed, run)  # noqa: F821 (generated module)
    normal_key = normal_stream_key(seed, run)  # noqa: F821
    table = guide.shape[0]
    power1 = 1.0
    power2 = 1.0
    row = 0
    for m in range(steps + 1):
        # the batch: task k of sample b is the first k with cumulative[k] > u (independent of x)
        sampled = 0
        if m < steps:
            for k in range(n):
                counts[k] = 0.0
            fill_uniform_block(uniform_key, m * batch, uniforms)  # noqa: F821 (uniform_open of m B + b)
            for b in range(batch):
                u = uniforms[b]
                k = guide[min(int(u * table), table - 1)]
                while k > 0 and cumulative[k - 1] > u:
                    k -= 1
                while k < n - 1 and cumulative[k] <= u:
                    k += 1
                if counts[k] == 0.0:
                    active[sampled] = k
                    sampled += 1
                counts[k] += 1.0
        record = row < recorded.shape[0] and recorded[row] == m
        if record or sampled * ROW_ORDER_RATIO > n:
            for k in range(n):
                projection[k] = 0.0
            j = 0
            while j + 4 <= d:  # four terms per pass, added in the order j, j+1, j+2, j+3
                x0 = x[j]
                x1 = x[j + 1]
                x2 = x[j + 2]
                x3 = x[j + 3]
                for k in range(n):
                    projection[k] = (((projection[k] + transposed[j, k] * x0) + transposed[j + 1, k] * x1)
                                     + transposed[j + 2, k] * x2) + transposed[j + 3, k] * x3
                j += 4
            while j < d:
                xj = x[j]
                for k in range(n):
                    projection[k] += transposed[j, k] * xj
                j += 1
            if record:  # every level is kept (and every residual computed) at a recorded step
                for k in range(n):
                    active[k] = k
                sampled = n
        else:
            for i in range(sampled):
                k = active[i]
                total = 0.0
                for j in range(d):
                    total += vectors[k, j] * x[j]
                projection[k] = total
        for i in range(sampled):
            k = active[i]
            if loss == 0:
                level = projection[k]
            else:
                level = 1.0 / (1.0 + math.exp(-projection[k]))
            residual[k] = 1.0 - level
            if record:
                skills[row, k] = level
        if record:
            row += 1
        if m == steps:
            break
        for j in range(d):
            g[j] = 0.0
        for k in range(n):
            if counts[k] != 0.0:
                weight = counts[k] * residual[k] / batch
                if weight != 0.0:
                    for j in range(d):
                        g[j] -= weight * vectors[k, j]
        if noise > 0.0:
            for j in range(0, d, 2):
                z0, z1 = normal_pair(normal_key, (m * d + j) >> 1)  # noqa: F821
                g[j] += noise * z0
                if j + 1 < d:
                    g[j + 1] += noise * z1
        if optimizer == 2:
            for j in range(d):
                x[j] -= learning_rate * g[j]
        else:
            b1 = beta1 if optimizer == 1 else 0.0
            b2 = beta2 if optimizer == 1 else 0.0
            power1 *= b1
            power2 *= b2
            for j in range(d):
                m1[j] = b1 * m1[j] + (1.0 - b1) * g[j]
                m2[j] = b2 * m2[j] + (1.0 - b2) * g[j] * g[j]
                x[j] -= learning_rate * (m1[j] / (1.0 - power1)) / (math.sqrt(m2[j] / (1.0 - power2)) + epsilon)
        for j in range(d):
            if not math.isfinite(x[j]):
                return 1
    return 0


def geometry_ensemble(
    vectors, transposed, cumulative, guide, optimizer, loss, learning_rate, beta1, beta2, epsilon, batch, steps, noise,
    seed, first_run, vector_stride, recorded, skills, status,
):
    """Runs first_run + i for i < skills.shape[0], in parallel; each run sees only its own streams.

    ``vectors[i * vector_stride]`` (and ``transposed[...]``) are the task vectors of run i (stride 0:
    one set for every run).
    """
    for i in prange(skills.shape[0]):
        status[i] = geometry_trajectory(
            vectors[i * vector_stride], transposed[i * vector_stride], cumulative, guide, optimizer, loss,
            learning_rate, beta1, beta2, epsilon, batch, steps, noise, seed, first_run + i, recorded, skills[i],
        )


def resource_trajectory(frequencies, coupling, identity, wasted, eta, loss, steps, gate_matrix, gated, gate_exponent,
                        levels):
    """Resource-model map; levels[m] are the skill levels before step m (levels[steps] after).

    ``identity``: C = I (coupling is not read); ``gated``: some skill has prerequisites, and
    gate_matrix[k, j] = c > 0 puts skill j in clause c of skill k's gate (members of one clause
    are alternatives, OR = the largest gate; clauses multiply, AND).
    """
    n = frequencies.shape[0]
    state = np.zeros(n)  # MSE: unlearned fraction l (starts at 1); CE: logit z (starts at 0)
    if loss == 0:
        for k in range(n):
            state[k] = 1.0
    weight = np.zeros(n)
    for m in range(steps + 1):
        total = 0.0
        for k in range(n):
            if loss == 0:
                levels[m, k] = 1.0 - state[k]
                base = state[k]
            else:
                levels[m, k] = 1.0 / (1.0 + math.exp(-state[k]))
                base = 1.0 - levels[m, k]
            gate = 1.0
            for clause in range(1, n + 1 if gated else 0):  # AND over clauses of the OR (max) of their members
                best = -1.0
                for j in range(n):
                    if gate_matrix[k, j] == clause:
                        unlearned = state[j] if loss == 0 else 1.0 - levels[m, j]
                        best = max(best, 1.0 - unlearned ** gate_exponent)
                if best >= 0.0:
                    gate *= best
            weight[k] = frequencies[k] * base * gate
            total += weight[k]
        if m == steps:
            break
        denominator = total + wasted
        for k in range(n):
            share = 0.0
            if denominator > 0.0:  # with N0 = 0 and every skill learned nothing moves
                if identity:
                    share = weight[k]
                else:
                    for j in range(n):
                        share += coupling[k, j] * weight[j]
                share /= denominator
            if loss == 0:
                state[k] = max(0.0, state[k] - eta * share)
            else:
                state[k] += eta * share


def resource_batch(frequencies, coupling, identity, wasted, eta, loss, steps, gate_matrix, gated, gate_exponent,
                   levels):
    """resource_trajectory for each N0 in ``wasted`` (levels[i] for wasted[i]), in parallel."""
    for i in prange(wasted.shape[0]):
        resource_trajectory(frequencies, coupling, identity, wasted[i], eta, loss, steps, gate_matrix, gated,
                            gate_exponent, levels[i])


def _kernels():
    return build_kernel_module(
        {},
        _random.KERNEL_FUNCTIONS + (geometry_trajectory, geometry_ensemble, resource_trajectory, resource_batch),
        constants={**_random.KERNEL_CONSTANTS, "ROW_ORDER_RATIO": str(ROW_ORDER_RATIO)},
        parallel=("geometry_ensemble", "resource_batch"),
        inline=_random.KERNEL_INLINE,
    )


# --- inputs ---------------------------------------------------------------------


def _real(name, value, *, minimum=None, strict=False, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidParameter(f"{name} must be a finite real number, got {value!r}.")
    value = float(value)
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        relation = ">" if strict else ">="
        raise InvalidParameter(f"{name} must be {relation} {minimum}, got {value!r}.")
    if maximum is not None and value > maximum:
        raise InvalidParameter(f"{name} must be <= {maximum}, got {value!r}.")
    return value


def _choice(name, value, allowed):
    if not isinstance(value, str) or value.lower() not in allowed:
        raise InvalidParameter(f"{name} must be one of {', '.join(allowed)}, got {value!r}.")
    return allowed[value.lower()]


def power_law_frequencies(n: int, alpha: float) -> np.ndarray:
    """p_k = k^-alpha / sum_j j^-alpha, k = 1..n."""
    n = _integer("n", n, 1, 10_000_000)
    alpha = _real("alpha", alpha, minimum=0.0)
    weights = np.arange(1, n + 1, dtype=float) ** (-alpha)
    return weights / weights.sum()


def _frequencies(frequencies) -> np.ndarray:
    p = np.asarray(frequencies, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0) or not p.sum() > 0:
        raise InvalidParameter("frequencies must be a non-empty list of non-negative numbers with a positive sum.")
    return p / p.sum()


def task_vectors(n: int, d: int, *, orthonormal: bool = True, seed: int = 0, run: int | None = None) -> np.ndarray:
    """n unit task vectors in R^d (rows): orthonormal (QR of a Gaussian matrix) or independent random directions.

    Drawn by ``numpy.random.default_rng(seed)``, or ``default_rng([seed, run])`` for the vectors of one run.
    """
    n = _integer("n", n, 1)
    d = _integer("d", d, 1, 100_000)
    seed = _integer("seed", seed, 0, 2**63 - 1)
    if orthonormal and n > d:
        raise InvalidParameter(f"orthonormal task vectors need n <= d, got n = {n}, d = {d}.")
    rng = np.random.default_rng(seed if run is None else [seed, _integer("run", run, 0)])
    gaussian = rng.standard_normal((d, n))
    if orthonormal:
        q, r = np.linalg.qr(gaussian)
        q *= np.sign(np.diag(r))  # make the factorisation unique: Haar-distributed columns
        return np.ascontiguousarray(q.T)
    vectors = gaussian.T
    return np.ascontiguousarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def eta_effective(learning_rate: float, d: int) -> float:
    """The authors' calibration of the Resource model's rate: eta_eff = 2 lr sqrt(d)."""
    return 2.0 * learning_rate * math.sqrt(d)


def learning_times(skills: np.ndarray, threshold: float = 0.9) -> np.ndarray:
    """First index m with skills[..., m, k] > threshold; -1 where never (last axis: skills, second last: steps)."""
    above = np.asarray(skills) > threshold
    first = np.argmax(above, axis=-2)
    return np.where(above.any(axis=-2), first, -1)


# --- Geometry model ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class GeometryRun:
    """Skill levels of an ensemble of Geometry-model runs: ``skills[r, i, k]`` before step ``recorded[i]`` of run r.

    ``recorded`` is every step 0 .. steps unless the run kept fewer; ``vectors[r]`` are the task
    vectors of run r (``vectors[0]`` for all runs when shared).
    """

    skills: np.ndarray
    recorded: np.ndarray
    frequencies: np.ndarray
    vectors: np.ndarray
    optimizer: str
    loss: str
    learning_rate: float
    batch: int
    noise: float
    seed: int

    def learning_times(self, threshold: float = 0.9) -> np.ndarray:
        """First recorded step with s_k > threshold (-1 where never): the learning time when every step is kept."""
        index = learning_times(self.skills, threshold)
        return np.where(index >= 0, self.recorded[index], -1)

    def losses(self) -> np.ndarray:
        """sum_k p_k (1 - s_k)^2 (MSE) or -sum_k p_k log s_k (cross-entropy), per run and step."""
        if self.loss == "mse":
            return np.einsum("k,rmk->rm", self.frequencies, (1.0 - self.skills) ** 2)
        return -np.einsum("k,rmk->rm", self.frequencies, np.log(self.skills))


def geometry_model(
    frequencies,
    *,
    d: int = 1000,
    steps: int = 3000,
    learning_rate: float = 3e-4,
    batch: int = 128,
    optimizer: str = "signgd",
    loss: str = "mse",
    orthonormal: bool = True,
    noise: float = 0.0,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    runs: int = 1,
    seed: int = 0,
    first_run: int = 0,
    vectors: np.ndarray | None = None,
    vectors_per_run: bool = False,
    record=None,
) -> GeometryRun:
    """Simulate ``runs`` independent Geometry-model trainings (see the module docstring).

    ``record`` lists the steps (increasing, in 0 .. steps) whose skill levels are kept; default
    all.  Between recorded steps only the sampled tasks are projected, so a sparse ``record``
    makes long runs with many tasks cheaper; the trajectory does not depend on it.

    The task vectors are ``vectors`` if given, else :func:`task_vectors` drawn with ``seed``
    (one set shared by all runs) or, with ``vectors_per_run``, with ``(seed, first_run + r)``
    for run r.  Run r uses the random streams (seed, first_run + r), so any split of an
    ensemble gives the same runs.
    """
    p = _frequencies(frequencies)
    n = p.size
    optimizer_code = _choice("optimizer", optimizer, OPTIMIZERS)
    loss_code = _choice("loss", loss, LOSSES)
    d = _integer("d", d, 1, 100_000)
    steps = _integer("steps", steps, 1, 10_000_000)
    batch = _integer("batch", batch, 1, 10_000_000)
    runs = _integer("runs", runs, 1, 100_000)
    seed = _integer("seed", seed, 0, 2**63 - 1)
    first_run = _integer("first_run", first_run, 0, 2**62)
    learning_rate = _real("learning_rate", learning_rate, minimum=0.0, strict=True)
    noise = _real("noise", noise, minimum=0.0)
    beta1 = _real("beta1", beta1, minimum=0.0, maximum=0.999999)
    beta2 = _real("beta2", beta2, minimum=0.0, maximum=0.999999)
    epsilon = _real("epsilon", epsilon, minimum=0.0)
    recorded = np.arange(steps + 1) if record is None else np.asarray(record)
    if (recorded.ndim != 1 or recorded.size == 0 or not np.issubdtype(recorded.dtype, np.integer)
            or recorded[0] < 0 or recorded[-1] > steps or np.any(np.diff(recorded) <= 0)):
        raise InvalidParameter(f"record must be a non-empty increasing list of integer steps in 0..{steps}.")
    recorded = recorded.astype(np.int64)
    if runs * recorded.size * n > 200_000_000:
        raise InvalidParameter(f"runs x recorded steps x n = {runs * recorded.size * n} recorded levels is too many "
                               "(max 2e8); record fewer steps.")
    if vectors is None and vectors_per_run:
        vectors = np.stack([task_vectors(n, d, orthonormal=orthonormal, seed=seed, run=first_run + r)
                            for r in range(runs)])
    elif vectors is None:
        vectors = task_vectors(n, d, orthonormal=orthonormal, seed=seed)
    vectors = np.ascontiguousarray(vectors, dtype=float)
    if vectors.ndim == 2:
        vectors = vectors[None]
    if vectors.shape[1:] != (n, d) or vectors.shape[0] not in (1, runs):
        raise InvalidParameter(f"vectors must have shape (n, d) = ({n}, {d}) or (runs, n, d), got {vectors.shape}.")
    cumulative = np.cumsum(p)
    cumulative[-1] = 1.0
    guide = np.minimum(np.searchsorted(cumulative, np.arange(n) / n, side="right"), n - 1).astype(np.int64)
    skills = np.zeros((runs, recorded.size, n))
    status = np.zeros(runs, dtype=np.int64)
    _kernels().geometry_ensemble(
        vectors, np.ascontiguousarray(vectors.transpose(0, 2, 1)), cumulative, guide, optimizer_code, loss_code,
        learning_rate, beta1, beta2, epsilon, batch, steps, noise, seed, first_run,
        np.int64(0 if vectors.shape[0] == 1 else 1), recorded, skills, status,
    )
    if status.any():
        raise SimulationError(
            f"{int(status.sum())} Geometry-model run(s) diverged (non-finite parameters); lower the learning rate."
        )
    return GeometryRun(skills, recorded, p, vectors, optimizer.lower(), loss.lower(), learning_rate, batch, noise, seed)


# --- Resource model ---------------------------------------------------------------


def _clauses(prerequisites, n):
    """{skill: [clause, ...]}, each clause a tuple of alternative prerequisites (validated by resource_model)."""
    return {k: [tuple(item) if isinstance(item, (tuple, list)) else (item,) for item in required]
            for k, required in (prerequisites or {}).items()}


def gated_learning_order(frequencies, prerequisites, threshold: float = 0.9):
    """Learning times (units of t_0 = 1/eta_eff) of the gated Resource model in the limit N0 -> 0, a -> 0, eta -> 0.

    Epochs: the skills whose gates are open (every clause has a learned member) start together
    at l = 1 and reach l = 0 together after m t_0 (m skills; theory's gated_epoch_learning_time
    gives each one's threshold time).  The map clips them in decreasing frequency; a gate that
    opens on the way starts the next epoch at once, and the members not yet clipped (carrying
    O(eta) mass) join it and are clipped at its end.  Returns (times, completion) with
    ``completion[k]`` the time at which skill k is clipped to l = 0.
    """
    p = _frequencies(frequencies)
    n = p.size
    clauses = _clauses(prerequisites, n)
    threshold = _real("threshold", threshold, minimum=0.0, strict=True, maximum=1.0)
    remaining = 1.0 - threshold
    times = np.full(n, np.nan)
    completion = np.full(n, np.nan)
    learned: set[int] = set()
    carried: list[int] = []
    clock = 0.0

    def open_now(k):
        return k not in learned and all(any(j in learned for j in clause) for clause in clauses.get(k, ()))

    fresh = [k for k in range(n) if open_now(k)]
    while fresh or carried:
        for k in fresh:  # gated_epoch_learning_time
            times[k] = clock + len(fresh) - sum(remaining ** (p[j] / p[k]) for j in fresh)
        clock += len(fresh)
        members = sorted(set(fresh) | set(carried), key=lambda k: -p[k])
        fresh, carried = [], []
        for index, k in enumerate(members):
            if index and p[k] < p[members[index - 1]]:  # equal frequencies are clipped in the same step
                fresh = [j for j in range(n) if open_now(j) and j not in members]
                if fresh:
                    carried = members[index:]
                    break
            learned.add(k)
            completion[k] = clock
        if not fresh:
            fresh = [j for j in range(n) if open_now(j) and j not in carried]
    if np.isnan(times).any():
        raise InvalidParameter("prerequisites: some skill can never open (a cycle of prerequisites).")
    return times, completion


#: The paper's compositional structures (authors' scripts/Fig17_task_dependence): frequencies,
#: prerequisites (0-based; a tuple inside is an OR), N0, eta and gate exponent a.
COMPOSITIONAL_STRUCTURES = {
    "chain": {"frequencies": (0.3, 1.0, 3.0), "prerequisites": {1: (0,), 2: (1,)},
              "wasted": 1e-3, "eta": 1e-3, "gate_exponent": 1e-4, "steps": 10000,
              "description": "X1 -> X2 -> X3"},
    "and-tree": {"frequencies": (1.0, 0.1, 2.0, 0.2, 1.0, 1.0, 1.0),
                 "prerequisites": {4: (0, 1), 5: (2, 3), 6: (4, 5)},
                 "wasted": 1e-3, "eta": 1e-3, "gate_exponent": 1e-3, "steps": 20000,
                 "description": "X1 AND X2 -> X5, X3 AND X4 -> X6, X5 AND X6 -> X7"},
    "and-or-tree": {"frequencies": (0.1, 0.01, 2.0, 0.2, 1.0, 1.0, 1.0),
                    "prerequisites": {4: (0, 1), 5: ((2, 3),), 6: ((4, 5),)},
                    "wasted": 1e-3, "eta": 1e-3, "gate_exponent": 1e-3, "steps": 20000,
                    "description": "X1 AND X2 -> X5, X3 OR X4 -> X6, X5 OR X6 -> X7"},
}


def resource_model(
    frequencies,
    *,
    eta: float,
    wasted=0.0,
    steps: int = 3000,
    loss: str = "mse",
    coupling: np.ndarray | None = None,
    prerequisites: dict[int, tuple[int, ...]] | None = None,
    gate_exponent: float = 1.0,
) -> np.ndarray:
    """Skill levels ``[m, k]`` of the Resource-model map (``[i, m, k]`` if ``wasted`` is a list of N0).

    ``eta`` is eta_eff per step, ``wasted`` the wasted resource N0 >= 0, ``coupling`` the
    matrix C (identity by default), ``prerequisites`` maps a (0-based) composite skill to
    its prerequisites, each a skill j (gate 1 - l_j^a, a = ``gate_exponent``) or a tuple of
    alternative skills (OR: the largest of their gates); the gates multiply (AND).  So
    ``{4: (0, 1)}`` is "0 AND 1 -> 4" and ``{5: ((2, 3),)}`` is "2 OR 3 -> 5".
    """
    p = _frequencies(frequencies)
    n = p.size
    eta = _real("eta", eta, minimum=0.0, strict=True)
    steps = _integer("steps", steps, 1, 100_000_000)
    loss_code = _choice("loss", loss, LOSSES)
    gate_exponent = _real("gate_exponent", gate_exponent, minimum=0.0, strict=True)
    scalar = np.ndim(wasted) == 0
    wasted_values = np.atleast_1d(np.asarray(wasted, dtype=float))
    if wasted_values.ndim != 1 or not np.all(np.isfinite(wasted_values)) or np.any(wasted_values < 0):
        raise InvalidParameter("wasted (N0) must be non-negative and finite.")
    identity = coupling is None
    if identity:
        coupling = np.zeros((1, 1)) if n > 1 else np.eye(1)
    coupling = np.ascontiguousarray(coupling, dtype=float)
    if (not identity and coupling.shape != (n, n)) or not np.all(np.isfinite(coupling)):
        raise InvalidParameter(f"coupling must be a finite {n} x {n} matrix, got shape {coupling.shape}.")
    gate_matrix = np.zeros((n, n) if prerequisites else (1, 1), dtype=np.int64)
    for composite, required in (prerequisites or {}).items():
        clauses = [tuple(item) if isinstance(item, (tuple, list)) else (item,) for item in required]
        for j in (composite, *(j for clause in clauses for j in clause)):
            if not (isinstance(j, numbers.Integral) and 0 <= j < n):
                raise InvalidParameter(f"prerequisites: skill index {j!r} is not in 0..{n - 1}.")
        for number, clause in enumerate(clauses, start=1):
            if composite in clause:
                raise InvalidParameter(f"prerequisites: skill {composite} cannot be its own prerequisite.")
            if not clause or len(set(clause)) < len(clause) or np.any(gate_matrix[composite, list(clause)]):
                raise InvalidParameter(f"prerequisites of skill {composite}: each skill may appear once, "
                                       "in a non-empty clause.")
            gate_matrix[composite, list(clause)] = number
    if np.any(wasted_values == 0) and loss_code == 1:
        raise InvalidParameter("cross-entropy skills never finish, so N0 = 0 is allowed only for MSE skills.")
    if wasted_values.size * (steps + 1) * n > 200_000_000:
        raise InvalidParameter("len(wasted) x (steps+1) x n recorded levels is too many (max 2e8).")
    levels = np.zeros((wasted_values.size, steps + 1, n))
    _kernels().resource_batch(p, coupling, identity, wasted_values, eta, loss_code, steps, gate_matrix,
                              bool(gate_matrix.any()), gate_exponent, levels)
    if not np.all(np.isfinite(levels)):
        raise SimulationError("the Resource-model map produced a non-finite level; lower eta.")
    return levels[0] if scalar else levels


# --- scaling sweeps ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GeometryScalingTasks:
    """The chunk function of a Geometry-model scaling sweep: task i -> its loss curve, picklable.

    Task i is ``tasks[i] = (alpha, d, r)``: run r of the Geometry model with n random unit task
    vectors (drawn with ``(seed, r)``, seed = int(1000 alpha) + d), p_k ~ k^-alpha, cross-entropy
    skills; its result is the loss L = -sum_k p_k log s_k at the steps ``recorded``.  Calling it
    on tasks ``first .. first + count - 1`` returns their curves in order (one array each); the
    tasks of one (alpha, d) cell that fall into one chunk run as one ensemble, in parallel, and
    a run depends on (alpha, d, r) only, so any chunking, serial or on Dask workers
    (:class:`numerics.DaskBackend`), gives the same numbers bit for bit.
    """

    tasks: tuple[tuple[float, int, int], ...]
    steps: int
    recorded: tuple[int, ...]
    n: int = 1000
    learning_rate: float = 0.01
    batch: int = 1024
    optimizer: str = "adam"

    @staticmethod
    def seed(alpha: float, d: int) -> int:
        return int(1000 * alpha) + d

    def __call__(self, first: int, count: int) -> list[np.ndarray]:
        from ._ensemble import _kernel_lock

        if not (0 <= first and count >= 1 and first + count <= len(self.tasks)):
            raise InvalidParameter(f"tasks {first}..+{count} are not among the {len(self.tasks)} tasks.")
        curves = []
        start = first
        while start < first + count:  # consecutive runs of one (alpha, d) cell form one ensemble
            alpha, d, run = self.tasks[start]
            stop = start + 1
            while (stop < first + count and self.tasks[stop][:2] == (alpha, d)
                   and self.tasks[stop][2] == run + stop - start):
                stop += 1
            with _kernel_lock:
                result = geometry_model(
                    power_law_frequencies(self.n, alpha), d=d, steps=self.steps, learning_rate=self.learning_rate,
                    batch=self.batch, optimizer=self.optimizer, loss="ce", orthonormal=False, runs=stop - start,
                    seed=self.seed(alpha, d), first_run=run, vectors_per_run=True, record=list(self.recorded),
                )
            curves.extend(result.losses())
            start = stop
        return curves
