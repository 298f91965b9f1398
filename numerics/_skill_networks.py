"""Skill learning in real networks (PyTorch, the optional ``networks`` extra): modularity, compositional parity.

Liu, Liu, Michaud, Gore, Tegmark (2025, arXiv:2501.12391), section on the Domino model and
modularity; the setting follows the authors' ``scripts/Fig19_modularity``.

An MLP [2, 100, 100, 2] with SiLU activations learns two regression tasks at once from 1000
points x uniform in [-1, 1]^2: task 1, y_1 = x_1^2 on 99% of the points (where x_2 = 0), and
task 2, y_2 = x_2^2 on the other 1% (where x_1 = 0).  The loss is the masked mean
(1/2N) sum_{points, outputs} mask (f(x) - x^2)^2; Adam, lr = 5e-4, full batch, float32.  A task is
learned at the first step whose (pre-update) task MSE is below 1e-3; runs that never get there
within ``steps`` are censored at ``steps``.

*Non-modular*: dense layers.  *Modular*: each weight matrix is masked block-diagonally
(input i -> hidden block i of 50 units -> output i), so the two tasks share no parameter.
PyTorch's ``nn.Linear`` initialisation (uniform(+-1/sqrt(fan_in)) on the full fan-in) is used
for both, the mask applied on top, as the authors do.

The Domino/Resource reading: sharing all parameters, the tasks compete for one resource and
the rare task waits (t_2/t_1 ~ the Domino ratio, > 1); with disjoint parameters each task has
its own resource, learns at its own pace from the start, and t_2/t_1 ~ 1.

Runs are vectorised: parameters carry a leading run axis, and since Adam acts element-wise one
optimiser over the batched tensors is R independent Adam runs.  Run r draws its data and its
initial weights from ``torch.Generator`` seeded with seed * 1_000_003 + r, so a run's numbers
do not depend on how many runs are batched with it (up to the rounding of batched matmuls).

Compositional sparse parity
---------------------------
The network that the gated Resource model describes (the authors' ``scripts/Fig2_top_sparse_parity``:
task 3 = x1 xor x2 xor x3 xor x4 is learned only after task 1 = x1 xor x2 and task 2 = x3 xor x4),
built for any structure of prerequisites (``numerics.COMPOSITIONAL_STRUCTURES``).  Inputs are
``bits`` = 64 random bits in {0, 1}; every skill is one output of an MLP [64, 64, 64, K] (ReLU),
trained on the mean squared error against its 0/1 label, the error of skill k weighted by
w_k = p_k / max_j p_j (the expected gradient of a stream in which skill k appears with frequency
p_k, without the sampling noise of masks); Adam, lr = 1e-3, a fresh batch of 1000 points every step
(online: the network cannot memorise, and its accuracy on the batch before the update is a
held-out accuracy).

* A skill without prerequisites is the parity of two fresh bits (x1 xor x2 for X1, ...).
* AND: a composite of several prerequisites is the xor of their labels, i.e. the parity of the
  union of their (disjoint) supports.  Knowing one parent leaves the other to learn: it waits for
  both.
* A chain link (one prerequisite) is the parent's label xor one fresh bit.
* OR: a composite of the alternatives a, b is label_a xor x_e (e fresh), and a tie bit f is
  *generated* as x_f = x_e xor label_a xor label_b, so that the same label is also label_b xor x_f.
  Either parent is one linear bit away from the composite; the tie is a relation of order
  |S_a| + |S_b| + 2 among the bits, so every smaller set of bits stays uniform and independent.
  (Parity supports alone cannot make one composite one bit away from two disjoint subtrees.)

Unlike the model's gate 1 - l^a, the network's gate is soft: a composite can also be learned from
scratch, at the cost of a sparse parity of its whole support (for k of n bits, SGD needs a time
growing like n^O(k): Barak, Edelman, Goel, Kakade, Malach, Zhang 2022, "Hidden progress in deep
learning: SGD learns parities near the computational limit").  Skill level s_k = 2 acc_k - 1 on the step's fresh batch (0 at chance);
learned at the first step with s_k > threshold (0.9, i.e. 95% accuracy).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from theory._errors import InvalidParameter

from ._validate import integer as _integer

__all__ = ["ModularityRuns", "modularity_experiment", "WIDTHS", "CompositionalParityRuns", "parity_tasks",
           "compositional_parity_experiment", "PARITY"]

#: Layer widths of the authors' MLP.
WIDTHS = (2, 100, 100, 2)


@dataclasses.dataclass(frozen=True, eq=False)
class ModularityRuns:
    """Learning times ``t1[r]``, ``t2[r]`` (steps; ``steps`` where censored) and the per-step task MSEs."""

    modular: bool
    t1: np.ndarray
    t2: np.ndarray
    censored: np.ndarray
    losses: np.ndarray  # (runs, steps, 2); NaN after the step at which every run has learned both tasks
    steps: int


def _block_masks(torch, modular):
    masks = []
    for fan_in, fan_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        mask = torch.ones(fan_in, fan_out, dtype=torch.float32)
        if modular:
            mask.zero_()
            half_in, half_out = fan_in // 2, fan_out // 2
            mask[:half_in, :half_out] = 1
            mask[half_in:, half_out:] = 1
        masks.append(mask)
    return masks


def _run_data(torch, seed, run, points, fraction):
    generator = torch.Generator().manual_seed(seed * 1_000_003 + run)
    x = torch.rand(points, 2, generator=generator, dtype=torch.float32) * 2 - 1
    rare = points - int(points * (1 - fraction))
    order = torch.randperm(points, generator=generator)
    task2 = torch.zeros(points, dtype=torch.bool)
    task2[order[:rare]] = True
    x[task2, 0] = 0.0
    x[~task2, 1] = 0.0
    return x, task2, _initial_parameters(torch, generator, WIDTHS)


def _initial_parameters(torch, generator, widths):
    """[W_1, b_1, W_2, b_2, ...] drawn as ``nn.Linear`` does: uniform(+-1/sqrt(fan_in)), W stored fan_in x fan_out."""
    parameters = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = 1 / fan_in**0.5
        parameters.append((torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound)
        parameters.append((torch.rand(1, fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound)
    return parameters


def _batched(torch, per_run):
    """Stack the runs' parameter lists along a leading run axis (leaf tensors that require gradients)."""
    return [torch.stack([run[i] for run in per_run]).requires_grad_(True) for i in range(len(per_run[0]))]


