"""Standard normals per second: the kernels' Philox4x32-10 block fill against NumPy's ``standard_normal``.

The measurement lives in :func:`numerics._bench.normals_per_second` (one core,
both timed in alternation in the same run, best of ``--repeats``, wall-clock
and CPU-time rates, load average before and after).  The generated code
targets the host CPU; to see what an AVX2-only machine does, set Numba's
target, e.g. ``NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=+avx2,+fma,...``
(and a fresh ``KRAMERS_CACHE_DIR``).

    .venv/bin/python benchmarks/bench_random.py [--normals N] [--repeats R]
"""

from __future__ import annotations

import argparse

from numerics._bench import normals_per_second
from numerics._output import json_dumps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--normals", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    print(json_dumps(normals_per_second(arguments.normals, arguments.repeats), indent=2))


if __name__ == "__main__":
    main()
