"""``kramers schedule``: escape under a temperature schedule, and the best pulse at a given budget.

    kramers schedule --potential EXPR --from X --to X --temperature T0 --schedule SPEC --horizon TEND [--json]
    kramers schedule --potential EXPR --from X --to X --temperature T0 --optimize --budget B --horizon TEND [--json]

SPEC terms (each an excess over T0, joined by ``+``; a ``+`` starts a new term
only when a kind and ``:`` follow it): ``plateau:h=0.2,start=0,duration=50``,
``spike:A=0.5,t0=10,sigma=1``, ``expspike:A=0.5,t0=10,tau=2``,
``expr:0.1+0.3*exp(-t/5)``.  After TEND the temperature is T0.
"""

from __future__ import annotations

import math
import warnings

from ._common import UsageError, emit, escape_problem, landscape_options, one_dimensional, positive, potential

__all__ = ["register"]


def _float(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _validity_warnings(flags) -> None:
    from theory import ADIABATIC_RATIO

    if not flags["adiabatic_ok"]:
        warnings.warn(
            f"schedule time scale / well relaxation time = {flags['adiabatic_number']:.3g} < {ADIABATIC_RATIO:g}: "
            "the rate cannot follow T(t); the adiabatic hazard is not trustworthy here")
    if not flags["arrhenius_ok"]:
        warnings.warn(
            f"dU / T_peak = {flags['arrhenius_number']:.3g} < {flags['arrhenius_threshold']:g}: the peak temperature "
            "is not small against the barrier; Kramers' rate (and so the hazard) is outside its regime")


def _problem(arguments, horizon):
    """The one-dimensional :class:`~theory.EscapeProblem` of the arguments (T(t) checked positive to the horizon)."""
    one_dimensional(potential(arguments), arguments.command)
    return escape_problem(arguments, horizon=horizon)


def _command_schedule(arguments) -> int:
    import mpmath

    from theory import adiabatic_escape

    horizon = positive(arguments.horizon, "--horizon")
    if not 1 <= arguments.digits <= 30:
        raise UsageError(f"--digits must be from 1 to 30, got {arguments.digits}")
    if arguments.optimize:
        return _command_optimize(arguments, horizon)
    if arguments.budget is not None:
        raise UsageError("--budget belongs to --optimize; a --schedule has its own budget")
    problem = _problem(arguments, horizon)
    schedule = problem.temperature_schedule
    with mpmath.workdps(arguments.digits + 10):
        # the horizon as typed: the engine parses it exactly (the problem's numbers are doubles)
        engine, flags = adiabatic_escape(problem, arguments.horizon, digits=arguments.digits)
        hazard = engine.hazard()
        mean, mean_error = engine.mean_transition_time()
        laplace = engine.laplace_hazard()
        payload = {
            "hazard": _float(hazard),
            "hazard_error": _float(engine.hazard_error()),
            "survival": _float(engine.survival()),
            "transition_probability": _float(engine.transition_probability()),
            "mean_transition_time": _float(mean),
            "mean_transition_time_error": _float(mean_error),
            "budget": _float(engine.budget()),
            "laplace_hazard": _float(laplace[0]) if laplace else None,
            "laplace_error": _float(laplace[1]) if laplace else None,
            "adiabatic_ok": flags["adiabatic_ok"],
            "adiabatic_number": _float(flags["adiabatic_number"]),
            "relaxation_time": flags["relaxation_time"],
            "time_scale": _float(flags["time_scale"]),
            "arrhenius_ok": flags["arrhenius_ok"],
            "arrhenius_number": flags["arrhenius_number"],
            "peak_temperature": flags["peak_temperature"],
            "peak_time": flags["peak_time"],
            "barrier": _float(engine.barrier),
            "prefactor": _float(engine.prefactor),
            "baseline_rate": _float(engine.rate(schedule.baseline)),
            "temperature": float(schedule.baseline),
            "horizon": horizon,
            "friction": problem.friction,
            "schedule": str(schedule.temperature),
        }
    _validity_warnings(flags)
    lines = [f"T(t)                   {payload['schedule']}"]
    lines += [f"{key:<22} {payload[key]}" for key in (
        "hazard", "transition_probability", "mean_transition_time", "budget", "laplace_hazard",
        "adiabatic_ok", "adiabatic_number", "arrhenius_ok", "arrhenius_number")]
    emit(arguments, payload, lines)
    return 0


def _command_optimize(arguments, horizon) -> int:
    from theory import optimal_pulse

    if arguments.schedule:
        raise UsageError("--optimize designs the pulse itself; leave out --schedule")
    budget = positive(arguments.budget, "--budget")
    if budget is None:
        raise UsageError("--optimize needs --budget B (the thermal budget int (T - T0) dt)")
    problem = _problem(arguments, horizon)
    # the budget and the horizon as typed: the design parses them exactly
    design, flags = optimal_pulse(problem, arguments.budget, arguments.horizon, digits=arguments.digits)
    height = _float(design.height)
    payload = {
        "best_height": height,
        "regime_height": flags["regime_height"],
        "regime_hazard_gain": flags["regime_gain"] / float(design.spread_gain) if flags["regime_gain"] else None,
        "best_duration": _float(design.duration),
        "best_peak_temperature": flags["peak_temperature"] if height is not None else None,
        "spreading_is_best": height is None,
        "convexity_threshold": flags["barrier"] / 2,
        "gain": _float(design.gain),
        "spread_height": _float(design.spread_height),
        "spread_gain": _float(design.spread_gain),
        "hazard_gain": _float(design.gain_ratio),
        "hazard": flags["baseline_hazard"] + float(design.gain),
        "plateau_hazard": flags["baseline_hazard"] + float(design.spread_gain),
        "budget": budget,
        "horizon": horizon,
        "temperature": problem.constant_temperature,
        **{key: flags[key] for key in ("barrier", "prefactor", "relaxation_time", "adiabatic_number", "adiabatic_ok",
                                       "arrhenius_number", "arrhenius_ok", "arrhenius_threshold")},
    }
    _validity_warnings(flags)
    lines = [f"{key:<22} {payload[key]}" for key in (
        "best_height", "best_duration", "convexity_threshold", "gain", "spread_gain", "hazard_gain",
        "regime_height", "regime_hazard_gain",
        "adiabatic_ok", "arrhenius_ok")]
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    schedule = commands.add_parser("schedule", help="escape under a temperature schedule (adiabatic); pulse design")
    landscape_options(schedule, temperature_required=True)
    schedule.add_argument("--schedule", metavar="SPEC",
                          help="excess over T0, e.g. 'plateau:h=0.2,start=0,duration=50+spike:A=0.5,t0=10,sigma=1'")
    schedule.add_argument("--horizon", required=True, metavar="TEND", help="end of the schedule window; T = T0 after")
    schedule.add_argument("--digits", type=int, default=12, metavar="D", help="significant digits (default 12)")
    schedule.add_argument("--optimize", action="store_true",
                          help="best rectangular pulse height at the budget of --budget (tangent condition)")
    schedule.add_argument("--budget", metavar="B", help="thermal budget int (T - T0) dt for --optimize")
    schedule.set_defaults(run=_command_schedule)
