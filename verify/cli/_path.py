"""``kramers path`` and ``kramers rate --var x,y,...``: minimum-energy paths, their saddles and hops.

    kramers path --var x,y --potential EXPR --from A --to B [--temperature T] [--friction G] [--images M]
                 [--plot FILE] [--param NAME=VALUE]... [--json]

JSON keys: ``minima`` ({``point``, ``energy``} in path order), ``saddles``
({``point``, ``energy``, ``negative_eigenvalue``}), ``hops`` (``from``,
``saddle``, ``to``, ``barrier``, ``rate``, and the hop back:
``return_barrier``, ``return_rate``), ``path`` (the converged images),
``rate`` and ``escape_time`` of the whole passage (the mean first-passage
time of the chain of hops, ``formula``), ``temperature``, ``friction``,
``images``.  Without a temperature the rates and times are null.

``kramers rate`` in d >= 2 takes its saddle from the same path: on a one-hop
path it reports the keys it always has; on a path through intermediate minima
it says so on stderr and reports the hops (the keys above, ``hop_count``).
``--saddle X`` seeds Newton's method at X instead of running the path.
"""

from __future__ import annotations

import warnings

from ._common import (
    UsageError, accept_negative_points, emit, landscape_options, point, positive, potential, write_atomically,
)

__all__ = ["register", "rate_in_dimensions", "add_saddle_option"]


def _images(arguments) -> int:
    from numerics import DEFAULT_IMAGES

    if arguments.images is None:
        return DEFAULT_IMAGES
    if arguments.images < 3:
        raise UsageError(f"--images must be at least 3, got {arguments.images}")
    return arguments.images


def _warn_out_of_regime(temperature, barriers, threshold: float, law: str) -> None:
    if temperature is None:
        return
    ratio = temperature / min(barriers)
    if ratio > threshold:
        warnings.warn(f"T/dU = {ratio:.3g} > {threshold}: the {law} is outside its regime")


def _path_payload(path, temperature, friction, images: int) -> dict:
    return {**path.numbers(temperature, friction), "temperature": temperature, "friction": friction, "images": images}


def _path_lines(landscape, payload) -> list[str]:
    names = ", ".join(map(str, landscape.variables))
    lines = [f"potential     U({names}) = {landscape}"]
    for i, minimum in enumerate(payload["minima"]):
        lines.append(f"minimum {i}     {minimum['point']}  U = {minimum['energy']:.10g}")
    for i, saddle in enumerate(payload["saddles"]):
        lines.append(f"saddle {i}      {saddle['point']}  U = {saddle['energy']:.10g}  "
                     f"lambda_1 = {saddle['negative_eigenvalue']:.6g}")
    for i, hop in enumerate(payload["hops"]):
        rates = "" if hop["rate"] is None else f"  k = {hop['rate']:.6g}, back {hop['return_rate']:.6g}"
        lines.append(f"hop {i}         {i} -> {i + 1}: barrier {hop['barrier']:.10g} (back "
                     f"{hop['return_barrier']:.10g}){rates}")
    if payload["escape_time"] is not None:
        lines.append(f"escape_time   {payload['escape_time']:.10g}   rate {payload['rate']:.10g}")
        lines.append(f"formula       {payload['formula']}")
    return lines


def _transition_path(arguments, landscape):
    from numerics import transition_path

    dimension = landscape.dimension
    return transition_path(
        landscape, point(arguments.start, dimension, "--from"), point(arguments.target, dimension, "--to"),
        images=_images(arguments),
    )


def _command_path(arguments) -> int:
    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    landscape = potential(arguments)
    if arguments.plot is not None:  # checked before the path search, so that a bad --plot costs nothing
        import os

        directory = os.path.dirname(os.path.abspath(arguments.plot))
        if not os.path.isdir(directory):
            raise UsageError(f"--plot: directory {directory} does not exist")
        if landscape.dimension != 2:
            raise UsageError(f"--plot draws two variables, got {landscape.dimension}")
    path = _transition_path(arguments, landscape)
    payload = _path_payload(path, temperature, friction, _images(arguments))
    _warn_out_of_regime(temperature, [h["barrier"] for h in payload["hops"]] +
                        [h["return_barrier"] for h in payload["hops"][:-1]], 0.25, "Eyring-Kramers law")
    if arguments.plot is not None:
        write_atomically(arguments.plot, path_figure_png(landscape, payload), what="--plot")
    emit(arguments, payload, _path_lines(landscape, payload))
    return 0


