"""``kramers rate``, ``kramers mfpt`` and ``kramers simulate``: one-dimensional escape."""

from __future__ import annotations

import argparse
import math
import warnings

from ._common import (
    UsageError, accept_negative_points, emit, escape_problem, landscape_options, number, one_dimensional,
    positive, potential,
)
from ._ensemble import ensemble_backend, ensemble_options, replay_command, run_ensemble_command
from ._path import add_saddle_option, rate_in_dimensions

__all__ = ["register"]


def _command_rate(arguments) -> int:
    import sympy

    from theory import kramers_escape

    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    mass = positive(arguments.mass, "--mass")
    landscape = potential(arguments)
    if landscape.dimension > 1:
        if mass is not None:
            raise UsageError("--mass: the underdamped rates are derived in one dimension")
        return rate_in_dimensions(arguments, landscape, temperature, friction)  # the path's saddle, or --saddle
    if arguments.saddle is not None or arguments.images is not None:
        raise UsageError("--saddle and --images apply to d >= 2 (one variable: the saddle is found on the line)")
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
    if mass is not None:
        lines += _underdamped_rates(landscape, arguments, temperature, friction, mass, payload)
    emit(arguments, payload, lines)
    return 0


def _underdamped_rates(landscape, arguments, temperature, friction, mass, payload) -> list[str]:
    """``--mass``: the spatial-diffusion, energy-diffusion and Mel'nikov-Meshkov rates (theory._underdamped).

    Adds the keys to ``payload`` and returns the text lines.  Each rate is 1/tau
    for reaching a point well past the saddle; the regimes are named by
    Delta = gamma I(E_b)/(m T) (energy diffusion for Delta << 1, spatial
    diffusion for Delta >> 1, the turnover for any Delta).
    """
    from theory import underdamped_escape

    theory = underdamped_escape(landscape, number(arguments.start, "--from"), number(arguments.target, "--to"))
    numbers = theory.numbers(temperature if temperature is not None else 1, friction, mass)
    if temperature is None:
        for key in ("energy_loss", "rate_spatial_diffusion", "rate_energy_diffusion", "rate_turnover"):
            numbers[key] = None
    payload.update({"mass": mass, **numbers})
    keys = ("mass", "omega_0", "omega_b", "action", "energy_loss", "rate_spatial_diffusion", "rate_energy_diffusion",
            "rate_turnover")
    return [f"{key:<22} {payload[key]}" for key in keys]


def _command_mfpt(arguments) -> int:
    """Exact exit-time statistics by quadrature (numerics.exact_escape_time): doubles up to 15 digits."""
    from numerics import exact_escape_time, exit_time_statistics

    if not 1 <= arguments.digits <= 100:
        raise UsageError(f"--digits must be from 1 to 100, got {arguments.digits}")
    if arguments.left is not None and arguments.reflect is not None:
        raise UsageError("give --left (a second absorbing end) or --reflect (a reflecting end), not both")
    one_dimensional(potential(arguments), arguments.command)
    problem = escape_problem(arguments)
    start = problem.start[0]
    if arguments.reflect is not None and (number(arguments.reflect, "--reflect") - start) * (problem.target - start) >= 0:
        raise UsageError("--reflect must lie on the far side of --from from --to")
    options = dict(moments=arguments.moments, digits=arguments.digits)
    if arguments.digits <= 15:
        reflect = None if arguments.reflect is None else number(arguments.reflect, "--reflect")
        result = exact_escape_time(problem, reflect=reflect, **options)
    else:
        # beyond double precision the decimal inputs themselves go to the library (the problem holds doubles)
        result = exit_time_statistics(
            problem.potential, arguments.start, arguments.target, arguments.temperature, friction=arguments.friction,
            reflect=arguments.reflect, absorb=arguments.left, **options,
        )
    mfpt = result.mfpt
    payload = {
        "mfpt": result.decimal(),
        "digits": result.digits,
        "error_estimate": mfpt * result.mfpt_error if math.isfinite(mfpt) else None,
        "log_mfpt": float(result.log_mfpt),
        "relative_error_estimate": result.mfpt_error,
        "precision": result.precision,
        "temperature": problem.temperature,
        "friction": problem.friction,
    }
    if arguments.moments == 2:
        payload["variance"] = result.decimal(result.log_variance)
        payload["variance_relative_error_estimate"] = result.variance_error
    if arguments.left is not None:
        payload.update({
            "splitting_right": _decimal(result.splitting_right, result.digits),
            "splitting_error_estimate": result.splitting_error,
            "conditional_mfpt_right": result.decimal(result.log_conditional_mfpt_right),
            "conditional_mfpt_left": result.decimal(result.log_conditional_mfpt_left),
            "conditional_relative_error_estimate": result.conditional_error,
        })
    keys = ["mfpt", "variance", "splitting_right", "conditional_mfpt_right", "conditional_mfpt_left", "digits"]
    emit(arguments, payload, [f"{key:<22} {payload[key]}" for key in keys if key in payload])
    return 0


