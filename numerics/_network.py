"""Langevin escape on a neural network's energy: EWC barriers in a trained MLP.

The objects of this module (PyTorch, imported only when a network command runs;
``numerics`` does not re-export them, so ``import numerics`` stays free of torch):

* **Tasks.** scikit-learn's bundled digits (8x8 images, 1797 samples, pixel
  values scaled to [0, 1]); a fixed training subset of ``samples`` images is the
  full batch of every task.  Task k sees the same images with the pixels in a
  fixed random order (task 1: the identity), the "permuted" benchmark of
  Kirkpatrick et al. (2017).  Permutations rather than class splits: every task
  has the same input statistics, the same ten-way head and the same difficulty,
  so the penalty each consolidated task adds has the same scale and the only
  thing that changes with N is how many there are -- the premise of the linear
  barrier law under test.  Class splits would change the head, the difficulty
  and the Fisher scale from task to task.
* **Network.** A one-hidden-layer MLP 64-H-10 with tanh units and softmax
  cross-entropy, parameters flattened into one vector theta of size P; a batch of
  R independent runs is an (R, P) tensor and every run's loss and gradient come
  from one batched forward and backward pass (the backpropagation formulas are
  written out in :meth:`MLP.loss_and_gradient`).
* **EWC.** After task i is learned (theta*_i), its diagonal empirical Fisher
  F_i = mean_n (d log p(y_n | x_n, theta*_i) / d theta)^2 (Kirkpatrick et al.
  2017) enters the penalty (lambda/2) (theta - theta*_i)^T F_i (theta - theta*_i).
  A sum of diagonal quadratics is one diagonal quadratic (:class:`Quadratic`):
  stiffness Lambda = sum lambda F_i, centre Lambda^{-1} sum lambda F_i theta*_i,
  plus a constant.  A weak Gaussian prior (alpha/2)|theta|^2 (weight decay) is
  part of every energy, so that exp(-U/T) is normalisable in the directions no
  Fisher stiffens.
* **Energy of the new task.** U_N(theta) = L_{N+1}(theta) + sum_{i<=N} EWC_i +
  prior; the absorbing set is the loss threshold {L_{N+1} <= l*}, whose boundary
  is smooth.  Its activation energy is min_{L=l*} U_N - min U_N (Freidlin and
  Wentzell 1998), computed by :func:`boundary_minimum`: along the Lagrange
  family theta(mu) = argmin U_N + mu L_{N+1} (the KKT points of the constrained
  problem), bisecting on mu until L_{N+1} = l*.
* **Langevin ensemble.** theta <- theta - eta grad U + sqrt(2 eta T) xi, eta
  playing dt with friction 1; first passage into the absorbing set is checked
  after every step; runs that have arrived leave the batch.  Each run draws its
  Gaussian increments from its own generator, seeded from (seed, key, run) by
  NumPy's SeedSequence, in blocks of a fixed number of steps, so that a run's
  path does not depend on which other runs share its batch.
* **Step.** :func:`largest_curvature` measures the largest eigenvalue h_max of the
  Hessian of U (power iteration on Hessian-vector products), which bounds the
  Euler-Maruyama step: stable only for eta h_max < 2.

References: J. Kirkpatrick et al., PNAS 114, 3521 (2017); M. I. Freidlin and
A. D. Wentzell, Random Perturbations of Dynamical Systems (Springer 1998).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from theory import InvalidParameter

__all__ = [
    "DTYPE", "PermutedDigits", "permuted_digits", "MLP", "Quadratic", "TaskEnergy", "DoubleWell",
    "FirstPassage", "first_passage", "minimise", "BoundaryMinimum", "boundary_minimum", "train_task",
    "empirical_fisher", "generator", "single_thread", "largest_curvature",
]

DTYPE = torch.float64
NOISE_BLOCK = 64  #: steps of noise a run draws at once (part of the algorithm: changing it changes the paths)


@contextlib.contextmanager
def single_thread():
    """Run torch on one thread inside the block (restored after).

    The network kernels are small: on a shared machine several torch threads spin
    against each other (measured 35 times slower under load on 2 cores), and one
    thread also fixes the order of every floating-point reduction.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def generator(seed: int, key: Sequence[int]) -> torch.Generator:
    """A torch generator seeded from (seed, *key) through NumPy's SeedSequence (independent streams)."""
    state = np.random.SeedSequence([int(seed), *(int(k) for k in key)]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(state[0]) | (int(state[1]) << 32) >> 1)