def _forward(parameters, x, activation, masks=None):
    """The batched MLP: x (runs, points, fan_in) -> (runs, points, outputs); ``masks`` multiply the weights."""
    hidden = x
    layers = len(parameters) // 2
    for layer in range(layers):
        weight = parameters[2 * layer] if masks is None else parameters[2 * layer] * masks[layer]
        hidden = hidden @ weight + parameters[2 * layer + 1]
        if layer < layers - 1:
            hidden = activation(hidden)
    return hidden


def modularity_experiment(*, modular: bool, runs: int = 16, steps: int = 1000, seed: int = 0,
                          learning_rate: float = 5e-4, threshold: float = 1e-3, points: int = 1000,
                          fraction: float = 0.01) -> ModularityRuns:
    """Train ``runs`` MLPs (see the module docstring) and return their two learning times.

    Torch runs on one thread (numerics._network.single_thread): several threads spin against each other on
    these small kernels, above all after a Numba parallel kernel has run in the same process.
    """
    import torch

    from ._network import single_thread

    runs = _integer("runs", runs, 1, 100_000)
    steps = _integer("steps", steps, 1, 1_000_000)
    seed = _integer("seed", seed, 0, 2**40)
    points = _integer("points", points, 2, 10_000_000)
    if not 0 < fraction < 0.5 or int(points * fraction) < 1:
        raise InvalidParameter(f"fraction must lie in (0, 1/2) with at least one rare point, got {fraction!r}.")
    if not (learning_rate > 0 and threshold > 0):
        raise InvalidParameter("learning_rate and threshold must be positive.")
    data = [_run_data(torch, seed, r, points, fraction) for r in range(runs)]
    x = torch.stack([d[0] for d in data])
    task2 = torch.stack([d[1] for d in data])
    target = x**2
    mask = torch.stack([~task2, task2], dim=-1).to(torch.float32)
    masks = _block_masks(torch, modular)
    parameters = _batched(torch, [d[2] for d in data])
    optimizer = torch.optim.Adam(parameters, lr=learning_rate)
    count1 = (~task2).sum(dim=1).to(torch.float32)
    count2 = task2.sum(dim=1).to(torch.float32)
    losses = np.full((runs, steps, 2), np.nan)
    learned = np.zeros((runs, 2), dtype=bool)
    with single_thread():
        for step in range(steps):
            optimizer.zero_grad()
            squared = (_forward(parameters, x, torch.nn.functional.silu, masks) - target) ** 2
            loss = (squared * mask).mean(dim=(1, 2)).sum()  # a sum of independent per-run losses
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                task_losses = torch.stack([(squared[..., 0] * mask[..., 0]).sum(dim=1) / count1,
                                           (squared[..., 1] * mask[..., 1]).sum(dim=1) / count2], dim=1)
            losses[:, step] = task_losses.numpy()
            learned |= losses[:, step] < threshold
            if learned.all():  # every learning time is known: later steps change nothing reported
                break
    below = np.nan_to_num(losses, nan=np.inf) < threshold
    first = np.where(below.any(axis=1), below.argmax(axis=1), steps)
    return ModularityRuns(modular, first[:, 0].astype(float), first[:, 1].astype(float), ~below.any(axis=1),
                          losses, steps)


