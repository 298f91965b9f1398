"""Speed and accuracy of the exact 1-D quadrature, with a reference timed in the same run.

Problem: the quartic double well U = (x^2 - 1)^2 (barrier 1), gamma = 1, from
the minimum x = -1 to the far minimum x = +1, reflecting at -infinity, at
T = 1/r for barrier-to-temperature ratios r = dU/T from 1 to 200.  For each r:

* ``numerics.exit_time_statistics`` at 15 digits (double precision, log
  space) and at 30 digits (mpmath), wall and CPU seconds per call (median of
  ``--repeats`` calls; the first call of the process also pays for building
  the Gauss rules and is reported separately);
* the reference: the PyPI package ``kramers`` 0.1.0 (an unrelated handbook of
  first-passage results whose ``FirstPassage1D`` uses Chebyshev panels in log
  space), when it can be imported from ``--reference-path`` (install it into a
  throwaway directory: ``pip install --no-deps --target /tmp/kref kramers==0.1.0``;
  it is not a dependency of this project).  Otherwise the previous mpmath
  path of this project, ``theory.mean_first_passage_time`` (nested tanh-sinh),
  at 15 digits on the first ``--fallback-ratios`` ratios (it takes 15-30 s a call);
* the relative error of every double-precision value against the 30-digit one.

    .venv/bin/python benchmarks/bench_quadrature.py --reference-path /tmp/kref [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

RATIOS = (1, 2, 5, 10, 20, 50, 100, 200)


def _timed(call, repeats):
    """(value, median wall seconds, median CPU seconds) of ``repeats`` calls."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        value = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return value, statistics.median(walls), statistics.median(cpus)


def _reference(path):
    """``FirstPassage1D`` of the PyPI package kramers 0.1.0, or None when it is not importable from ``path``."""
    if path is None:
        return None
    sys.path.insert(0, path)
    try:
        from kramers.solvers.quadrature import FirstPassage1D  # noqa: PLC0415 - optional, outside the project
    except ImportError:
        return None
    finally:
        sys.path.remove(path)
    return FirstPassage1D


def run(reference_path=None, repeats=5, fallback_ratios=2):
    import mpmath

    from numerics import exit_time_statistics
    from theory import Potential, mean_first_passage_time

    potential = Potential.from_string("(x**2-1)**2")
    reference = _reference(reference_path)
    rows = []
    began = time.perf_counter()
    first_double, first_many = None, None
    for ratio in RATIOS:
        temperature = f"1/{ratio}"
        if first_double is None:  # the process's first calls: Gauss rules, lambdified U
            wall = time.perf_counter()
            exit_time_statistics(potential, -1, 1, temperature)
            first_double = time.perf_counter() - wall
            wall = time.perf_counter()
            exit_time_statistics(potential, -1, 1, temperature, digits=30)
            first_many = time.perf_counter() - wall
        double, double_wall, double_cpu = _timed(lambda: exit_time_statistics(potential, -1, 1, temperature),
                                                 repeats)
        many, many_wall, many_cpu = _timed(
            lambda: exit_time_statistics(potential, -1, 1, temperature, digits=30), max(1, repeats // 2))
        with mpmath.workdps(40):
            truth = mpmath.exp(many.log_mfpt)
            row = {
                "dU/T": ratio, "mfpt_30_digits": mpmath.nstr(truth, 30),
                "double_wall_s": double_wall, "double_cpu_s": double_cpu,
                "double_relative_error": float(abs(mpmath.exp(double.log_mfpt) / truth - 1)),
                "double_error_estimate": double.mfpt_error,
                "mpmath30_wall_s": many_wall, "mpmath30_cpu_s": many_cpu, "mpmath30_error_estimate": many.mfpt_error,
            }
            if reference is not None:
                T = 1 / ratio

                def solve():
                    problem = reference(lambda x: (x**2 - 1) ** 2 / T, D=T, domain=(-float("inf"), 1.0),
                                        left="natural", right="absorbing")
                    return problem.mean_time(-1.0)

                value, wall, cpu = _timed(solve, repeats)
                row.update(reference="kramers 0.1.0 FirstPassage1D", reference_wall_s=wall, reference_cpu_s=cpu,
                           reference_relative_error=float(abs(mpmath.mpf(float(value)) / truth - 1)),
                           reference_error_estimate=float(value.error) / float(value))
            elif RATIOS.index(ratio) < fallback_ratios:
                value, wall, cpu = _timed(lambda: mean_first_passage_time(potential, -1, 1, temperature), 1)
                row.update(reference="theory.mean_first_passage_time (mpmath tanh-sinh, 15 digits)",
                           reference_wall_s=wall, reference_cpu_s=cpu,
                           reference_relative_error=float(abs(value.value / truth - 1)))
        rows.append(row)
    return {
        "rows": rows, "first_call_double_s": first_double, "first_call_mpmath30_s": first_many,
        "load_average": os.getloadavg(), "total_wall_s": time.perf_counter() - began,
    }


def markdown(result) -> str:
    lines = ["| dU/T | 15 digits: wall s (CPU s) | rel. error (estimate) | 30 digits: wall s (CPU s) | "
             "reference: wall s (CPU s) | reference rel. error |", "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        reference = (f"{row['reference_wall_s']:.3g} ({row['reference_cpu_s']:.3g})"
                     if "reference_wall_s" in row else "-")
        reference_error = f"{row['reference_relative_error']:.1e}" if "reference_wall_s" in row else "-"
        lines.append(
            f"| {row['dU/T']} | {row['double_wall_s']:.3g} ({row['double_cpu_s']:.3g}) | "
            f"{row['double_relative_error']:.1e} ({row['double_error_estimate']:.1e}) | "
            f"{row['mpmath30_wall_s']:.3g} ({row['mpmath30_cpu_s']:.3g}) | {reference} | {reference_error} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-path", help="directory holding the PyPI package kramers 0.1.0")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fallback-ratios", type=int, default=2,
                        help="ratios on which the old mpmath path is timed when the reference is absent")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    result = run(arguments.reference_path, arguments.repeats, arguments.fallback_ratios)
    if arguments.json:
        print(json.dumps(result, indent=2))
    else:
        print(markdown(result))
        print(f"\nfirst call of the process: 15 digits {result['first_call_double_s']:.3g} s, "
              f"30 digits {result['first_call_mpmath30_s']:.3g} s; load average {result['load_average']}")


if __name__ == "__main__":
    main()