# ---------------------------------------------------------------------------------------------- tasks

@dataclasses.dataclass(frozen=True)
class PermutedDigits:
    """The digits training subset and the pixel permutation of each task (task 1 is the identity)."""

    inputs: torch.Tensor  # (n, 64) in [0, 1]
    targets: torch.Tensor  # (n, 10) one-hot
    permutations: tuple[tuple[int, ...], ...]

    def task(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and one-hot targets of task ``index`` (1-based)."""
        if not 1 <= index <= len(self.permutations):
            raise InvalidParameter(f"task index must lie in 1..{len(self.permutations)}, got {index}")
        return self.inputs[:, list(self.permutations[index - 1])], self.targets


def permuted_digits(tasks: int, samples: int, seed: int) -> PermutedDigits:
    """``tasks`` permuted-digits tasks on a seeded subset of ``samples`` images."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    if not 10 <= samples <= len(digits.target):
        raise InvalidParameter(f"samples must lie in 10..{len(digits.target)}, got {samples}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    chosen = np.sort(rng.choice(len(digits.target), size=samples, replace=False))
    permutations = [tuple(range(64))] + [tuple(int(i) for i in rng.permutation(64)) for _ in range(tasks - 1)]
    inputs = torch.tensor(digits.data[chosen] / 16.0, dtype=DTYPE)
    targets = torch.nn.functional.one_hot(torch.tensor(digits.target[chosen]), 10).to(DTYPE)
    return PermutedDigits(inputs, targets, tuple(permutations))


# -------------------------------------------------------------------------------------------- network

@dataclasses.dataclass(frozen=True)
class MLP:
    """64-H-10 tanh network; theta = (W1 (64 x H), b1 (H), W2 (H x 10), b2 (10)) flattened."""

    inputs: int = 64
    hidden: int = 8
    outputs: int = 10

    def __post_init__(self):
        for name in ("inputs", "hidden", "outputs"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) >= 1):
                raise InvalidParameter(f"{name} must be a positive integer, got {getattr(self, name)!r}")

    @property
    def size(self) -> int:
        return self.inputs * self.hidden + self.hidden + self.hidden * self.outputs + self.outputs

    def unflatten(self, theta: torch.Tensor):
        d, h, o = self.inputs, self.hidden, self.outputs
        runs = theta.shape[0]
        w1, b1, w2, b2 = torch.split(theta, [d * h, h, h * o, o], dim=1)
        return w1.reshape(runs, d, h), b1, w2.reshape(runs, h, o), b2

    def initial(self, seed: int) -> torch.Tensor:
        """Glorot-uniform weights and zero biases, shape (1, P)."""
        g = generator(seed, (1,))
        d, h, o = self.inputs, self.hidden, self.outputs
        w1 = (torch.rand(d * h, generator=g, dtype=DTYPE) * 2 - 1) * math.sqrt(6 / (d + h))
        w2 = (torch.rand(h * o, generator=g, dtype=DTYPE) * 2 - 1) * math.sqrt(6 / (h + o))
        return torch.cat([w1, torch.zeros(h, dtype=DTYPE), w2, torch.zeros(o, dtype=DTYPE)])[None]

    def loss_and_gradient(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor):
        """Mean cross-entropy L (R,) and dL/dtheta (R, P) for a batch of parameter vectors.

        Forward: z = x W1 + b1, h = tanh z, s = h W2 + b2, L = -(1/n) sum y . log softmax(s).
        Backward: ds = (softmax(s) - y)/n; dW2 = h^T ds, db2 = sum ds;
        dz = (ds W2^T)(1 - h^2); dW1 = x^T dz, db1 = sum dz.
        """
        w1, b1, w2, b2 = self.unflatten(theta)
        runs, n = theta.shape[0], x.shape[0]
        z = (x @ w1.permute(1, 0, 2).reshape(self.inputs, runs * self.hidden)).reshape(n, runs, self.hidden)
        h = torch.tanh(z.transpose(0, 1) + b1[:, None, :])  # (R, n, H)
        s = h @ w2 + b2[:, None, :]  # (R, n, O)
        log_p = torch.log_softmax(s, dim=-1)
        loss = -(log_p * y).sum(dim=(1, 2)) / n
        ds = (log_p.exp() - y) / n
        dw2 = h.transpose(1, 2) @ ds
        db2 = ds.sum(dim=1)
        dz = (ds @ w2.transpose(1, 2)) * (1 - h * h)  # (R, n, H)
        dw1 = (x.T @ dz.transpose(0, 1).reshape(n, runs * self.hidden)).reshape(self.inputs, runs, self.hidden)
        db1 = dz.sum(dim=1)
        gradient = torch.cat([dw1.permute(1, 0, 2).reshape(runs, -1), db1, dw2.reshape(runs, -1), db2], dim=1)
        return loss, gradient

    def per_sample_gradients(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """d(-log p(y_n|x_n))/dtheta for each sample n of one parameter vector (1, P): shape (n, P)."""
        w1, b1, w2, b2 = (part[0] for part in self.unflatten(theta))
        h = torch.tanh(x @ w1 + b1)
        ds = torch.softmax(h @ w2 + b2, dim=-1) - y  # (n, O)
        dz = (ds @ w2.T) * (1 - h * h)  # (n, H)
        n = x.shape[0]
        return torch.cat([
            (x[:, :, None] * dz[:, None, :]).reshape(n, -1), dz,
            (h[:, :, None] * ds[:, None, :]).reshape(n, -1), ds,
        ], dim=1)

    def accuracy(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
        w1, b1, w2, b2 = (part[0] for part in self.unflatten(theta))
        scores = torch.tanh(x @ w1 + b1) @ w2 + b2
        return float((scores.argmax(dim=1) == y.argmax(dim=1)).to(DTYPE).mean())


def empirical_fisher(network: MLP, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Diagonal empirical Fisher at theta: the mean over samples of the squared per-sample gradient, (P,)."""
    return (network.per_sample_gradients(theta, x, y) ** 2).mean(dim=0)


# ------------------------------------------------------------------------------------------ penalties

@dataclasses.dataclass(frozen=True)
class Quadratic:
    """Q(theta) = (1/2) sum_j stiffness_j (theta_j - centre_j)^2 + constant (diagonal, stiffness >= 0)."""

    stiffness: torch.Tensor
    centre: torch.Tensor
    constant: float = 0.0

    @classmethod
    def isotropic(cls, size: int, stiffness: float = 0.0) -> Quadratic:
        """(stiffness/2) |theta|^2: the weight-decay prior (zero: no penalty)."""
        return cls(torch.full((size,), float(stiffness), dtype=DTYPE), torch.zeros(size, dtype=DTYPE))

    def __add__(self, other: Quadratic) -> Quadratic:
        """The sum of two diagonal quadratics as one: Lambda = L1 + L2, c = (L1 c1 + L2 c2)/Lambda."""
        stiffness = self.stiffness + other.stiffness
        moment = self.stiffness * self.centre + other.stiffness * other.centre
        safe = torch.where(stiffness > 0, stiffness, torch.ones_like(stiffness))
        centre = torch.where(stiffness > 0, moment / safe, torch.zeros_like(moment))
        second = (self.stiffness * self.centre ** 2 + other.stiffness * other.centre ** 2).sum()
        constant = self.constant + other.constant + 0.5 * float(second - (stiffness * centre ** 2).sum())
        return Quadratic(stiffness, centre, constant)

    def value(self, theta: torch.Tensor) -> torch.Tensor:
        return 0.5 * (self.stiffness * (theta - self.centre) ** 2).sum(dim=1) + self.constant

    def gradient(self, theta: torch.Tensor) -> torch.Tensor:
        return self.stiffness * (theta - self.centre)


# ---------------------------------------------------------------------------------------- energies

@dataclasses.dataclass(frozen=True)
class TaskEnergy:
    """U(theta) = tilt_factor * L_task(theta) + Q(theta); the reaction coordinate is L_task."""

    network: MLP
    inputs: torch.Tensor
    targets: torch.Tensor
    penalty: Quadratic

    @property
    def size(self) -> int:
        return self.network.size

    def evaluate(self, theta: torch.Tensor, tilt: float = 0.0):
        """(U, L_task, grad of U + tilt L_task) for a batch (R, P)."""
        loss, gradient = self.network.loss_and_gradient(theta, self.inputs, self.targets)
        energy = loss + self.penalty.value(theta)
        return energy, loss, (1 + tilt) * gradient + self.penalty.gradient(theta)


@dataclasses.dataclass(frozen=True)
class DoubleWell:
    """U(x) = height (x^2 - 1)^2 in one dimension; reaction coordinate -x (target {x >= 1}: threshold -1).

    A synthetic energy with a known barrier (``height``) that runs through the
    same Langevin and first-passage code as the network.
    """

    height: float = 1.0
    size: int = 1

    def evaluate(self, theta: torch.Tensor, tilt: float = 0.0):
        x = theta[:, 0]
        energy = self.height * (x * x - 1) ** 2
        return energy, -x, (4 * self.height * x * (x * x - 1) - tilt)[:, None]


# ------------------------------------------------------------------------------------- minimisation

def minimise(energy, start: torch.Tensor, *, tilt: float = 0.0, iterations: int = 400,
             tolerance: float = 1e-7) -> torch.Tensor:
    """argmin of U + tilt L (L-BFGS with strong Wolfe line search from ``start`` (1, P)); returns (1, P)."""
    variable = torch.nn.Parameter(start.clone())
    optimiser = torch.optim.LBFGS([variable], lr=1.0, max_iter=iterations, tolerance_grad=tolerance,
                                  tolerance_change=1e-14, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        value, coordinate, gradient = energy.evaluate(variable.detach(), tilt)
        variable.grad = gradient
        return value + tilt * coordinate

    optimiser.step(closure)
    return variable.detach().clone()


@dataclasses.dataclass(frozen=True)
class BoundaryMinimum:
    """min U on {L = threshold} against min U: the activation energy and both minimisers."""

    minimum: torch.Tensor  # (1, P) argmin U
    boundary: torch.Tensor  # (1, P) argmin of U on {L = threshold}
    energy_minimum: float
    energy_boundary: float
    loss_minimum: float
    loss_boundary: float
    multiplier: float

    @property
    def barrier(self) -> float:
        return self.energy_boundary - self.energy_minimum


def boundary_minimum(energy, start: torch.Tensor, threshold: float, *, bisections: int = 40,
                     relative_tolerance: float = 1e-4) -> BoundaryMinimum:
    """Lowest U on the level set {L = threshold}, reached from the basin of ``start``.

    The KKT points of min U subject to L = l* are the stationary points of
    U + mu L; mu = 0 is the unconstrained minimum.  When L(argmin U) <= l* the
    target is already inside the basin and the barrier is zero.  Otherwise mu is
    doubled until L(theta(mu)) < l*, then bisected (warm-started) until
    |L - l*| <= relative_tolerance * l*.
    """
    minimum = low_theta = minimise(energy, start)
    u_min, l_min = (float(v[0]) for v in energy.evaluate(low_theta)[:2])
    if l_min <= threshold:
        return BoundaryMinimum(low_theta, low_theta, u_min, u_min, l_min, l_min, 0.0)
    low, high, high_theta = 0.0, 1.0, low_theta
    for _ in range(60):
        high_theta = minimise(energy, high_theta, tilt=high)
        if float(energy.evaluate(high_theta)[1][0]) < threshold:
            break
        low, low_theta, high = high, high_theta, 2 * high
    else:
        raise InvalidParameter(f"threshold {threshold} is not reached by the tilted minimisers (mu up to {high})")
    theta = high_theta
    for _ in range(bisections):
        middle = 0.5 * (low + high)
        theta = minimise(energy, low_theta, tilt=middle)
        loss = float(energy.evaluate(theta)[1][0])
        if abs(loss - threshold) <= relative_tolerance * abs(threshold):
            break
        if loss > threshold:
            low, low_theta = middle, theta
        else:
            high = middle
    u_b, l_b, _ = energy.evaluate(theta)
    return BoundaryMinimum(minimum, theta, u_min, float(u_b[0]), l_min, float(l_b[0]),
                           0.5 * (low + high))


def largest_curvature(energy, theta: torch.Tensor, *, iterations: int = 100, seed: int = 0) -> float:
    """The largest eigenvalue of the Hessian of U at ``theta`` (1, P), by power iteration.

    Hessian-vector products are forward derivatives of the (hand-written) gradient,
    H v = d/de grad U(theta + e v) at e = 0 (torch.func.jvp).  The Euler-Maruyama
    step eta of the Langevin iteration is stable in the direction of curvature h
    only for eta h < 2, and its stationary variance there is T / (h (1 - eta h / 2))
    instead of T / h, so eta h_max is the step's accuracy parameter near a minimum.
    """
    def gradient(point):
        return energy.evaluate(point)[2]

    vector = torch.randn(theta.shape, generator=generator(seed, (2,)), dtype=DTYPE)
    value = 0.0
    for _ in range(iterations):
        vector = vector / vector.norm()
        product = torch.func.jvp(gradient, (theta,), (vector,))[1]
        value, previous = float((vector * product).sum()), value
        vector = product
        if abs(value - previous) <= 1e-6 * abs(value):
            break
    return value


def train_task(network: MLP, start: torch.Tensor, x: torch.Tensor, y: torch.Tensor, penalty: Quadratic) -> torch.Tensor:
    """theta*: the minimiser of L_task + penalty from ``start`` (full batch, L-BFGS)."""
    return minimise(TaskEnergy(network, x, y, penalty), start, iterations=150)


# --------------------------------------------------------------------------------- first passage

@dataclasses.dataclass(frozen=True)
class FirstPassage:
    """Exit times (time units, eta * steps), whether each run arrived before ``max_steps``, and the
    reaction coordinate of each censored run when it was stopped (NaN for the arrived ones)."""

    times: np.ndarray
    escaped: np.ndarray
    steps: int  # Langevin steps taken in all (over runs)
    final_coordinate: np.ndarray


def first_passage(energy, start: torch.Tensor, temperature: float, step: float, threshold: float, *,
                  runs: int, max_steps: int, seed: int, key: Sequence[int] = (),
                  progress: Callable[[int, int], None] | None = None) -> FirstPassage:
    """First passage of overdamped Langevin runs into {coordinate <= threshold}.

    theta_{k+1} = theta_k - eta grad U(theta_k) + sqrt(2 eta T) xi_k, all runs from
    ``start`` (1, P); run r's xi come from ``generator(seed, (*key, r))`` in blocks of
    NOISE_BLOCK steps.  The exit time is eta times the first k with
    coordinate(theta_k) <= threshold; a run still outside after ``max_steps`` is
    censored at eta * max_steps.
    """
    if not temperature > 0:
        raise InvalidParameter(f"temperature must be positive, got {temperature}")
    if not step > 0:
        raise InvalidParameter(f"step must be positive, got {step}")
    if not (isinstance(runs, int) and runs >= 1) or not (isinstance(max_steps, int) and max_steps >= 1):
        raise InvalidParameter(f"runs and max_steps must be positive integers, got {runs} and {max_steps}")
    size = start.shape[1]
    generators = [generator(seed, (*key, run)) for run in range(runs)]
    theta = start.expand(runs, size).clone()
    active = torch.arange(runs)
    times = np.full(runs, max_steps * step)
    escaped = np.zeros(runs, dtype=bool)
    final = np.full(runs, np.nan)
    scale = math.sqrt(2 * step * temperature)
    noise = None
    total = 0
    for k in range(max_steps + 1):
        _, coordinate, gradient = energy.evaluate(theta)
        arrived = coordinate <= threshold
        if bool(arrived.any()):
            indices = active[arrived].numpy()
            times[indices] = k * step
            escaped[indices] = True
            keep = ~arrived
            active, theta, gradient = active[keep], theta[keep], gradient[keep]
            if noise is not None:
                noise = noise[keep]
        if active.numel() == 0 or k == max_steps:
            final[active.numpy()] = coordinate[~arrived].numpy()
            break
        if k % NOISE_BLOCK == 0:
            noise = torch.stack([torch.randn(NOISE_BLOCK, size, generator=generators[int(r)], dtype=DTYPE)
                                 for r in active])
        theta = theta - step * gradient + scale * noise[:, k % NOISE_BLOCK]
        total += active.numel()
        if progress is not None and k % 256 == 0:
            progress(runs - active.numel(), runs)
    return FirstPassage(times, escaped, total, final)
