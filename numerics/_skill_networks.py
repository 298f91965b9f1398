"""Skill learning in real networks (PyTorch, the optional ``networks`` extra): the modularity experiment.

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
"""

from __future__ import annotations

import dataclasses

import numpy as np

from theory._errors import InvalidParameter

from ._validate import integer as _integer

__all__ = ["ModularityRuns", "modularity_experiment", "WIDTHS"]

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
    parameters = []
    for fan_in, fan_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        bound = 1 / fan_in**0.5
        parameters.append((torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound)
        parameters.append((torch.rand(1, fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound)
    return x, task2, parameters


def modularity_experiment(*, modular: bool, runs: int = 16, steps: int = 1000, seed: int = 0,
                          learning_rate: float = 5e-4, threshold: float = 1e-3, points: int = 1000,
                          fraction: float = 0.01) -> ModularityRuns:
    """Train ``runs`` MLPs (see the module docstring) and return their two learning times."""
    import torch

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
    parameters = [torch.stack([d[2][i] for d in data]).requires_grad_(True) for i in range(2 * (len(WIDTHS) - 1))]
    optimizer = torch.optim.Adam(parameters, lr=learning_rate)
    count1 = (~task2).sum(dim=1).to(torch.float32)
    count2 = task2.sum(dim=1).to(torch.float32)
    losses = np.full((runs, steps, 2), np.nan)
    learned = np.zeros((runs, 2), dtype=bool)
    for step in range(steps):
        optimizer.zero_grad()
        hidden = x
        for layer in range(len(WIDTHS) - 1):
            hidden = hidden @ (parameters[2 * layer] * masks[layer]) + parameters[2 * layer + 1]
            if layer < len(WIDTHS) - 2:
                hidden = torch.nn.functional.silu(hidden)
        squared = (hidden - target) ** 2
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
