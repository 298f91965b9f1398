"""``kramers fpe``: survival, hazard and (constant T) the exact escape rate from the Fokker-Planck equation.

One variable: the vertex-centred solver of numerics._fokker_planck on [reflect, to].
Two variables (``--var x,y``): the tensor-grid solver of numerics._fokker_planck_2d,
the absorbing set given by ``--absorb CONDITION`` or ``--to X,Y --radius R`` as in
``kramers simulate``, the box by ``--box X0:X1,Y0:Y1`` or chosen from the potential,
and the grid-convergence order measured on cells/4, cells/2, cells.
"""

from __future__ import annotations

from ._common import (
    UsageError, accept_negative_points, emit, escape_problem, landscape_options, number, positive, potential,
)

__all__ = ["register"]


#: Defaults by dimension: cells (per axis in 2-D) and time steps; 2-D as numerics._fokker_planck_2d's
#: DEFAULT_CELLS_2D and DEFAULT_STEPS_2D (written out here so that `kramers --help` imports no numerics).
DEFAULT_CELLS = {1: 1000, 2: 128}
DEFAULT_STEPS = {1: 2000, 2: 400}


def _counts(text: str | None, dimension: int) -> tuple[int, ...]:
    """``--cells N`` (every axis) or, in 2-D, ``--cells NX,NY``."""
    if text is None:
        return (DEFAULT_CELLS[dimension],) * dimension
    parts = [part.strip() for part in text.split(",")]
    try:
        counts = tuple(int(part) for part in parts)
    except ValueError:
        raise UsageError(f"--cells must be an integer (or NX,NY in 2-D), got {text!r}") from None
    if len(counts) == 1:
        counts = counts * dimension
    if len(counts) != dimension:
        raise UsageError(f"--cells: expected 1 or {dimension} counts, got {len(counts)}")
    least = 8 if dimension == 1 else 32
    if any(count < least for count in counts):
        raise UsageError(f"--cells must be at least {least}, got {text}")
    if dimension == 2 and any(count % 4 for count in counts):
        raise UsageError(f"--cells must be multiples of 4 in 2-D (the convergence ladder uses cells/4 and cells/2), "
                         f"got {text}")
    return counts


def _box(text: str | None):
    """``--box X0:X1,Y0:Y1``, or None (chosen from the potential)."""
    if text is None:
        return None
    sides = [side.split(":") for side in text.split(",")]
    if len(sides) != 2 or any(len(side) != 2 for side in sides):
        raise UsageError(f"--box: expected X0:X1,Y0:Y1, got {text!r}")
    box = tuple((number(low, "--box"), number(high, "--box")) for low, high in sides)
    if not all(low < high for low, high in box):
        raise UsageError(f"--box: each side must have X0 < X1, got {text!r}")
    return box


