"""``kramers rate``, ``kramers mfpt`` and ``kramers simulate``: one-dimensional escape."""

from __future__ import annotations

import argparse
import warnings

from ._cli_common import (
    UsageError, accept_negative_points, emit, landscape_options, number, one_dimensional, point, positive, potential,
)
from ._cli_ensemble import ensemble_options, replay_command, run_ensemble_command

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


def _command_simulate(arguments) -> int:
    from ._statistics import exponential_rate, mean_first_passage

    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    dt = positive(arguments.dt, "--dt")
    max_time = positive(arguments.max_time, "--max-time")
    if arguments.trajectories < 1:
        raise UsageError(f"--trajectories must be at least 1, got {arguments.trajectories}")
    if arguments.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {arguments.seed}")
    if arguments.threads is not None and arguments.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {arguments.threads}")
    landscape = potential(arguments)
    one_dimensional(landscape, arguments.command)
    options = dict(
        start=number(arguments.start, "--from"),
        target=number(arguments.target, "--to"),
        temperature=temperature,
        dt=dt,
        seed=arguments.seed,
        friction=friction,
        max_time=max_time,
        bridge=arguments.bridge,
        threads=arguments.threads,
    )
    gradient, variable = landscape.derivative(1, numeric=True), landscape.variable
    if arguments.replay is not None:
        return replay_command(arguments, gradient, variable, emit, **options)
    sample, run_keys = run_ensemble_command(arguments, gradient, variable, **options)
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
        "temperature": sample.temperature,
        "friction": sample.friction,
        "bridge": sample.bridge,
        "threads": sample.threads,
        "steps": sample.steps,
        "wall_seconds": sample.wall_seconds,
        **run_keys,
    }
    lines = [f"{key:<18} {payload[key]}" for key in (
        "mean", "stderr", "trajectories", "censored", "rate_mle", "seed", "threads", "steps_per_second")]
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
    landscape_options(simulate, temperature_required=True)
    simulate.add_argument("--trajectories", type=int, required=True, metavar="N")
    simulate.add_argument("--dt", required=True, metavar="DT", help="time step")
    simulate.add_argument("--seed", type=int, required=True, metavar="S")
    simulate.add_argument("--threads", type=int, metavar="K", help="threads (default: all cores)")
    simulate.add_argument("--max-time", metavar="TMAX", help="time cap; later trajectories are censored")
    simulate.add_argument("--bridge", action=argparse.BooleanOptionalAction, default=True,
                          help="Brownian-bridge boundary correction (default on)")
    ensemble_options(simulate)
    simulate.set_defaults(run=_command_simulate)

