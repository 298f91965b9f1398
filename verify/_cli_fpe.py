"""``kramers fpe``: survival, hazard and (constant T) the exact escape rate from the Fokker-Planck equation."""

from __future__ import annotations

from ._cli_common import UsageError, emit, escape_problem, landscape_options, number, one_dimensional, positive, potential

__all__ = ["register"]


def _command_fpe(arguments) -> int:
    from numerics import fokker_planck_eigenvalues, fokker_planck_mfpt, fokker_planck_survival

    horizon = positive(arguments.horizon, "--horizon")
    if arguments.cells < 8:
        raise UsageError(f"--cells must be at least 8, got {arguments.cells}")
    if arguments.steps < 8:
        raise UsageError(f"--steps must be at least 8, got {arguments.steps}")
    if not 1 <= arguments.outputs <= arguments.steps or arguments.steps % arguments.outputs:
        raise UsageError(f"--outputs must divide --steps = {arguments.steps}, got {arguments.outputs}")
    one_dimensional(potential(arguments), arguments.command)
    problem = escape_problem(arguments, horizon=horizon)
    reflect = None if arguments.reflect is None else number(arguments.reflect, "--reflect")
    curve = fokker_planck_survival(problem, horizon=horizon, reflect=reflect, cells=arguments.cells,
                                   steps=arguments.steps, outputs=arguments.outputs)
    constant = problem.schedule is None
    rate = mfpt = None
    if constant:
        options = dict(reflect=curve.reflect, cells=arguments.cells)
        rate = float(fokker_planck_eigenvalues(problem, **options)[0])
        mfpt = fokker_planck_mfpt(problem, **options)
    payload = {
        "times": curve.times.tolist(),
        "survival": curve.survival.tolist(),
        "hazard": curve.hazard.tolist(),
        "hazard_rate": curve.hazard_rate.tolist(),
        "temperatures": curve.temperatures.tolist(),
        "rate": rate,
        "mfpt": mfpt,
        "reflect": curve.reflect,
        "cells": curve.cells,
        "steps": curve.steps,
        "friction": problem.friction,
    }
    lines = [f"{'t':>12} {'T(t)':>10} {'survival':>14} {'hazard':>12} {'hazard_rate':>12}"]
    every = max(1, len(curve.times) // 10)
    for index in list(range(0, len(curve.times), every))[:10] + [len(curve.times) - 1]:
        lines.append(f"{curve.times[index]:>12.6g} {curve.temperatures[index]:>10.4g} {curve.survival[index]:>14.8g} "
                     f"{curve.hazard[index]:>12.6g} {curve.hazard_rate[index]:>12.6g}")
    if constant:
        lines += [f"rate (lowest eigenvalue)  {rate:.10g}", f"mfpt (backward equation) {mfpt:.10g}"]
    lines.append(f"grid: {curve.cells} cells from reflecting end {curve.reflect:.6g}; {curve.steps} time steps")
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    fpe = commands.add_parser("fpe", help="Fokker-Planck survival, hazard and exact escape rate")
    landscape_options(fpe, temperature_required=False)
    fpe.add_argument("--temperature-expr", metavar="EXPR", help="T(t) as an expression in t, e.g. '0.1+0.1*exp(-(t-20)**2/2)'")
    fpe.add_argument("--schedule", metavar="SPEC", help="T0 + schedule, e.g. spike:A=0.1,t0=20,sigma=2 (T0 from --temperature)")
    fpe.add_argument("--horizon", required=True, metavar="TEND", help="final time")
    fpe.add_argument("--reflect", metavar="L", help="reflecting end beyond --from (default: where U rises 40 T(0))")
    fpe.add_argument("--cells", type=int, default=1000, metavar="N", help="finite-volume cells (default 1000)")
    fpe.add_argument("--steps", type=int, default=2000, metavar="M", help="time steps (default 2000)")
    fpe.add_argument("--outputs", type=int, default=200, metavar="K", help="time points reported (default 200)")
    fpe.set_defaults(run=_command_fpe)
