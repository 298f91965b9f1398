"""The engine's kernels with and without FMA contraction, per CPU-second, against NumPy's normals.

For the three ``kramers bench`` problems (numerics._bench._problems), one
thread, ``--repeats`` alternating repetitions of ``--trajectories`` each; the
engine's fast-math flags are switched between the safe defaults everywhere
(``safe``), ``contract`` in the kernels but not in the printed expressions
(``contract``, the engine's choice: grad U rounds alike in every loop body) and
``contract`` in the expressions too (``contract-all``).  Rates are particle-steps per CPU-second of this
process (``time.process_time``), which the load of a shared machine shrinks far
less than wall-clock rates; the medians are printed with NumPy's
``standard_normal`` draws per CPU-second measured in the same loop.

    KRAMERS_CACHE_DIR=/tmp/kcache .venv/bin/python benchmarks/engine_fastmath.py
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import numerics._langevin as engine
from numerics._bench import _problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    safe, fused = engine.DEFAULT_FASTMATH_FLAGS, engine.DEFAULT_FASTMATH_FLAGS | {"contract"}
    flags = {"safe": (safe, safe), "contract": (fused, safe), "contract-all": (fused, fused)}
    problems = _problems()

    def rate(problem, integrator, tag, trajectories):
        engine.ENGINE_FASTMATH, engine.EXPRESSION_FASTMATH = flags[tag]
        engine._kernel_module.cache_clear()
        began = time.process_time()
        sample = engine.langevin_first_passage(problem, dt=1e-3, seed=1, trajectories=trajectories, threads=1,
                                               integrator=integrator)
        return sample.steps / (time.process_time() - began)

    def normals():
        rng, out = np.random.default_rng(1), np.empty(1 << 16)
        began = time.process_time()
        for _ in range(64):
            rng.standard_normal(out=out)
        return 64 * out.size / (time.process_time() - began)

    for tag in flags:  # compile or load outside the measurement
        for _, problem, integrator in problems:
            rate(problem, integrator, tag, 4)
    rates: dict[tuple[str, str], list[float]] = {}
    baseline = []
    for _ in range(arguments.repeats):
        for tag in flags:
            for name, problem, integrator in problems:
                rates.setdefault((name, tag), []).append(rate(problem, integrator, tag, arguments.trajectories))
        baseline.append(normals())
    reference = float(np.median(baseline))
    print(f"numpy standard_normal per CPU-second: {reference:.3g}   load average {os.getloadavg()}")
    for (name, tag), values in rates.items():
        print(f"{name:<18} {tag:<12} {np.median(values):.3g} steps/CPU-s  {np.median(values) / reference:.2f}x normals")


if __name__ == "__main__":
    main()