def _command_fpe(arguments) -> int:
    from numerics import fokker_planck_eigenvalues, fokker_planck_mfpt, fokker_planck_survival

    horizon = positive(arguments.horizon, "--horizon")
    landscape = potential(arguments)
    if landscape.dimension > 2:
        raise UsageError(f"--var: `kramers fpe` handles one or two variables, got {landscape.dimension}")
    cells = _counts(arguments.cells, landscape.dimension)
    steps = DEFAULT_STEPS[landscape.dimension] if arguments.steps is None else arguments.steps
    if steps < 8:
        raise UsageError(f"--steps must be at least 8, got {steps}")
    if not 1 <= arguments.outputs <= steps or steps % arguments.outputs:
        raise UsageError(f"--outputs must divide --steps = {steps}, got {arguments.outputs}")
    if landscape.dimension == 1:
        for flag, value in (("--absorb", arguments.absorb), ("--radius", arguments.radius), ("--box", arguments.box)):
            if value is not None:
                raise UsageError(f"{flag} is for two variables; in 1-D give --to and --reflect")
        if arguments.target is None:
            raise UsageError("--to is required with one variable")
    elif arguments.reflect is not None:
        raise UsageError("--reflect is for one variable; in 2-D the walls of --box reflect")
    problem = escape_problem(arguments, horizon=horizon)
    if landscape.dimension == 2:
        return _fpe_in_two_dimensions(arguments, problem, horizon, cells, steps)
    reflect = None if arguments.reflect is None else number(arguments.reflect, "--reflect")
    curve = fokker_planck_survival(problem, horizon=horizon, reflect=reflect, cells=cells[0], steps=steps,
                                   outputs=arguments.outputs)
    constant = problem.schedule is None
    rate = mfpt = None
    if constant:
        options = dict(reflect=curve.reflect, cells=cells[0])
        rate = float(fokker_planck_eigenvalues(problem, **options)[0])
        mfpt = fokker_planck_mfpt(problem, **options)
    payload = {
        **_curve_keys(curve, rate, mfpt),
        "reflect": curve.reflect,
        "cells": curve.cells,
        "steps": curve.steps,
        "friction": problem.friction,
    }
    lines = _table(curve)
    if constant:
        lines += [f"rate (lowest eigenvalue)  {rate:.10g}", f"mfpt (backward equation) {mfpt:.10g}"]
    lines.append(f"grid: {curve.cells} cells from reflecting end {curve.reflect:.6g}; {curve.steps} time steps")
    emit(arguments, payload, lines)
    return 0


def _curve_keys(curve, rate, mfpt) -> dict:
    """The keys both solvers report: the curve on its time grid, and the rate and MFPT (constant T, else None)."""
    return {
        "times": curve.times.tolist(),
        "survival": curve.survival.tolist(),
        "hazard": curve.hazard.tolist(),
        "hazard_rate": curve.hazard_rate.tolist(),
        "temperatures": curve.temperatures.tolist(),
        "rate": rate,
        "mfpt": mfpt,
    }


