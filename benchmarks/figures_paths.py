"""Figures of docs/eyring-kramers.md: minimum-energy paths on a bent double well and on Mueller-Brown.

    python benchmarks/figures_paths.py [--out docs/figures]

Each figure is what ``kramers path --plot FILE`` draws: the contour plot of U,
the converged string, the minima and the index-1 saddles on it, and the
straight segment between the end minima for comparison.
"""

from __future__ import annotations

import argparse
import pathlib

from numerics import transition_path
from theory import Potential
from verify._checks_paths import BANANA, MULLER_BROWN
from verify.cli._path import path_figure_png

#: (file name, potential, from, to, temperature of the title's rates)
FIGURES = (
    ("path_banana.png", BANANA, (-1, 0), (1, 0), 0.1),
    ("path_mueller_brown.png", MULLER_BROWN, (-0.5, 1.5), (0.6, 0.0), 1.0),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/figures", type=pathlib.Path)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    for name, text, start, target, temperature in FIGURES:
        landscape = Potential.from_string(text, "x,y")
        payload = transition_path(landscape, start, target, exact=False).numbers(temperature)
        (arguments.out / name).write_bytes(path_figure_png(landscape, payload))
        print(f"{name}: {len(payload['hops'])} hop(s), barriers {[h['barrier'] for h in payload['hops']]}, "
              f"escape time at T = {temperature}: {payload['escape_time']:.6g}")


if __name__ == "__main__":
    main()
