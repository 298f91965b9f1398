"""Double-precision exit-time statistics against 30-digit mpmath: is every error below its estimate?

Four problems (the quartic well -1 -> 1 and -1 -> 0, the tilted well
x^4/4 - x^2/2 + x/10 from -1 to 1.2, the quartic from -0.5 with absorbing ends
-1.5 and 1) at dU/T = 1, 5, 20, 50, 200; mean and variance everywhere, the
splitting probability and both conditional means with two absorbing ends.
Prints one row per quantity (relative error, estimate) and the worst ratio.

    .venv/bin/python benchmarks/quadrature_accuracy.py
"""

from __future__ import annotations

from numerics import exit_time_statistics
from theory import Potential

CASES = [("(x**2-1)**2", -1, 1, None), ("(x**2-1)**2", -1, 0, None), ("x**4/4 - x**2/2 + x/10", -1, 1.2, None),
         ("(x**2-1)**2", -0.5, 1, -1.5)]


def main() -> None:
    worst = 0.0
    print("U | from -> to | dU/T | quantity | relative error | estimate")
    for text, start, end, absorb in CASES:
        potential = Potential.from_string(text)
        for ratio in (1, 5, 20, 50, 200):
            options = dict(absorb=absorb, moments=2)
            double = exit_time_statistics(potential, start, end, 1 / ratio, **options)
            many = exit_time_statistics(potential, start, end, 1 / ratio, digits=30, **options)
            rows = [("mfpt", double.log_mfpt, many.log_mfpt, double.mfpt_error),
                    ("variance", double.log_variance, many.log_variance, double.variance_error)]
            if absorb is not None:
                rows += [("conditional_right", double.log_conditional_mfpt_right, many.log_conditional_mfpt_right,
                          double.conditional_error),
                         ("conditional_left", double.log_conditional_mfpt_left, many.log_conditional_mfpt_left,
                          double.conditional_error)]
                error = abs(double.splitting_right / float(many.splitting_right) - 1)
                estimate = double.splitting_error / double.splitting_right
                print(f"{text} | {start} -> {end} | {ratio} | splitting | {error:.2g} | {estimate:.2g}")
                worst = max(worst, error / estimate)
            for name, log_double, log_many, estimate in rows:
                error = abs(log_double - float(log_many))  # a difference of logs is a relative error
                print(f"{text} | {start} -> {end} | {ratio} | {name} | {error:.2g} | {estimate:.2g}")
                worst = max(worst, error / estimate)
    print(f"worst error / estimate: {worst:.3g}")


if __name__ == "__main__":
    main()