def _decimal(value, digits: int) -> str:
    import mpmath

    return mpmath.nstr(mpmath.mpf(value), digits, strip_zeros=False)


def _refuse_what_would_not_fit(arguments, state_width: int) -> None:
    """Refuse, before any compilation, a run whose samples (every rung of a dt ladder) would not fit in memory."""
    from numerics._validate import check_memory, ensemble_bytes

    rungs = arguments.dt_ladder if arguments.dt_ladder and arguments.dt_ladder > 1 else 1
    check_memory("trajectories", arguments.trajectories, rungs * ensemble_bytes(arguments.trajectories, state_width))


def _command_simulate(arguments) -> int:
    import os

    from numerics import dt_ladder, integrator_named
    from numerics._langevin import dt_rungs

    from .._statistics import exponential_rate, mean_first_passage

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
    integrator = integrator_named(arguments.integrator)
    if integrator.underdamped and mass is None:
        mass = 1.0
    problem = escape_problem(arguments, mass=mass)
    _refuse_what_would_not_fit(arguments, problem.dimension * (2 if integrator.underdamped else 1))
    options = dict(dt=dt, seed=arguments.seed, integrator=integrator.name, max_time=max_time, bridge=arguments.bridge,
                   threads=arguments.threads)
    if arguments.replay is not None:
        if arguments.dt_ladder is not None:
            raise UsageError("--replay replays one trajectory of one dt: drop --dt-ladder")
        return replay_command(arguments, problem, emit, **options)
    ladder = None
    if arguments.dt_ladder is not None:
        if arguments.dt_ladder < 2:
            raise UsageError(f"--dt-ladder must be at least 2 rungs, got {arguments.dt_ladder}")
        if arguments.checkpoint is not None:  # DIR holds one checkpoint per rung
            parent = os.path.dirname(os.path.abspath(arguments.checkpoint))
            if not os.path.isdir(parent):
                raise UsageError(f"--checkpoint: directory {parent} does not exist")
            os.makedirs(arguments.checkpoint, exist_ok=True)
        rung_keys = []

        def rung_checkpoint(index):
            return None if arguments.checkpoint is None else os.path.join(arguments.checkpoint, f"rung-{index}")

        runs = [(rung_checkpoint(index), {**options, "dt": rung_dt})
                for index, rung_dt in enumerate(dt_rungs(dt, arguments.dt_ladder))]
        with ensemble_backend(arguments, problem, runs) as dask:  # one cluster for every rung

            def rung(rung_dt):  # every rung is a chunked run of its own, with its own checkpoint
                index = len(rung_keys)
                sample, keys = run_ensemble_command(arguments, problem, checkpoint=rung_checkpoint(index), dask=dask,
                                                    **{**options, "dt": rung_dt})
                rung_keys.append(keys)
                return sample

            ladder = dt_ladder(problem, rungs=arguments.dt_ladder, run=rung, **options)
        sample, run_keys = ladder.samples[-1], dict(rung_keys[-1])
        if arguments.checkpoint is not None:
            run_keys["checkpoint"] = arguments.checkpoint
    else:
        sample, run_keys = run_ensemble_command(arguments, problem, **options)
    run_keys.update(integrator=sample.integrator, mass=sample.mass, absorbing=sample.absorbing,
                    dimension=problem.dimension)
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
        "temperature": problem.constant_temperature if problem.schedule is None else sample.temperature,
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
    add_saddle_option(rate)
    rate.add_argument("--mass", metavar="M", help="mass: also report the underdamped rates rate_spatial_diffusion, "
                                                  "rate_energy_diffusion and rate_turnover (Mel'nikov-Meshkov)")
    rate.set_defaults(run=_command_rate)

    mfpt = commands.add_parser("mfpt", help="exact mean first-passage time by quadrature")
    landscape_options(mfpt, temperature_required=True)
    mfpt.add_argument("--digits", type=int, default=15, metavar="D", help="significant digits (default 15)")
    mfpt.add_argument("--reflect", metavar="L", help="reflecting end beyond --from (default: infinity)")
    mfpt.add_argument("--left", metavar="A",
                      help="absorbing left end A < --from < --to: adds splitting_right and the conditional mean times")
    mfpt.add_argument("--moments", type=int, choices=(1, 2), default=1,
                      help="2 adds the second moment: the variance of the exit time")
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
