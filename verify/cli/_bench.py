"""``kramers bench``: kernel throughput against a NumPy baseline measured in the same run.

    kramers bench [--trajectories N] [--baseline-trajectories N] [--threads 1,2] [--repeats R] [--no-start-up] [--json]

JSON keys: ``steps_per_second_per_core`` (one thread, wall clock), ``steps_per_cpu_second_per_core``, ``threads`` (the largest
thread count run), ``steps_per_second`` (at that count),
``steps_per_second_by_threads``, ``parallel_efficiency``,
``numpy_baseline_steps_per_second``, ``ratio_vs_numpy``,
``normals_baseline_per_second`` (NumPy's ``standard_normal`` on one core),
``philox_normals_per_second``, ``ratio_vs_normals`` (1-D Euler-Maruyama with the
bridge against those normals), ``kernels`` (steps per second and ratio to the
normals of each benchmarked case), the load average before and after, and ``warm_start_seconds``: the wall time of a fresh
``kramers simulate`` process whose kernels are already in the cache (and
``warm_start_cpu_seconds``, its CPU time, which a shared machine's load does not inflate).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

from ._common import UsageError, emit

__all__ = ["register"]

_WARM_COMMAND = ("simulate", "--potential", "(x**2-1)**2", "--from", "-1", "--to", "1", "--temperature", "0.5",
                 "--trajectories", "10", "--dt", "0.001", "--seed", "1", "--json")


def warm_start_seconds() -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh ``kramers simulate`` process after a first one filled the cache.

    The CPU time (user + system) of the child does not grow with the load of a
    shared machine; the wall time does.
    """
    command = [sys.executable, "-m", "verify.cli", *_WARM_COMMAND]
    subprocess.run(command, check=True, capture_output=True, env=dict(os.environ))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=dict(os.environ))
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _command_bench(arguments) -> int:
    from numerics._bench import benchmark

    if arguments.trajectories < 1 or arguments.baseline_trajectories < 1:
        raise UsageError("--trajectories and --baseline-trajectories must be at least 1")
    if arguments.repeats is not None and arguments.repeats < 1:
        raise UsageError(f"--repeats must be at least 1, got {arguments.repeats}")
    threads = None
    if arguments.threads:
        try:
            threads = tuple(int(part) for part in arguments.threads.split(","))
        except ValueError:
            raise UsageError(f"--threads: expected a comma list of integers, got {arguments.threads!r}") from None
        if min(threads) < 1:
            raise UsageError("--threads: thread counts must be at least 1")
    repeats = {} if arguments.repeats is None else {"repeats": arguments.repeats}  # else numerics._bench.REPEATS
    payload = benchmark(arguments.trajectories, arguments.baseline_trajectories, arguments.seed, threads, **repeats)
    wall, cpu = (None, None) if arguments.no_start_up else warm_start_seconds()
    payload["warm_start_seconds"] = wall
    payload["warm_start_cpu_seconds"] = cpu
    lines = [f"{key:<34} {value}" for key, value in payload.items()]
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    bench = commands.add_parser("bench", help="first-passage kernel steps/s against a NumPy baseline (same run)")
    bench.add_argument("--trajectories", type=int, default=4000, metavar="N")
    bench.add_argument("--baseline-trajectories", type=int, default=2000, metavar="N")
    bench.add_argument("--seed", type=int, default=1, metavar="S")
    bench.add_argument("--threads", metavar="K,K", help="thread counts to run (default: 1 and all)")
    bench.add_argument("--repeats", type=int, metavar="R", help="runs of each measurement, the best kept (default 5)")
    bench.add_argument("--no-start-up", action="store_true", help="skip the warm-start measurement")
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.set_defaults(run=_command_bench)
