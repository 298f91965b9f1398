"""Throughput of the Langevin engine, as ratios against baselines measured in the same run.

Problem: the quartic double well U = (x^2 - 1)^2 (U' = 4x^3 - 4x), T = 1/2,
gamma = 1, dt = 1e-3, from the minimum x = -1 to the far minimum x = +1 (exact
mean exit time 10.2586), Euler-Maruyama with the Brownian bridge: the engine
(:func:`numerics.langevin_first_passage`) that ``kramers simulate`` and every
check run.  Beside it, one thread each (``kernels``):

* ``em_1d_bridge``: that problem;
* ``em_2d_half_plane``: U = (x^2 - 1)^2 + y^2 from (-1, 0) into the half-plane
  x >= 1, Euler-Maruyama with the bridge;
* ``baoab_1d``: the quartic with mass 1, BAOAB.

Baselines: (1) the same scheme vectorised over the live trajectories in NumPy
(step the survivors with ``Generator.standard_normal``, drop the absorbed), one
process; (2) NumPy's ``Generator.standard_normal`` alone, normals per second on
one core (``normals_baseline_per_second``, from :func:`normals_per_second`): a kernel step needs at least one
normal per coordinate, so steps/s over normals/s says how far the engine is
past the cost of its noise in NumPy.  Machines are shared, so an absolute rate means little; the ratio of
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

from ._validate import check_memory, ensemble_bytes

__all__ = ["numpy_first_passage", "benchmark", "normals_per_second"]

START, TARGET, TEMPERATURE, DT = -1.0, 1.0, 0.5, 1e-3


#: Runs of each measurement (kernels, NumPy normals, NumPy loop halves); the best is kept, the run
#: least disturbed by other processes, on a shared machine as often as not a late one.
REPEATS = 5


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


def _problems():
    """The benchmarked problems: (name, problem, integrator)."""
    from theory import EscapeProblem, HalfSpace, Potential

    quartic = Potential.from_string("(x**2-1)**2")
    plane = Potential.from_string("(x**2-1)**2 + y**2", variables="x,y")
    return (
        ("em_1d_bridge", EscapeProblem(quartic, START, TARGET, TEMPERATURE), "em"),
        ("em_2d_half_plane", EscapeProblem(plane, (START, 0.0), HalfSpace((1.0, 0.0), TARGET), TEMPERATURE), "em"),
        ("baoab_1d", EscapeProblem(quartic, START, TARGET, TEMPERATURE, mass=1.0), "baoab"),
    )


def benchmark(
    trajectories: int = 4000,
    baseline_trajectories: int = 2000,
    seed: int = 1,
    threads: tuple[int, ...] | None = None,
    repeats: int = REPEATS,
) -> dict:
    """Steps per second of the kernel for each thread count and of the NumPy baseline.

    The kernel is loaded first (compilation excluded); each thread count is run
    ``repeats`` times around the baseline and the best run is kept (the least
    disturbed by other processes).  Returns the ``kramers bench`` JSON keys.
    """
    import numba

    from ._langevin import langevin_first_passage

    for name, count in (("trajectories", trajectories), ("baseline_trajectories", baseline_trajectories)):
        check_memory(name, count, ensemble_bytes(count))  # before the kernel is compiled
    problems = _problems()
    problem = problems[0][1]
    available = numba.config.NUMBA_NUM_THREADS
    counts = tuple(sorted(set(threads or {1, available})))
    options = dict(dt=DT, seed=seed)
    for _, each, integrator in problems:  # compile or load
        langevin_first_passage(each, trajectories=2, integrator=integrator, **options)
    load_before = os.getloadavg()[0]
    rates: dict[int, float] = {}
    means: dict[int, tuple[float, float]] = {}

    cpu_rates: dict[int, float] = {}

    def run_kernel():
        for count in counts:
            cpu = time.process_time()
            sample = langevin_first_passage(problem, trajectories=trajectories, threads=count, **options)
            cpu = time.process_time() - cpu
            rates[count] = max(rates.get(count, 0.0), sample.steps_per_second)
            cpu_rates[count] = max(cpu_rates.get(count, 0.0), sample.steps / cpu if cpu > 0 else math.inf)
            means[count] = (float(sample.times.mean()), float(sample.times.std() / math.sqrt(trajectories)))

    kernels: dict[str, float] = {}

    def run_kernels():
        for name, each, integrator in problems:
            sample = langevin_first_passage(each, trajectories=max(1, trajectories // 2), integrator=integrator,
                                            threads=1, **options)
            kernels[name] = max(kernels.get(name, 0.0), sample.steps_per_second)

    noise = normals_per_second(normals=1 << 22, repeats=max(1, repeats // 2), seed=seed)
    for _ in range(max(1, repeats // 2)):
        run_kernel()
        run_kernels()
    began, cpu = time.perf_counter(), time.process_time()
    baseline_times, baseline_steps = numpy_first_passage(baseline_trajectories, seed)
    baseline = baseline_steps / (time.perf_counter() - began)
    baseline_cpu = baseline_steps / (time.process_time() - cpu)
    for _ in range(max(1, repeats - repeats // 2)):
        run_kernel()
        run_kernels()
    later = normals_per_second(normals=1 << 22, repeats=max(1, repeats - repeats // 2), seed=seed)
    noise = max(noise, later, key=lambda report: report["numpy_normals_per_second"])
    normals = noise["numpy_normals_per_second"]
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
        "normals_baseline_per_second": normals,
        "philox_normals_per_second": noise["philox_normals_per_second"],
        "ratio_vs_normals": kernels["em_1d_bridge"] / normals,
        "kernels": {name: {"steps_per_second": rate, "ratio_vs_normals": rate / normals}
                    for name, rate in kernels.items()},
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpu_count": os.cpu_count(),
    }


def normals_per_second(normals: int = 10_000_000, repeats: int = 5, seed: int = 1) -> dict:
    """Standard normals per second of one core: the kernels' Philox block fill against NumPy's ``standard_normal``.

    The Philox side is what a kernel does for its noise: :func:`numerics._random.fill_normal_block`
    called again and again on the same two buffers of ``NORMAL_BLOCK`` pairs (in
    cache).  The baseline is ``Generator.standard_normal(out=...)`` (ziggurat,
    PCG64) into a buffer of 2**20, NumPy's best case.  The two are timed in
    alternation, ``repeats`` times each, and the best run of each is kept; rates
    per CPU-second of the process (``time.process_time``) are reported too.
    Compilation is excluded.
    """
    from . import _random

    kernels = _random._random_module()
    cosines, sines = np.empty(_random.NORMAL_BLOCK), np.empty(_random.NORMAL_BLOCK)
    blocks = max(1, normals // (2 * _random.NORMAL_BLOCK))
    drawn = 2 * _random.NORMAL_BLOCK * blocks
    kernels.draw_normal_blocks(seed, 0, 1, cosines, sines)  # compile or load
    generator = np.random.default_rng(seed)
    buffer = np.empty(2**20)
    chunks = max(1, drawn // buffer.size)
    load_before = os.getloadavg()[0]
    best = {"philox": (math.inf, math.inf), "numpy": (math.inf, math.inf)}

    def timed(name, work, count):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best[name] = (min(best[name][0], wall / count), min(best[name][1], cpu / count))

    def numpy_normals():
        for _ in range(chunks):
            generator.standard_normal(out=buffer)

    for _ in range(repeats):
        timed("philox", lambda: kernels.draw_normal_blocks(seed, 0, blocks, cosines, sines), drawn)
        timed("numpy", numpy_normals, chunks * buffer.size)
    philox_wall, philox_cpu = best["philox"]
    numpy_wall, numpy_cpu = best["numpy"]

    def per_second(seconds_per_normal: float) -> float:  # a clock may not tick in a tiny run
        return 1.0 / seconds_per_normal if seconds_per_normal > 0.0 else math.inf

    return {
        "philox_normals_per_second": per_second(philox_wall),
        "numpy_normals_per_second": per_second(numpy_wall),
        "ratio_vs_numpy": per_second(philox_wall) / per_second(numpy_wall),
        "philox_normals_per_cpu_second": per_second(philox_cpu),
        "numpy_normals_per_cpu_second": per_second(numpy_cpu),
        "ratio_vs_numpy_cpu": per_second(philox_cpu) / per_second(numpy_cpu),
        "normals": drawn,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
    }