def path_figure_png(landscape, payload) -> bytes:
    """The contour plot of U with the converged string, its minima and saddles, as PNG bytes."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    import numpy as np
    import sympy

    images = np.array(payload["path"])
    points = np.array([m["point"] for m in payload["minima"]] + [s["point"] for s in payload["saddles"]])
    low, high = points.min(axis=0), points.max(axis=0)
    low, high = np.minimum(low, images.min(axis=0)), np.maximum(high, images.max(axis=0))
    margin = np.full(2, 0.35 * float(np.max(high - low)) + 0.1)  # equal on both axes: a path along one shows
    x = np.linspace(low[0] - margin[0], high[0] + margin[0], 240)
    y = np.linspace(low[1] - margin[1], high[1] + margin[1], 240)
    grid_x, grid_y = np.meshgrid(x, y)
    energy = sympy.lambdify(landscape.variables, landscape.numeric, modules="numpy")
    values = np.broadcast_to(np.asarray(energy(grid_x, grid_y), dtype=float), grid_x.shape)
    top = max(s["energy"] for s in payload["saddles"])
    bottom = min(m["energy"] for m in payload["minima"])
    levels = np.linspace(bottom, top + 0.6 * (top - bottom), 28)
    figure, axes = pyplot.subplots(figsize=(5.6, 4.6), dpi=150)
    contours = axes.contourf(grid_x, grid_y, np.clip(values, None, levels[-1]), levels=levels, cmap="viridis")
    axes.contour(grid_x, grid_y, values, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    figure.colorbar(contours, ax=axes, label="U")
    axes.plot(images[:, 0], images[:, 1], "-o", color="white", markersize=2.5, linewidth=1.2,
              label="minimum-energy path (string)")
    start, end = np.array(payload["minima"][0]["point"]), np.array(payload["minima"][-1]["point"])
    axes.plot([start[0], end[0]], [start[1], end[1]], "--", color="0.85", linewidth=1, label="straight segment")
    minima = np.array([m["point"] for m in payload["minima"]])
    saddles = np.array([s["point"] for s in payload["saddles"]])
    axes.plot(minima[:, 0], minima[:, 1], "o", color="tab:blue", markeredgecolor="white", markersize=7, label="minima")
    axes.plot(saddles[:, 0], saddles[:, 1], "X", color="tab:red", markeredgecolor="white", markersize=9,
              label="index-1 saddles")
    names = [str(v) for v in landscape.variables]
    axes.set_xlabel(names[0])
    axes.set_ylabel(names[1])
    axes.set_title(f"{len(payload['hops'])} hop{'s' if len(payload['hops']) > 1 else ''}: "
                   + ", ".join(f"dU = {h['barrier']:.3g}" for h in payload["hops"]), fontsize=9)
    axes.legend(loc="lower left", fontsize=7, framealpha=0.8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()


def rate_in_dimensions(arguments, landscape, temperature, friction) -> int:
    """``kramers rate`` in d >= 2: the saddle from the minimum-energy path (or ``--saddle``), Eyring-Kramers.

    One hop: the keys of the one-saddle escape.  Several hops: stderr says so
    and the path's keys are reported with ``hop_count``.
    """
    import sympy

    from theory import critical_point, escape_over

    dimension = landscape.dimension
    seed = getattr(arguments, "saddle", None)
    if seed is not None:
        start = point(arguments.start, dimension, "--from")
        point(arguments.target, dimension, "--to")
        minimum = critical_point(landscape, start, what="--from", index=0)
        saddle = critical_point(landscape, point(seed, dimension, "--saddle"), what="--saddle", index=1)
        theory = escape_over(landscape, minimum, saddle)
    else:
        path = _transition_path(arguments, landscape)
        if len(path.hops) > 1:
            payload = {**_path_payload(path, temperature, friction, _images(arguments)), "hop_count": len(path.hops)}
            warnings.warn(
                f"the minimum-energy path from --from to --to passes through {len(path.hops) - 1} intermediate "
                f"minim{'a' if len(path.hops) > 2 else 'um'}: {len(path.hops)} hops; rate and escape_time are the "
                "chain's (mean first-passage time of the hops)"
            )
            _warn_out_of_regime(temperature, [h["barrier"] for h in payload["hops"]], 0.25, "Eyring-Kramers law")
            emit(arguments, payload, _path_lines(landscape, payload))
            return 0
        theory = path.hops[0].forward
    numbers = theory.numbers(temperature if temperature is not None else 1, friction)
    derivation = theory.rate
    if temperature is None:
        numbers["rate"] = numbers["escape_time"] = None
    else:
        _warn_out_of_regime(temperature, [numbers["barrier"]], derivation.validity.threshold, "Eyring-Kramers law")
    payload = {
        **numbers,
        "temperature": temperature,
        "friction": friction,
        "exact_stationary_points": theory.exact,
        "latex": derivation.equation_latex(),
    }
    lines = [f"potential           U({', '.join(map(str, landscape.variables))}) = {landscape}"]
    lines += [f"{key:<19} {payload[key]}" for key in (
        "minimum", "saddle", "barrier", "hessian_minimum", "hessian_saddle", "negative_eigenvalue", "prefactor",
        "rate", "escape_time")]
    lines.append(f"{'formula':<19} {derivation.quantity} = {sympy.sstr(derivation.expression)}")
    emit(arguments, payload, lines)
    return 0


def add_saddle_option(parser) -> None:
    """``--saddle X`` (d >= 2): seed Newton's method for the saddle at X instead of running the path."""
    parser.add_argument("--saddle", metavar="X",
                        help="d >= 2: seed Newton's method for the index-1 saddle at X (comma list) instead of "
                             "searching the minimum-energy path")
    parser.add_argument("--images", type=int, metavar="M",
                        help="d >= 2: images of the string for the path search (default 41)")


def register(commands) -> None:
    path = commands.add_parser("path", help="minimum-energy path (string method), its saddles, hops and rate")
    landscape_options(path, temperature_required=False)
    accept_negative_points(path)
    path.add_argument("--images", type=int, metavar="M", help="images of the string (default 41)")
    path.add_argument("--plot", metavar="FILE", help="draw the path on the contour plot of U (PNG, two variables)")
    path.set_defaults(run=_command_path)
