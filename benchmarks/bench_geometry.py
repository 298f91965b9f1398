"""Geometry-model steps per second (one core): every step recorded against the scaling sweep's 30 steps.

The scaling sweep (``kramers skills scaling``) keeps the loss at 30 log-spaced steps only;
between them the kernel projects x on the sampled tasks alone (or on all n in column order
when a batch holds more than n/5 distinct tasks), see numerics/_skills.py.  Both settings
are timed in alternation in the same run (best of ``--repeats``), with the load average
before and after, and checked equal at the kept steps.  To compare with an older kernel,
run ``kramers skills scaling --quick`` on both checkouts in one window (docs/skills.md).

    NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bench_geometry.py [--steps 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from numerics import geometry_model, power_law_frequencies
from numerics._output import json_dumps


def _run(alpha, d, steps, record):
    return geometry_model(power_law_frequencies(1000, alpha), d=d, steps=steps, learning_rate=0.01, batch=1024,
                          optimizer="adam", loss="ce", orthonormal=False, runs=1, seed=1, vectors_per_run=True,
                          record=record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    steps = arguments.steps
    window = np.unique(np.geomspace(max(1, steps // 100), steps, 30).astype(int))
    _run(1.0, 20, 10, None)  # compile (or load) the kernel
    rows, load_before = [], os.getloadavg()
    for alpha in (1.0, 2.0):
        for d in (20, 320, 1000):
            best = {"every step": np.inf, "30 steps": np.inf}
            for _ in range(arguments.repeats):
                for name, record in (("every step", None), ("30 steps", window)):
                    began = time.perf_counter()
                    run = _run(alpha, d, steps, record)
                    best[name] = min(best[name], time.perf_counter() - began)
                    if record is None:
                        every = run.losses()[0, window]
                    elif not np.array_equal(run.losses()[0], every):
                        raise RuntimeError("recording fewer steps changed the losses")
            rows.append({"alpha": alpha, "d": d, **{f"us_per_step ({name})": 1e6 * seconds / steps
                                                    for name, seconds in best.items()},
                         "ratio": best["every step"] / best["30 steps"]})
    print(json_dumps({"steps": steps, "n": 1000, "batch": 1024, "rows": rows, "load_average_before": load_before,
                      "load_average_after": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
