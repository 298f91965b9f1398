"""Throughput of the first-passage kernel against a vectorised NumPy baseline.

The measurement itself lives in :mod:`numerics._bench` (it is what
``kramers bench`` runs): the quartic double well U = (x^2 - 1)^2 at T = 0.5,
dt = 1e-3, from -1 to +1, Brownian bridge on, kernel and NumPy baseline timed in
the same run.  This script prints the same JSON for scripted comparisons:

    .venv/bin/python benchmarks/bench_first_passage.py [--trajectories N] [--threads 1,2]
"""

from __future__ import annotations

import argparse


from numerics._bench import benchmark
from numerics._output import json_dumps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4000)
    parser.add_argument("--baseline-trajectories", type=int, default=2000)
    parser.add_argument("--threads", default=None, help="comma list of thread counts, e.g. 1,2")
    arguments = parser.parse_args()
    threads = tuple(int(k) for k in arguments.threads.split(",")) if arguments.threads else None
    print(json_dumps(benchmark(arguments.trajectories, arguments.baseline_trajectories, threads=threads), indent=2))


if __name__ == "__main__":
    main()
