"""``kramers rate``, ``kramers mfpt`` and ``kramers simulate``: one-dimensional escape."""

from __future__ import annotations

import argparse
import warnings

from ._cli_common import (
    UsageError, accept_negative_points, emit, landscape_options, number, one_dimensional, point, positive, potential,
    temperature_of_time,
)
from ._cli_ensemble import DISTRIBUTED_OPTIONS, ensemble_options, replay_command, run_ensemble_command

__all__ = ["register"]


def _command_rate(arguments) -> int:
    import sympy

    from theory import kramers_escape

    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    landscape = potential(arguments)
    if landscape.dimension > 1:
        return _rate_in_dimensions(arguments, landscape, temperature, friction)
    theory = kramers_escape(landscape, number(arguments.start, "--from"), number(arguments.target, "--to"))
    numbers = theory.numbers(temperature if temperature is not None else 1, friction)
    derivation = theory.rate
    if temperature is None:  # rate and time need a temperature; the rest does not
        numbers["rate"] = numbers["escape_time"] = None
    else:
        barrier_ratio = temperature / numbers["barrier"]
        if barrier_ratio > derivation.validity.threshold:
            warnings.warn(
                f"T/dU = {barrier_ratio:.3g} > {derivation.validity.threshold}: Kramers' law is outside its regime "
                "(use `kramers mfpt` for the exact time)"
            )
    payload = {
        **numbers,
        "temperature": temperature,
        "friction": friction,
        "exact_stationary_points": theory.points.minimum.exact and theory.points.saddle.exact,
        "correction_coefficient": float(sympy.N(theory.correction_coefficient(1).subs(landscape.values))),
        "latex": derivation.equation_latex(),
    }
    lines = [f"potential          U(x) = {landscape}"]
    lines += [
        f"{key:<18} {payload[key]}" for key in (
            "minimum", "saddle", "barrier", "curvature_minimum", "curvature_saddle", "prefactor", "rate",
            "escape_time", "correction_coefficient",
        )
    ]
    lines.append(f"{'formula':<18} {derivation.quantity} = {sympy.sstr(derivation.expression)}")
    emit(arguments, payload, lines)
    return 0


def _rate_in_dimensions(arguments, landscape, temperature, friction) -> int:
    """Eyring-Kramers: minimum and index-1 saddle by Newton's method, Hessians, determinant ratio."""
    import sympy

    from theory import eyring_kramers_escape

    dimension = landscape.dimension
    theory = eyring_kramers_escape(
        landscape, point(arguments.start, dimension, "--from"), point(arguments.target, dimension, "--to")
    )
    numbers = theory.numbers(temperature if temperature is not None else 1, friction)
    derivation = theory.rate
    if temperature is None:
        numbers["rate"] = numbers["escape_time"] = None
    elif temperature / numbers["barrier"] > derivation.validity.threshold:
        warnings.warn(
            f"T/dU = {temperature / numbers['barrier']:.3g} > {derivation.validity.threshold}: "
            "the Eyring-Kramers law is outside its regime"
        )
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


def _command_mfpt(arguments) -> int:
    from theory import mean_first_passage_time

    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    if not 1 <= arguments.digits <= 100:
        raise UsageError(f"--digits must be from 1 to 100, got {arguments.digits}")
    landscape = potential(arguments)
    one_dimensional(landscape, arguments.command)
    result = mean_first_passage_time(
        landscape,
        number(arguments.start, "--from"),
        number(arguments.target, "--to"),
        temperature,
        friction=friction,
        digits=arguments.digits,
        reflect=None if arguments.reflect is None else number(arguments.reflect, "--reflect"),
    )
    payload = {
        "mfpt": str(result),
        "digits": result.digits,
        "error_estimate": float(result.error_estimate),
        "temperature": temperature,
        "friction": friction,
    }
    emit(arguments, payload, [f"mfpt   {result}", f"digits {result.digits}"])
    return 0


def _absorbing_set(arguments, landscape, start):
    """``--absorb CONDITION``, or ``--to``: a half-line in 1-D, a ball of ``--radius`` around a point in d-D."""
    from numerics import Ball, absorbing_set_from_condition, half_line

    if (arguments.absorb is None) == (arguments.target is None):
        raise UsageError("simulate: give exactly one of --to (a point) and --absorb (a condition)")
    if arguments.absorb is not None:
        if arguments.radius is not None:
            raise UsageError("--radius goes with --to, not with --absorb")
        return absorbing_set_from_condition(arguments.absorb, landscape.variables, landscape.values, what="--absorb")
    target = point(arguments.target, landscape.dimension, "--to")
    if landscape.dimension == 1 and arguments.radius is None:
        return half_line(start[0], target[0])
    radius = positive(arguments.radius, "--radius")
    if radius is None:  # default: a tenth of the distance from the start
        radius = 0.1 * sum((a - b) ** 2 for a, b in zip(start, target)) ** 0.5
    return Ball(target, radius)


