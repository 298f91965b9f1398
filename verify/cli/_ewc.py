"""``kramers ewc``: the barrier, the critical task count and the rate after N EWC tasks.

    kramers ewc --potential EXPR --from X --to X --tasks N --lam L --fisher F --anchor A
                [--temperature T] [--friction G] [--var x,y,...] [--param NAME=VALUE]... [--tasks-file FILE] [--json]

Vectors are comma lists (``--anchor -1,0``; ``--fisher 1,2`` is diagonal,
``--fisher 1,0.1,0.1,2`` a full row-major matrix).  A tasks file is JSON:
``{"tasks": [{"anchor": [-1, 0], "fisher": [[1, 0], [0, 2]]}, ...]}`` (or the
list itself).  Past the critical task count there is no barrier: ``barrier``,
``rate`` and ``plasticity_ratio`` are null and ``reason`` says why.
"""

from __future__ import annotations

import json
import warnings

from ._common import (
    UsageError, accept_negative_points, emit, flags_in, landscape_options, number, point, positive, potential,
)

__all__ = ["register"]


def _vector(text: str, what: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise UsageError(f"{what}: expected a comma list of numbers, got {text!r}")
    for part in parts:
        number(part, what)
    return parts


def _tasks_file(path: str) -> list[tuple]:
    try:
        with open(path) as stream:
            content = json.load(stream)
    except OSError as error:
        raise UsageError(f"--tasks-file: cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"--tasks-file: {path} is not JSON ({error.msg} at line {error.lineno})") from None
    tasks = content.get("tasks") if isinstance(content, dict) else content
    if not isinstance(tasks, list):
        raise UsageError("--tasks-file: expected a list of tasks or {\"tasks\": [...]}")
    pairs = []
    for index, task in enumerate(tasks, start=1):
        if not isinstance(task, dict) or "anchor" not in task or "fisher" not in task:
            raise UsageError(f"--tasks-file: task {index} needs the keys 'anchor' and 'fisher'")
        pairs.append((_json_numbers(task["anchor"]), _json_numbers(task["fisher"])))
    return pairs


def _json_numbers(value):
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UsageError(f"--tasks-file: expected numbers, got {value!r}")
    return value


def _path_saddle(landscape, start, target) -> list[float]:
    """d >= 2: the saddle on the minimum-energy path of U_N from --from to --to (one hop)."""
    from numerics import transition_path

    path = transition_path(landscape, start, target, exact=False)
    if len(path.hops) != 1:
        raise UsageError(
            f"--to: the minimum-energy path of U_N from --from to --to makes {len(path.hops)} hops "
            "(intermediate minima); EWC follows one saddle: choose --to in the neighbouring basin"
        )
    return path.numbers()["saddles"][0]["point"]


def _command_ewc(arguments) -> int:
    import sympy

    from theory import ewc_barrier

    temperature = positive(arguments.temperature, "--temperature")
    friction = positive(arguments.friction, "--friction")
    landscape = potential(arguments)
    dimension = landscape.dimension
    start = point(arguments.start, dimension, "--from")
    target = point(arguments.target, dimension, "--to")
    if arguments.tasks is not None:
        tasks = number(arguments.tasks, "--tasks")
        if not (tasks >= 0 and tasks == int(tasks)):
            raise UsageError(f"--tasks: the number of tasks must be a whole number N >= 0, got {arguments.tasks}")
    if arguments.lam is None:
        raise UsageError("--lam: the EWC strength lambda is needed")
    task_list = _tasks_file(arguments.tasks_file) if arguments.tasks_file else None
    anchor = _vector(arguments.anchor, "--anchor") if arguments.anchor is not None else None
    fisher = _vector(arguments.fisher, "--fisher") if arguments.fisher is not None else None
    if fisher is not None and len(fisher) == 1:
        fisher = fisher[0]
    ewc = ewc_barrier(
        landscape,
        start if dimension > 1 else start[0],
        target if dimension > 1 else target[0],
        tasks=arguments.tasks,
        strength=arguments.lam,
        fisher_matrix=fisher,
        anchor=anchor,
        task_list=task_list,
        saddle=(lambda landscape_n: _path_saddle(landscape_n, start, target)) if dimension > 1 else None,
    )
    numbers = ewc.numbers(temperature, friction)
    if numbers["reason"] is not None:  # theory's NoBarrierError at N = tasks, in the library's parameter names
        numbers["reason"] = flags_in(numbers["reason"], "tasks")
    if numbers["barrier"] is not None and temperature is not None:
        ratio = temperature / numbers["barrier"]
        if ratio > ewc.rate.validity.threshold:
            warnings.warn(f"T/dU = {ratio:.3g} > {ewc.rate.validity.threshold}: the rate is outside its regime")
    latex = None
    if numbers["barrier"] is not None:
        latex = rf"\Delta U(N) = {sympy.latex(ewc.barrier)},\quad {ewc.rate.equation_latex()}"
    payload = {**numbers, "temperature": temperature, "friction": friction, "latex": latex}
    lines = [f"potential           U(x) = {landscape}", f"penalty per task    q = {ewc.per_task}"]
    if numbers["barrier"] is None:
        lines.append(f"barrier             none: {numbers['reason']}")
    lines += [f"{key:<19} {payload[key]}" for key in (
        "tasks", "barrier", "barrier_linear", "slope", "barrier_curvature", "critical_tasks", "minimum", "saddle",
        "prefactor", "rate", "plasticity_ratio", "plasticity_exponent") if not (numbers["barrier"] is None
                                                                                and payload[key] is None)]
    if latex:
        lines.append(f"{'barrier formula':<19} dU(N) = {sympy.sstr(ewc.barrier)}")
    emit(arguments, payload, lines)
    return 0


def register(commands) -> None:
    ewc = commands.add_parser("ewc", help="barrier growth, critical task count and rate under N EWC penalties")
    landscape_options(ewc, temperature_required=False)
    accept_negative_points(ewc)
    ewc.add_argument("--tasks", metavar="N", help="number of consolidated tasks N >= 0 (default: tasks in the file)")
    ewc.add_argument("--lam", metavar="L", help="EWC strength lambda >= 0")
    ewc.add_argument("--fisher", metavar="F", help="Fisher information: a number, d numbers (diagonal) or d*d (full)")
    ewc.add_argument("--anchor", metavar="A", help="anchor theta* of the tasks (comma list)")
    ewc.add_argument("--tasks-file", metavar="FILE", help="JSON list of per-task anchors and Fisher matrices")
    ewc.set_defaults(run=_command_ewc)
