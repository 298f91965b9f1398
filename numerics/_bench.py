"""Throughput of the first-passage kernel, as ratios against a baseline measured in the same run.

Problem: the quartic double well U = (x^2 - 1)^2 (U' = 4x^3 - 4x), T = 1/2,
gamma = 1, dt = 1e-3, from the minimum x = -1 to the far minimum x = +1 (exact
mean exit time 10.2586), Euler-Maruyama with the Brownian bridge: the kernel of
:func:`numerics.langevin_first_passage` that ``kramers simulate`` runs.

Baseline: the same scheme vectorised over the live trajectories in NumPy (step
the survivors with ``Generator.standard_normal``, drop the absorbed), one
process.  Machines are shared, so an absolute rate means little; the ratio of
two rates measured in the same run, in alternation, is the figure of merit, and
the load average is reported with it.  Rates per CPU-second of the process
(``time.process_time``) are reported too: they do not shrink when other
processes take the core, so with one thread they estimate what one idle core
does.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
import sympy

from ._validate import check_memory, ensemble_bytes

__all__ = ["numpy_first_passage", "benchmark"]

START, TARGET, TEMPERATURE, DT = -1.0, 1.0, 0.5, 1e-3


def numpy_first_passage(trajectories: int, seed: int, max_steps: int = 10**7) -> tuple[np.ndarray, int]:
    """Vectorised Euler-Maruyama with the bridge over the live trajectories (the baseline)."""
    rng = np.random.default_rng(seed)
    sigma_squared = 2.0 * TEMPERATURE
    noise_scale = math.sqrt(sigma_squared * DT)
    bridge_coefficient = 2.0 / (sigma_squared * DT)
    positions = np.full(trajectories, START)
    alive = np.arange(trajectories)
    times = np.full(trajectories, max_steps * DT)
    steps = 0
    with np.errstate(under="ignore"):
        for step in range(max_steps):
            if alive.size == 0:
                break
            current = positions[alive]
            following = current - (4.0 * current**3 - 4.0 * current) * DT + noise_scale * rng.standard_normal(alive.size)
            steps += alive.size
            distance, distance_next = TARGET - current, TARGET - following
            crossed = distance_next <= 0.0
            exponent = bridge_coefficient * distance * np.maximum(distance_next, 0.0)
            crossed |= rng.random(alive.size) < np.exp(-np.minimum(exponent, 700.0))
            positions[alive] = following
            if crossed.any():
                times[alive[crossed]] = (step + 1) * DT
                alive = alive[~crossed]
    return times, steps


def benchmark(
    trajectories: int = 4000,
    baseline_trajectories: int = 2000,
    seed: int = 1,
    threads: tuple[int, ...] | None = None,
    repeats: int = 3,
) -> dict:
    """Steps per second of the kernel for each thread count and of the NumPy baseline.

    The kernel is loaded first (compilation excluded); each thread count is run
    ``repeats`` times around the baseline and the best run is kept (the least
    disturbed by other processes).  Returns the ``kramers bench`` JSON keys.
    """
    import numba

    from ._absorbing import half_line
    from ._langevin import langevin_first_passage

    for name, count in (("trajectories", trajectories), ("baseline_trajectories", baseline_trajectories)):
        check_memory(name, count, ensemble_bytes(count))  # before the kernel is compiled
    x = sympy.Symbol("x", real=True)
    gradient = 4 * x**3 - 4 * x
    available = numba.config.NUMBA_NUM_THREADS
    counts = tuple(sorted(set(threads or {1, available})))
    options = dict(start=START, absorbing=half_line(START, TARGET), temperature=TEMPERATURE, dt=DT, seed=seed)
    langevin_first_passage(gradient, x, trajectories=2, **options)  # compile or load
    load_before = os.getloadavg()[0]
    rates: dict[int, float] = {}
    means: dict[int, tuple[float, float]] = {}

    cpu_rates: dict[int, float] = {}

    def run_kernel():
        for count in counts:
            cpu = time.process_time()
            sample = langevin_first_passage(gradient, x, trajectories=trajectories, threads=count, **options)
            cpu = time.process_time() - cpu
            rates[count] = max(rates.get(count, 0.0), sample.steps_per_second)
            cpu_rates[count] = max(cpu_rates.get(count, 0.0), sample.steps / cpu if cpu > 0 else math.inf)
            means[count] = (float(sample.times.mean()), float(sample.times.std() / math.sqrt(trajectories)))

    for _ in range(max(1, repeats // 2)):
        run_kernel()
    began, cpu = time.perf_counter(), time.process_time()
    baseline_times, baseline_steps = numpy_first_passage(baseline_trajectories, seed)
    baseline = baseline_steps / (time.perf_counter() - began)
    baseline_cpu = baseline_steps / (time.process_time() - cpu)
    for _ in range(max(1, repeats - repeats // 2)):
        run_kernel()
    load_after = os.getloadavg()[0]
    single = rates[min(counts)] / min(counts)
    most = max(counts)
    return {
        "steps_per_second_per_core": single,
        "threads": most,
        "steps_per_second": rates[most],
        "steps_per_second_by_threads": {str(count): rates[count] for count in counts},
        "parallel_efficiency": rates[most] / (most * single),
        "numpy_baseline_steps_per_second": baseline,
        "ratio_vs_numpy": single / baseline,
        "steps_per_cpu_second_per_core": cpu_rates[min(counts)] / min(counts),
        "numpy_baseline_steps_per_cpu_second": baseline_cpu,
        "ratio_vs_numpy_cpu": cpu_rates[min(counts)] / min(counts) / baseline_cpu,
        "trajectories": trajectories,
        "baseline_trajectories": baseline_trajectories,
        "mean_exit_time": means[most][0],
        "mean_exit_time_stderr": means[most][1],
        "baseline_mean_exit_time": float(baseline_times.mean()),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpu_count": os.cpu_count(),
    }
