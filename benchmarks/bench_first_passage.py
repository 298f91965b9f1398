"""Throughput of the first-passage kernel against a vectorised NumPy baseline.

Quartic double well U = (x^2 - 1)^2 (U' = 4x^3 - 4x) at T = 0.5, gamma = 1,
dt = 1e-3, from the minimum x = -1 to the far minimum x = +1 (mean exit time
10.2586 from the exact quadrature, THEORY.md section 2), Brownian bridge on.

Prints particle-steps per second for 1 thread and for all threads, per core,
the NumPy baseline's steps per second measured in the same run, the ratio, and
the cold (empty cache) and warm (cache filled) start-up costs measured in
fresh processes.  Run:  .venv/bin/python benchmarks/bench_first_passage.py
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import sympy

from numerics import first_passage_ensemble

x = sympy.Symbol("x", real=True)
GRADIENT = 4 * x**3 - 4 * x
START, TARGET, TEMPERATURE, DT = -1.0, 1.0, 0.5, 1e-3


def numpy_first_passage(trajectories: int, seed: int, max_steps: int = 10**7) -> tuple[np.ndarray, int]:
    """Vectorised Euler-Maruyama with bridge over the live trajectories (baseline)."""
    rng = np.random.default_rng(seed)
    sigma_squared = 2.0 * TEMPERATURE
    noise_scale = math.sqrt(sigma_squared * DT)
    bridge_coefficient = 2.0 / (sigma_squared * DT)
    positions = np.full(trajectories, START)
    alive = np.arange(trajectories)
    times = np.full(trajectories, max_steps * DT)
    steps = 0
    for step in range(max_steps):
        if alive.size == 0:
            break
        current = positions[alive]
        following = current - (4.0 * current**3 - 4.0 * current) * DT + noise_scale * rng.standard_normal(alive.size)
        steps += alive.size
        distance, distance_next = TARGET - current, TARGET - following
        crossed = distance_next <= 0.0
        exponent = bridge_coefficient * distance * np.maximum(distance_next, 0.0)
        crossed |= rng.random(alive.size) < np.exp(-exponent)
        positions[alive] = following
        if crossed.any():
            times[alive[crossed]] = (step + 1) * DT
            alive = alive[~crossed]
    return times, steps


_CHILD = textwrap.dedent(
    """
    import json, time
    began = time.perf_counter()
    import sympy
    from numerics import compilation_statistics, first_passage_ensemble
    x = sympy.Symbol("x", real=True)
    sample = first_passage_ensemble(4 * x**3 - 4 * x, x, start=-1.0, target=1.0, temperature=0.5,
                                    dt=1e-3, trajectories=1, seed=1)
    print(json.dumps(dict(compilation_statistics().as_dict(),
                          seconds=time.perf_counter() - began - sample.wall_seconds)))
    """
)


def start_up_seconds() -> tuple[dict, dict]:
    """Import + generate + compile (cold) or load (warm), in fresh processes."""
    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ, KRAMERS_CACHE_DIR=cache)
        runs = []
        for _ in range(2):
            result = subprocess.run([sys.executable, "-c", _CHILD], env=environment, check=True,
                                    capture_output=True, text=True)
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return runs[0], runs[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4000)
    parser.add_argument("--baseline-trajectories", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()

    import numba

    cores = numba.config.NUMBA_NUM_THREADS
    cold, warm = start_up_seconds()
    print(f"start-up (import + codegen + compile/load, fresh process): cold {cold['seconds']:.2f} s "
          f"({cold['compiled']} compiled), warm {warm['seconds']:.2f} s "
          f"({warm['compiled']} compiled, {warm['loaded']} loaded)")

    options = dict(start=START, target=TARGET, temperature=TEMPERATURE, dt=DT,
                   trajectories=arguments.trajectories, seed=arguments.seed)
    first_passage_ensemble(GRADIENT, x, **dict(options, trajectories=2))  # load the kernel
    results = {}
    for threads in sorted({1, cores}):
        sample = first_passage_ensemble(GRADIENT, x, threads=threads, **options)
        results[threads] = sample
        print(f"numba  threads={threads}: {sample.steps:.3e} steps in {sample.wall_seconds:.2f} s = "
              f"{sample.steps_per_second:.3e} steps/s = {sample.steps_per_second / threads:.3e} steps/s/core; "
              f"mean exit time {sample.times.mean():.3f} +- {sample.times.std() / math.sqrt(sample.trajectories):.3f}"
              f" (exact 10.2586), censored {sample.censored}")

    began = time.perf_counter()
    times, steps = numpy_first_passage(arguments.baseline_trajectories, arguments.seed)
    seconds = time.perf_counter() - began
    baseline = steps / seconds
    print(f"numpy  (1 process, vectorised): {steps:.3e} steps in {seconds:.2f} s = {baseline:.3e} steps/s; "
          f"mean exit time {times.mean():.3f} +- {times.std() / math.sqrt(times.size):.3f}")
    single = results[1].steps_per_second
    print(f"ratio numba/numpy: 1 thread {single / baseline:.1f}x, {cores} threads "
          f"{results[cores].steps_per_second / baseline:.1f}x")


if __name__ == "__main__":
    main()