# --- compositional sparse parity ---------------------------------------------------------

#: The network and data of the compositional parity experiment (see the module docstring).
PARITY = {"bits": 64, "hidden": (64, 64), "batch": 1000, "learning_rate": 1e-3, "threshold": 0.9, "record": 10}


@dataclasses.dataclass(frozen=True)
class ParityTask:
    """Skill k's label: the xor of the labels ``parents``, the bits ``fresh``; ``ties`` = [(f, e, a, b)] sets
    bit f to x_e xor label_a xor label_b before any label that reads it.  ``support``: the bits whose parity
    the label is (along the first parent of each OR)."""

    parents: tuple[int, ...]
    fresh: tuple[int, ...]
    ties: tuple[tuple[int, int, int, int], ...]
    support: frozenset


def parity_tasks(prerequisites, n: int) -> list[ParityTask]:
    """The parity task of each of ``n`` skills under ``prerequisites`` (the format of numerics.resource_model)."""
    tasks: list[ParityTask] = []
    bit = 0
    for k in range(n):
        clauses = [tuple(item) if isinstance(item, (tuple, list)) else (item,)
                   for item in (prerequisites or {}).get(k, ())]
        if any(j >= k or j < 0 for clause in clauses for j in clause):
            raise InvalidParameter(f"prerequisites of skill {k} must be earlier skills (0..{k - 1}).")
        if not clauses:
            tasks.append(ParityTask((), (bit, bit + 1), (), frozenset((bit, bit + 1))))
            bit += 2
            continue
        parents, fresh, ties = [], [], []
        support = frozenset()
        for clause in clauses:
            parents.append(clause[0])
            support ^= tasks[clause[0]].support
            if len(clause) > 1:  # OR: label_a xor x_e, tied to label_b xor x_f
                fresh.append(bit)
                support ^= {bit}
                ties.extend((bit + i, bit, clause[0], other) for i, other in enumerate(clause[1:], start=1))
                bit += len(clause)
        if len(clauses) == 1 and len(clauses[0]) == 1:  # a chain link: the parent xor one fresh bit
            fresh.append(bit)
            support ^= {bit}
            bit += 1
        tasks.append(ParityTask(tuple(parents), tuple(fresh), tuple(ties), support))
    return tasks


def _parity_data(torch, tasks, bits, points, generator):
    x = torch.randint(0, 2, (points, bits), generator=generator).to(torch.float32)
    labels = []
    for task in tasks:
        for f, e, a, b in task.ties:
            x[:, f] = (x[:, e] + labels[a] + labels[b]) % 2
        label = sum((labels[j] for j in task.parents), torch.zeros(points)) + x[:, list(task.fresh)].sum(dim=1)
        labels.append(label % 2)
    return x, torch.stack(labels, dim=1)