def _table(curve) -> list[str]:
    lines = [f"{'t':>12} {'T(t)':>10} {'survival':>14} {'hazard':>12} {'hazard_rate':>12}"]
    every = max(1, len(curve.times) // 10)
    for index in list(range(0, len(curve.times), every))[:10] + [len(curve.times) - 1]:
        lines.append(f"{curve.times[index]:>12.6g} {curve.temperatures[index]:>10.4g} {curve.survival[index]:>14.8g} "
                     f"{curve.hazard[index]:>12.6g} {curve.hazard_rate[index]:>12.6g}")
    return lines


def _fpe_in_two_dimensions(arguments, problem, horizon, cells, steps) -> int:
    """The tensor-grid oracle: survival under T(t); MFPT and lowest eigenvalue at constant T; grid order."""
    from numerics._fokker_planck_2d import (
        fokker_planck_2d_eigenvalues, fokker_planck_2d_mfpt, fokker_planck_2d_survival, tensor_grid,
    )
    from theory import InvalidParameter

    from .._checks_fpe import grid_ladder

    box = _box(arguments.box)
    constant = problem.schedule is None
    # one box for every rung of the ladder: the automatic box at the finest grid's T(0)
    grid = tensor_grid(problem, box=box, cells=cells)
    box = grid.box if box is None else box
    options = dict(box=box)
    rungs = lambda level: tuple(n * level // 4 for n in cells)  # noqa: E731  (level 1, 2, 4: cells/4, /2, /1)
    try:  # the coarsest rung of the convergence ladder must resolve the absorbing set too
        tensor_grid(problem, box=box, cells=rungs(1))
    except InvalidParameter as error:
        raise UsageError(f"--cells: the convergence ladder's coarsest grid (cells/4) fails: {error}") from None
    curve = fokker_planck_2d_survival(problem, horizon=horizon, cells=cells, steps=steps, outputs=arguments.outputs,
                                      **options)
    rate = mfpt = None
    if constant:
        rate = float(fokker_planck_2d_eigenvalues(problem, cells=cells, **options)[0])
        quantity = "mfpt"
        solve = lambda level: fokker_planck_2d_mfpt(problem, cells=rungs(level), **options)  # noqa: E731
    else:
        quantity = "survival at the horizon"
        solve = lambda level: float(curve.survival[-1]) if level == 4 else float(  # noqa: E731
            fokker_planck_2d_survival(problem, horizon=horizon, cells=rungs(level), steps=steps, outputs=1,
                                      **options).survival[-1])
    try:
        value, order, grid_index, values = grid_ladder(solve, 1)
    except InvalidParameter:  # differences change sign: not yet in the asymptotic range
        values = [solve(level) for level in (1, 2, 4)]
        value, order, grid_index = values[-1], None, None
    if constant:
        mfpt = value
    final = curve.grid
    payload = {
        **_curve_keys(curve, rate, mfpt),
        "grid": final.as_dict(),
        "grid_convergence": {
            "quantity": quantity,
            "cells": [list(rungs(level)) for level in (1, 2, 4)],
            "values": values,
            "order": order,
            "error_estimate": None if grid_index is None else grid_index / 1.25,
            "grid_convergence_index": grid_index,
        },
        "grid_convergence_order": order,
        "absorbing": str(problem.absorbing),
        "steps": curve.steps,
        "friction": problem.friction,
    }
    lines = _table(curve)
    if constant:
        lines += [f"rate (lowest eigenvalue)  {rate:.10g}", f"mfpt (backward equation) {mfpt:.10g}"]
    box_text = " x ".join(f"[{low:.6g}, {high:.6g}]" for low, high in final.box)
    lines.append(f"grid: {final.cells[0]} x {final.cells[1]} cells on {box_text}; {curve.steps} time steps; "
                 f"absorbing {problem.absorbing}")
    order_text = "not in the asymptotic range" if order is None else f"{order:.3g}"
    lines.append(f"grid convergence ({quantity}, cells/4, /2, /1): order {order_text}")
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    fpe = commands.add_parser("fpe", help="Fokker-Planck survival, hazard and exact escape rate")
    landscape_options(fpe, temperature_required=False)
    accept_negative_points(fpe)
    for action in fpe._actions:  # in 2-D --absorb may replace --to
        if action.dest == "target":
            action.required = False
            action.help = "target: in 1-D the absorbing point; in 2-D the centre of a ball of --radius"
    fpe.add_argument("--temperature-expr", metavar="EXPR", help="T(t) as an expression in t, e.g. '0.1+0.1*exp(-(t-20)**2/2)'")
    fpe.add_argument("--schedule", metavar="SPEC", help="T0 + schedule, e.g. spike:A=0.1,t0=20,sigma=2 (T0 from --temperature)")
    fpe.add_argument("--horizon", required=True, metavar="TEND", help="final time")
    fpe.add_argument("--reflect", metavar="L", help="reflecting end beyond --from (default: where U rises 40 T(0))")
    fpe.add_argument("--cells", metavar="N", help="finite-volume cells (default 1000); in 2-D per axis, N or NX,NY, "
                                                  "multiples of 4 (default 128)")
    fpe.add_argument("--steps", type=int, metavar="M", help="time steps (default 2000; 2-D: 400)")
    fpe.add_argument("--absorb", metavar="CONDITION",
                     help="2-D: absorbing set as a condition, e.g. 'x > 0' or 'x**2 + y**2 < 0.04' (instead of --to)")
    fpe.add_argument("--radius", metavar="R", help="2-D: radius of the absorbing ball around --to (default 0.1 |to - from|)")
    fpe.add_argument("--box", metavar="X0:X1,Y0:Y1",
                     help="2-D: the reflecting box (default: where U - U_min exceeds 30 T(0) around the start)")
    fpe.add_argument("--outputs", type=int, default=200, metavar="K", help="time points reported (default 200)")
    fpe.set_defaults(run=_command_fpe)