def _run_with_progress(arguments, chunk):
    """Run ``chunk(first, count)`` over all trajectories in chunks, with a progress bar on stderr.

    The chunks are consecutive trajectory ranges of the same counter-based
    noise, so the merged sample equals one call bit for bit; the bar appears
    only for runs over a few seconds, and not with --quiet or with --json when
    stderr is not a terminal.
    """
    import sys

    from numerics import run_ensemble

    from ._progress import ProgressBar

    show = not arguments.quiet and (not arguments.json or sys.stderr.isatty())
    progress = ProgressBar() if show else None
    try:
        return run_ensemble(chunk, arguments.trajectories, progress=progress, inputs={}).sample
    finally:
        if progress is not None:
            progress.close()


def _refuse_what_would_not_fit(arguments, dimension: int) -> None:
    """Refuse, before any compilation, a run whose samples (every rung of a dt ladder) would not fit in memory."""
    from numerics._validate import check_memory, ensemble_bytes

    width = dimension * (2 if arguments.integrator == "baoab" else 1)
    rungs = arguments.dt_ladder if arguments.dt_ladder and arguments.dt_ladder > 1 else 1
    check_memory("trajectories", arguments.trajectories, rungs * ensemble_bytes(arguments.trajectories, width))


def _command_simulate(arguments) -> int:
    from numerics import HalfSpace, dt_ladder, langevin_first_passage

    from ._statistics import exponential_rate, mean_first_passage

    temperature = temperature_of_time(arguments, None)
    friction = positive(arguments.friction, "--friction")
    dt = positive(arguments.dt, "--dt")
    max_time = positive(arguments.max_time, "--max-time")
    mass = positive(arguments.mass, "--mass")
    if arguments.trajectories < 1:
        raise UsageError(f"--trajectories must be at least 1, got {arguments.trajectories}")
    if arguments.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {arguments.seed}")
    if arguments.threads is not None and arguments.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {arguments.threads}")
    if mass is not None and arguments.integrator != "baoab":
        raise UsageError(f"--mass needs --integrator baoab (overdamped dynamics has no inertia), got {arguments.integrator}")
    landscape = potential(arguments)
    _refuse_what_would_not_fit(arguments, landscape.dimension)
    start = point(arguments.start, landscape.dimension, "--from")
    absorbing = _absorbing_set(arguments, landscape, start)
    distributed = [flag for flag, dest in DISTRIBUTED_OPTIONS if getattr(arguments, dest) is not None]
    run_keys = {}
    ladder = None
    if distributed:
        # chunked runs (workers, clusters, checkpoints, replay) go through first_passage_ensemble,
        # bit-identical to langevin_first_passage for 1-D Euler-Maruyama to a half-line at constant T
        if not (landscape.dimension == 1 and arguments.integrator == "em" and isinstance(absorbing, HalfSpace)
                and isinstance(temperature, float) and arguments.dt_ladder is None):
            raise UsageError(
                f"{distributed[0]}: chunked and distributed runs take one variable, --integrator em, --to (not "
                "--absorb/--radius), a constant --temperature and no --dt-ladder"
            )
        options = dict(
            start=start[0], target=number(arguments.target, "--to"), temperature=temperature, dt=dt,
            seed=arguments.seed, friction=friction, max_time=max_time,
            bridge=True if arguments.bridge is None else arguments.bridge, threads=arguments.threads,
        )
        gradient, variable = landscape.derivative(1, numeric=True), landscape.variable
        if arguments.replay is not None:
            return replay_command(arguments, gradient, variable, emit, **options)
        sample, run_keys = run_ensemble_command(arguments, gradient, variable, **options)
        run_keys.update(integrator="em", mass=None, absorbing=str(absorbing), dimension=1)
    else:
        gradient = tuple(sympy_gradient.subs(landscape.values) for sympy_gradient in landscape.gradient)
        options = dict(
            start=start, absorbing=absorbing, temperature=temperature, trajectories=arguments.trajectories,
            seed=arguments.seed, friction=friction, mass=mass, integrator=arguments.integrator, max_time=max_time,
            bridge=arguments.bridge, threads=arguments.threads,
        )
        if arguments.dt_ladder is not None:
            if arguments.dt_ladder < 2:
                raise UsageError(f"--dt-ladder must be at least 2 rungs, got {arguments.dt_ladder}")
            ladder = dt_ladder(gradient, landscape.variables, rungs=arguments.dt_ladder, dt=dt, **options)
            sample = ladder.samples[-1]
        else:
            sample = _run_with_progress(arguments, lambda first, count: langevin_first_passage(
                gradient, landscape.variables, dt=dt, **{**options, "trajectories": count, "first_trajectory": first}))
        run_keys.update(integrator=sample.integrator, mass=sample.mass, absorbing=str(sample.absorbing),
                        dimension=landscape.dimension)
    if sample.censored:
        warnings.warn(
            f"{sample.censored} of {sample.trajectories} trajectories were censored at t = {sample.max_time:g}; "
            "the mean is over the escaped ones and biased low (raise --max-time)"
        )
    escapes = sample.trajectories - sample.censored
    mean = mean_first_passage(sample.times, sample.escaped, allow_censored=True) if escapes >= 2 else None
    rate = exponential_rate(sample.times, sample.escaped) if escapes else None
    payload = {
        "mean": mean.value if mean else None,
        "stderr": mean.stderr if mean else None,
        "trajectories": sample.trajectories,
        "censored": sample.censored,
        "seed": sample.seed,
        "steps_per_second": sample.steps_per_second,
        "rate_mle": rate.value if rate else None,
        "rate_mle_stderr": rate.stderr if rate else None,
        "dt": sample.dt,
        "temperature": temperature if isinstance(temperature, float) else sample.temperature,
        "friction": sample.friction,
        "bridge": sample.bridge,
        "threads": sample.threads,
        "steps": sample.steps,
        "wall_seconds": sample.wall_seconds,
        **run_keys,
    }
    keys = ["mean", "stderr", "trajectories", "censored", "rate_mle", "seed", "threads", "steps_per_second",
            "integrator", "absorbing"]
    if ladder is not None:
        payload.update({
            "dt_ladder": list(ladder.dts),
            "dt_ladder_means": list(ladder.means),
            "dt_ladder_stderrs": list(ladder.stderrs),
            "dt_bias_order": ladder.order,
            "dt_bias_estimate": ladder.dt_bias_estimate,
            "dt_bias_estimate_stderr": ladder.dt_bias_estimate_stderr,
            "extrapolated_mean": ladder.extrapolated_mean,
        })
        keys += ["dt_bias_estimate", "dt_bias_estimate_stderr", "extrapolated_mean"]
    lines = [f"{key:<24} {payload[key]}" for key in keys]
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    rate = commands.add_parser("rate", help="Kramers rate: stationary points, barrier, prefactor")
    landscape_options(rate, temperature_required=False)
    accept_negative_points(rate)
    rate.set_defaults(run=_command_rate)

    mfpt = commands.add_parser("mfpt", help="exact mean first-passage time by quadrature")
    landscape_options(mfpt, temperature_required=True)
    mfpt.add_argument("--digits", type=int, default=15, metavar="D", help="significant digits (default 15)")
    mfpt.add_argument("--reflect", metavar="L", help="reflecting end beyond --from (default: infinity)")
    mfpt.set_defaults(run=_command_mfpt)

    simulate = commands.add_parser("simulate", help="Langevin ensemble of first-passage times")
    landscape_options(simulate, temperature_required=False)
    accept_negative_points(simulate)
    for action in simulate._actions:  # --absorb may replace --to, a schedule may replace --temperature
        if action.dest == "target":
            action.required = False
            action.help = "target: a point; in 1-D the half-line beyond it, in d-D a ball of --radius around it"
    simulate.add_argument("--trajectories", type=int, required=True, metavar="N")
    simulate.add_argument("--dt", required=True, metavar="DT", help="time step")
    simulate.add_argument("--seed", type=int, required=True, metavar="S")
    simulate.add_argument("--threads", type=int, metavar="K", help="threads (default: all cores)")
    simulate.add_argument("--max-time", metavar="TMAX", help="time cap; later trajectories are censored")
    simulate.add_argument("--bridge", action=argparse.BooleanOptionalAction, default=None,
                          help="Brownian-bridge boundary correction (default: on wherever exact, i.e. overdamped "
                               "with a flat boundary)")
    simulate.add_argument("--absorb", metavar="CONDITION",
                          help="absorbing set as a condition, e.g. 'x + y > 1' or 'x**2 + y**2 < 0.04' (instead of --to)")
    simulate.add_argument("--radius", metavar="R", help="radius of the ball around --to (d-D default: 0.1 |to - from|)")
    simulate.add_argument("--temperature-expr", metavar="EXPR",
                          help="temperature T(t), an expression in t (instead of --temperature)")
    simulate.add_argument("--schedule", metavar="SPEC",
                          help="T0 + schedule, e.g. 'spike:A=0.2,t0=10,sigma=1' (T0 from --temperature)")
    simulate.add_argument("--integrator", choices=("em", "heun", "baoab"), default="em",
                          help="Euler-Maruyama, stochastic Heun (weak order 2), or underdamped BAOAB")
    simulate.add_argument("--mass", metavar="M", help="mass for --integrator baoab (default 1)")
    simulate.add_argument("--dt-ladder", type=int, metavar="K",
                          help="run K rungs dt, dt/2, ...; report dt_bias_estimate (Richardson) of the finest")
    ensemble_options(simulate)
    simulate.set_defaults(run=_command_simulate)