@dataclasses.dataclass(frozen=True, eq=False)
class CompositionalParityRuns:
    """Learning times ``times[r, k]`` (steps, -1 if not learned within ``steps``) and skill levels
    ``levels[r, i, k]`` (s = 2 acc - 1 on points not yet trained on) at steps ``recorded[i]``."""

    tasks: tuple
    weights: np.ndarray
    times: np.ndarray
    levels: np.ndarray
    recorded: np.ndarray
    steps: int

    def median_times(self) -> list:
        """Median over runs, a censored run counting as ``steps``; None where at least half the runs are censored."""
        censored = np.where(self.times < 0, np.inf, self.times)
        median = np.median(censored, axis=0)
        return [None if not np.isfinite(value) else float(value) for value in median]


def compositional_parity_experiment(frequencies, prerequisites, *, runs: int = 4, steps: int = 5000, seed: int = 0,
                                    bits: int = PARITY["bits"], hidden=PARITY["hidden"],
                                    batch: int = PARITY["batch"],
                                    learning_rate: float = PARITY["learning_rate"],
                                    threshold: float = PARITY["threshold"]) -> CompositionalParityRuns:
    """Train ``runs`` MLPs on the compositional parity tasks of ``prerequisites`` (module docstring).

    Run r draws its initial weights, then its batches, from ``torch.Generator`` seeded with
    seed * 1_000_003 + r.  Training stops early once every run has learned every skill.  Torch runs on
    one thread, as in :func:`modularity_experiment`.
    """
    import torch

    from ._network import single_thread

    p = np.asarray(frequencies, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or not np.all(p > 0):
        raise InvalidParameter("frequencies must be a non-empty list of positive numbers.")
    runs = _integer("runs", runs, 1, 100_000)
    steps = _integer("steps", steps, 1, 1_000_000)
    seed = _integer("seed", seed, 0, 2**40)
    batch = _integer("batch", batch, 2, 10_000_000)
    hidden = tuple(_integer("hidden", width, 1, 100_000) for width in hidden)
    if not (learning_rate > 0 and 0 < threshold < 1):
        raise InvalidParameter("learning_rate must be positive and threshold in (0, 1).")
    tasks = parity_tasks(prerequisites, p.size)
    needed = 1 + max(max(t.support | set(t.fresh) | {f for f, *_ in t.ties}) for t in tasks)
    bits = _integer("bits", bits, needed, 100_000)
    widths = (bits, *hidden, p.size)
    generators = [torch.Generator().manual_seed(seed * 1_000_003 + r) for r in range(runs)]
    initial = [_initial_parameters(torch, generator, widths) for generator in generators]
    weights = torch.tensor(p / p.max(), dtype=torch.float32)
    parameters = _batched(torch, initial)
    optimizer = torch.optim.Adam(parameters, lr=learning_rate)
    times = np.full((runs, p.size), -1, dtype=np.int64)
    levels, recorded = [], []
    with single_thread():
        for step in range(steps + 1):
            data = [_parity_data(torch, tasks, bits, batch, generator) for generator in generators]
            x, y = torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data])
            output = _forward(parameters, x, torch.relu)
            with torch.no_grad():  # the batch is new to the network: a held-out accuracy
                level = (2 * ((output > 0.5) == (y > 0.5)).to(torch.float32).mean(dim=1) - 1).numpy()
            times[(level > threshold) & (times < 0)] = step
            if step % PARITY["record"] == 0:
                levels.append(level)
                recorded.append(step)
            if step == steps or np.all(times >= 0):
                break
            optimizer.zero_grad()
            loss = (((output - y) ** 2) * weights).mean(dim=(1, 2)).sum()
            loss.backward()  # a sum of independent per-run losses
            optimizer.step()
    return CompositionalParityRuns(tuple(tasks), p / p.max(), times, np.stack(levels, axis=1), np.array(recorded),
                                   steps)
