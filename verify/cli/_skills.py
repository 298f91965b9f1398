"""``kramers skills geometry|resource|domino``: the three skill-learning models (Liu et al. 2025).

    kramers skills geometry [--d 1000] [--n 10] [--alpha 2] [--frequencies P1,P2,...] [--lr LR] [--batch 128]
                            [--optimizer signgd|adam|sgd] [--loss mse|ce] [--random-vectors] [--noise SIGMA]
                            [--steps 3000] [--runs 1] [--seed 0] [--threshold 0.9] [--json]
    kramers skills resource [--d 1000] [--n 10] [--alpha 2] [--frequencies ...] [--lr 3e-4] [--eta ETA]
                            [--wasted 0.003] [--loss mse|ce] [--steps 3000] [--threshold 0.9] [--json]
    kramers skills domino   [--d 1000] [--n 10] [--lr 3e-4] [--eta ETA] [--threshold 0.9] [--json]
    kramers skills compositional --structure chain|and-tree|and-or-tree [--eta E] [--wasted N0]
                            [--gate-exponent A] [--steps S] [--threshold 0.9] [--json]
    kramers skills scaling [--alpha A] [--quick] [--json] [--workers W | --scheduler ADDRESS]
    kramers skills modularity [--runs 100] [--quick] [--seed 0] [--json]      (needs PyTorch: extra [networks])

Defaults are the paper's (d = 1000, n = 10, alpha = 2, B = 128, N0 = 0.003; the learning rate
depends on the optimiser as in the paper: 3e-2 for SGD, 3e-4 for SignGD and Adam and for eta_eff).
JSON keys: ``model``, ``frequencies``, ``eta_eff``, ``threshold``, ``learning_times`` (steps; null
for a skill not learned within ``steps``; the mean over runs for ``geometry``), ``time_ratio``
(t_2/t_1, two skills only), ``final_skills``, ``final_loss`` and the model's parameters.
``compositional`` (the gated Resource map on the authors' structures, their eta, N0 and a by
default): ``learning_times`` (steps), ``order`` (skill names by learning time), ``gates``
(skill -> its gate, "X1 AND X2", "X3 OR X4"), ``limit_learning_times`` and ``limit_order`` (the
N0 -> 0, a -> 0 epoch law, numerics.gated_learning_order, in steps of this eta).
``modularity`` (the authors' MLP experiment, numerics._skill_networks): ``non_modular`` and
``modular``, each {``t1_median``, ``t2_median``, ``ratio_median``, ``ratio_mean``, ``ratio_stderr``,
``runs``, ``censored``}, and ``prediction`` (the Domino/Resource statement for each case).
``scaling`` (Geometry model, cross-entropy, n = 1000 random unit tasks, Adam lr 0.01, B = 1024):
``alpha``, ``alpha_N``, ``alpha_N_stderr``, ``alpha_S``, ``alpha_S_stderr`` (lists, one entry per
alpha; alpha 1, 1.2, 1.5, 2 unless --alpha), ``dimensions``, ``steps``, ``seeds``, ``final_loss``
(per alpha, per d), ``window`` and ``loss_curves`` (per alpha: the steps of the alpha_S fit and the
mean loss there, per d), ``predictions`` (per alpha: ``quanta_N``, ``quanta_S``, ``domino``,
``chinchilla_N``, ``chinchilla_S``), ``workers``.  ``--workers``/``--scheduler`` (as for ``simulate``)
run the (alpha, d, seed) runs as Dask tasks; the numbers are the same bit for bit.
"""

from __future__ import annotations

import math
import sys

from ._common import UsageError, emit, number

__all__ = ["register", "DEFAULT_LEARNING_RATES"]

#: The paper's learning rate for each optimiser (SGD needs a hundred times SignGD's to learn in 3000 steps).
DEFAULT_LEARNING_RATES = {"sgd": 3e-2, "signgd": 3e-4, "adam": 3e-4}


def _positive(text, what):
    value = number(text, what)
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{what} must be a positive number, got {text}")
    return value


def _non_negative(text, what):
    value = number(text, what)
    if not (math.isfinite(value) and value >= 0):
        raise UsageError(f"{what} must be a non-negative number, got {text}")
    return value


def _count(value, what, maximum):
    if not 1 <= value <= maximum:
        raise UsageError(f"{what} must be an integer from 1 to {maximum}, got {value}")
    return value


def _frequencies(arguments):
    from numerics import power_law_frequencies

    if arguments.frequencies is not None:
        values = [_positive(part, "--frequencies") for part in arguments.frequencies.split(",")]
        total = sum(values)
        return [value / total for value in values]
    return list(power_law_frequencies(_count(arguments.n, "--n", 100_000), _non_negative(arguments.alpha, "--alpha")))


def _threshold(arguments):
    value = number(arguments.threshold, "--threshold")
    if not 0 < value < 1:
        raise UsageError(f"--threshold must lie strictly between 0 and 1, got {arguments.threshold}")
    return value


def _eta(arguments, d):
    from numerics import eta_effective

    if arguments.eta is not None:
        return _positive(arguments.eta, "--eta")
    return eta_effective(_positive(arguments.lr, "--lr"), d)


def _times(values):
    return [None if value < 0 else float(value) for value in values]


def _summary(model, p, eta, threshold, times, final_skills, final_loss, extra):
    payload = {
        "model": model,
        "n": len(p),
        "frequencies": [float(x) for x in p],
        "eta_eff": eta,
        "threshold": threshold,
        "learning_times": times,
        "final_skills": [float(x) for x in final_skills],
        "final_loss": final_loss,
        **extra,
    }
    if len(p) == 2:
        t1, t2 = times
        payload["time_ratio"] = None if t1 in (None, 0) or t2 is None else t2 / t1
    return payload


def _lines(payload):
    shown = ("model", "n", "optimizer", "learning_rate", "eta_eff", "threshold", "learning_times", "time_ratio", "final_loss")
    lines = []
    for key in shown:
        if key in payload:
            value = payload[key]
            if isinstance(value, list):
                value = ", ".join("-" if v is None else f"{v:g}" for v in value)
            elif isinstance(value, float):
                value = f"{value:.6g}"
            lines.append(f"{key:<15} {value}")
    return lines


def _command_geometry(arguments) -> int:
    import numpy as np

    from numerics import eta_effective, geometry_model

    d = _count(arguments.d, "--d", 100_000)
    p = _frequencies(arguments)
    threshold = _threshold(arguments)
    lr = _positive(DEFAULT_LEARNING_RATES[arguments.optimizer] if arguments.lr is None else arguments.lr, "--lr")
    runs = _count(arguments.runs, "--runs", 10_000)
    steps = _count(arguments.steps, "--steps", 10_000_000)
    if not arguments.random_vectors and len(p) > d:
        raise UsageError(f"--n: orthonormal task vectors need n <= d = {d}, got {len(p)} (or use --random-vectors)")
    if arguments.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {arguments.seed}")
    run = geometry_model(
        p, d=d, steps=steps, learning_rate=lr, batch=_count(arguments.batch, "--batch", 10_000_000),
        optimizer=arguments.optimizer, loss=arguments.loss, orthonormal=not arguments.random_vectors,
        noise=_non_negative(arguments.noise, "--noise"), runs=runs, seed=arguments.seed,
        vectors_per_run=runs > 1,
    )
    per_run = run.learning_times(threshold)
    learned = np.all(per_run >= 0, axis=0)
    times = [float(per_run[:, k].mean()) if learned[k] else None for k in range(len(p))]
    losses = run.losses()
    payload = _summary(
        "geometry", p, eta_effective(lr, d), threshold, times, run.skills[:, -1].mean(axis=0),
        float(losses[:, -1].mean()),
        {"d": d, "learning_rate": lr, "batch": arguments.batch, "optimizer": arguments.optimizer,
         "loss": arguments.loss, "orthonormal": not arguments.random_vectors, "noise": arguments.noise,
         "steps": steps, "runs": runs, "seed": arguments.seed,
         "learning_times_runs": [_times(row) for row in per_run.tolist()]},
    )
    if len(p) == 2 and runs > 1 and payload["time_ratio"] is not None:
        ratios = per_run[:, 1] / per_run[:, 0]
        payload["time_ratio"] = float(ratios.mean())
        payload["time_ratio_stderr"] = float(ratios.std(ddof=1) / math.sqrt(runs))
    emit(arguments, payload, _lines(payload))
    return 0


def _command_resource(arguments) -> int:
    import numpy as np

    from numerics import learning_times, resource_model

    d = _count(arguments.d, "--d", 100_000)
    p = _frequencies(arguments)
    threshold = _threshold(arguments)
    eta = _eta(arguments, d)
    wasted = _non_negative(arguments.wasted, "--wasted")
    steps = _count(arguments.steps, "--steps", 100_000_000)
    levels = resource_model(p, eta=eta, wasted=wasted, steps=steps, loss=arguments.loss)
    final = levels[-1]
    if arguments.loss == "mse":
        loss = float(np.sum(np.asarray(p) * (1 - final) ** 2))
    else:
        loss = float(-np.sum(np.asarray(p) * np.log(final)))
    payload = _summary("resource", p, eta, threshold, _times(learning_times(levels, threshold)), final, loss,
                       {"wasted": wasted, "loss": arguments.loss, "steps": steps, "d": d})
    emit(arguments, payload, _lines(payload))
    return 0


def _command_domino(arguments) -> int:
    from theory import skills

    d = _count(arguments.d, "--d", 100_000)
    n = _count(arguments.n, "--n", 100_000)
    threshold = _threshold(arguments)
    eta = _eta(arguments, d)
    t_0 = 1 / eta
    law = skills.domino_learning_time()
    times = [float(law.evaluate(i=i, t_0=t_0, theta=threshold)) for i in range(1, n + 1)]
    total = float(skills.domino_total_time().evaluate(n=n, t_0=t_0))
    payload = _summary("domino", [1.0 / n] * n, eta, threshold, times, [1.0] * n, 0.0,
                       {"t0": t_0, "total_time": total, "d": d})
    payload.pop("frequencies")  # the Domino model needs only the order of the skills
    emit(arguments, payload, _lines(payload) + [f"{'total_time':<15} {total:g}"])
    return 0


def _gate_text(clauses):
    return " AND ".join(" OR ".join(f"X{j + 1}" for j in clause) for clause in clauses)


def _order(times):
    named = [(math.inf if time is None else time, k) for k, time in enumerate(times)]
    return [f"X{k + 1}" for _, k in sorted(named)]


def _command_compositional(arguments) -> int:
    from numerics import COMPOSITIONAL_STRUCTURES, gated_learning_order, learning_times, resource_model

    structure = COMPOSITIONAL_STRUCTURES[arguments.structure]
    threshold = _threshold(arguments)
    eta = structure["eta"] if arguments.eta is None else _positive(arguments.eta, "--eta")
    wasted = structure["wasted"] if arguments.wasted is None else _non_negative(arguments.wasted, "--wasted")
    exponent = (structure["gate_exponent"] if arguments.gate_exponent is None
                else _positive(arguments.gate_exponent, "--gate-exponent"))
    steps = structure["steps"] if arguments.steps is None else _count(arguments.steps, "--steps", 100_000_000)
    p, prerequisites = structure["frequencies"], structure["prerequisites"]
    levels = resource_model(p, eta=eta, wasted=wasted, steps=steps, prerequisites=prerequisites,
                            gate_exponent=exponent)
    times = _times(learning_times(levels, threshold))
    limit, completion = gated_learning_order(p, prerequisites, threshold)
    limit_times = [float(value / eta) for value in limit]
    clauses = {k: [item if isinstance(item, tuple) else (item,) for item in required]
               for k, required in prerequisites.items()}
    payload = {
        "model": "gated resource", "structure": arguments.structure, "description": structure["description"],
        "n": len(p), "frequencies": list(p), "eta_eff": eta, "wasted": wasted, "gate_exponent": exponent,
        "threshold": threshold, "steps": steps,
        "gates": {f"X{k + 1}": _gate_text(clauses[k]) for k in sorted(clauses)},
        "learning_times": times, "order": _order(times),
        "limit_learning_times": limit_times, "limit_order": _order(limit_times),
        "limit_completion_times": [float(value / eta) for value in completion],
        "final_skills": [float(x) for x in levels[-1]],
    }
    gates = "; ".join(f"{k} = {v}" for k, v in payload["gates"].items())
    lines = _lines(payload) + [f"{'gates':<15} {gates}", f"{'order':<15} {' '.join(payload['order'])}",
                               f"{'limit_times':<15} {', '.join(f'{v:g}' for v in limit_times)}",
                               f"{'limit_order':<15} {' '.join(payload['limit_order'])}"]
    emit(arguments, payload, lines)
    return 0


def modularity_summary(result) -> dict:
    """Medians of t1, t2 and t2/t1 over runs, the mean ratio with its standard error, censored runs."""
    import numpy as np

    ratios = result.t2 / result.t1
    return {
        "t1_median": float(np.median(result.t1)), "t2_median": float(np.median(result.t2)),
        "t1_mean": float(result.t1.mean()), "t2_mean": float(result.t2.mean()),
        "ratio_median": float(np.median(ratios)), "ratio_mean": float(ratios.mean()),
        "ratio_stderr": float(ratios.std(ddof=1) / math.sqrt(ratios.size)) if ratios.size > 1 else None,
        "runs": int(ratios.size), "censored": int(result.censored.any(axis=1).sum()),
    }


#: What the Domino/Resource picture says about each network (docs/skills.md, "Modularity").
MODULARITY_PREDICTION = {
    "non_modular": "one shared resource: the rare task waits for the frequent one (Domino), "
                   "t2 ~ t1 + t2(modular), t2/t1 well above the modular value",
    "modular": "one resource per task: both start at once, t2/t1 = the ratio of the tasks' own "
               "difficulties (no waiting)",
}


def _command_modularity(arguments) -> int:
    from numerics._skill_networks import modularity_experiment

    runs = 8 if arguments.quick and arguments.runs is None else (arguments.runs or 100)
    runs = _count(runs, "--runs", 10_000)
    if arguments.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {arguments.seed}")
    try:
        results = {name: modularity_summary(modularity_experiment(modular=modular, runs=runs, seed=arguments.seed))
                   for name, modular in (("non_modular", False), ("modular", True))}
    except ModuleNotFoundError as error:  # the optional extra is missing
        raise UsageError(f"kramers skills modularity needs PyTorch (pip install 'kramers[networks]'): {error}")
    payload = {
        "model": "MLP [2,100,100,2] SiLU, Adam 5e-4", "task_fractions": [0.99, 0.01], "mse_threshold": 1e-3,
        "steps": 1000, "seed": arguments.seed, **results,
        "prediction": {**MODULARITY_PREDICTION,
                       "non_modular_t2_from_domino": results["non_modular"]["t1_mean"] + results["modular"]["t2_mean"]},
    }
    lines = [f"{'case':<12} {'t1_median':>9} {'t2_median':>9} {'t2/t1 med':>9} {'t2/t1 mean':>14} {'runs':>5} "
             f"{'censored':>8}"]
    for name in ("non_modular", "modular"):
        row = results[name]
        stderr = "" if row["ratio_stderr"] is None else f" ± {row['ratio_stderr']:.2f}"
        lines.append(f"{name:<12} {row['t1_median']:>9g} {row['t2_median']:>9g} {row['ratio_median']:>9.3g} "
                     f"{row['ratio_mean']:>8.3g}{stderr:<6} {row['runs']:>5} {row['censored']:>8}")
    for name in ("non_modular", "modular"):
        lines.append(f"prediction ({name}): {MODULARITY_PREDICTION[name]}")
    lines.append(f"Domino: t2(non-modular) ~ t1(non-modular) + t2(modular) = "
                 f"{payload['prediction']['non_modular_t2_from_domino']:g} (measured mean "
                 f"{results['non_modular']['t2_mean']:g})")
    emit(arguments, payload, lines)
    return 0


def _command_scaling(arguments) -> int:
    import contextlib

    from .._checks_skills import SCALING, scaling_predictions, scaling_sweep
    from ._ensemble import dask_backend

    if arguments.alpha is None:
        alphas = list(SCALING["alphas"])
    else:
        alphas = [number(arguments.alpha, "--alpha")]
        if not (math.isfinite(alphas[0]) and 1 <= alphas[0] <= 10):
            raise UsageError(f"--alpha must be a number from 1 to 10 (Zipf exponent), got {arguments.alpha}")
    size = SCALING["quick" if arguments.quick else "full"]
    backend = dask_backend(arguments)

    def progress(done, total):  # on stderr, also with --json (the full sweep runs for tens of minutes)
        print(f"\r{done}/{total} chunks", end="\n" if done == total else "", file=sys.stderr, flush=True)

    with contextlib.nullcontext(None) if backend is None else backend as dask:
        # one (alpha, d, seed) run per Dask task; here one (alpha, d) cell per chunk, its seeds in threads
        rows = scaling_sweep(alphas, size["dimensions"], size["steps"], size["seeds"], backend=dask,
                             chunk_size=None if dask is None else 1, progress=progress)
    payload = {"alpha": alphas, "dimensions": list(size["dimensions"]), "steps": size["steps"],
               "seeds": size["seeds"], "n": SCALING["n"], "optimizer": SCALING["optimizer"],
               "learning_rate": SCALING["learning_rate"], "batch": SCALING["batch"], "loss": "ce",
               "workers": 1 if dask is None else dask.workers}
    payload["fitted_dimensions"] = rows[0]["fitted_dimensions"]
    for key in ("alpha_N", "alpha_N_stderr", "alpha_S", "alpha_S_stderr", "final_loss", "window", "loss_vs_steps",
                "loss_curves"):
        payload[key] = [row[key] for row in rows]
    payload["predictions"] = [scaling_predictions(alpha) for alpha in alphas]
    lines = [f"Geometry model, CE, n = {SCALING['n']}, d = {list(size['dimensions'])}, {size['steps']} steps, "
             f"{size['seeds']} seeds; fits on d = {payload['fitted_dimensions']} (d <= n/3), alpha_S at the largest",
             f"{'alpha':>5} {'alpha_N':>15} {'quanta_N':>8} {'alpha_S':>15} {'quanta_S':>8} {'domino':>6}"]
    for alpha, row, line in zip(alphas, rows, payload["predictions"]):
        shown = {key: "-" if value is None else f"{value:.3f}" for key, value in line.items()}
        lines.append(f"{alpha:>5g} {row['alpha_N']:>8.3f} ± {row['alpha_N_stderr']:.3f} {shown['quanta_N']:>8} "
                     f"{row['alpha_S']:>8.3f} ± {row['alpha_S_stderr']:.3f} {shown['quanta_S']:>8} "
                     f"{shown['domino']:>6}")
    lines.append("Chinchilla: alpha_N = 0.34, alpha_S = 0.28")
    emit(arguments, payload, lines)
    return 0


def _common(parser, *, frequencies=True, per_optimizer=False):
    parser.add_argument("--d", type=int, default=1000, help="dimension (sets eta_eff = 2 lr sqrt(d); default 1000)")
    parser.add_argument("--n", type=int, default=10, help="number of skills (default 10)")
    if per_optimizer:
        parser.add_argument("--lr", help="learning rate (default: 3e-2 for sgd, 3e-4 for signgd and adam)")
    else:
        parser.add_argument("--lr", default="3e-4", help="learning rate (default 3e-4)")
    parser.add_argument("--threshold", default="0.9", help="a skill is learned when s > threshold (default 0.9)")
    if frequencies:
        parser.add_argument("--alpha", default="2", help="frequencies p_k ~ k^-alpha (default 2)")
        parser.add_argument("--frequencies", metavar="P1,P2,...", help="explicit frequencies (normalised; overrides --n)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def register(commands) -> None:
    from ._common import Parser
    from ._ensemble import dask_options

    parser = commands.add_parser("skills", help="skill-learning models: geometry, resource, domino, compositional (Liu et al. 2025)")
    models = parser.add_subparsers(dest="model", required=True, parser_class=Parser)

    geometry = models.add_parser("geometry", help="simulate the Geometry model")
    _common(geometry, per_optimizer=True)
    geometry.add_argument("--batch", type=int, default=128, help="batch size B (default 128)")
    geometry.add_argument("--optimizer", choices=("signgd", "adam", "sgd"), default="signgd")
    geometry.add_argument("--loss", choices=("mse", "ce"), default="mse")
    geometry.add_argument("--random-vectors", action="store_true", help="random unit task vectors (default orthonormal)")
    geometry.add_argument("--noise", default="0", help="gradient noise sigma (default 0)")
    geometry.add_argument("--steps", type=int, default=3000)
    geometry.add_argument("--runs", type=int, default=1, help="independent runs (fresh task vectors each when > 1)")
    geometry.add_argument("--seed", type=int, default=0)
    geometry.set_defaults(run=_command_geometry)

    resource = models.add_parser("resource", help="iterate the Resource-model map")
    _common(resource)
    resource.add_argument("--eta", help="eta_eff per step (default 2 lr sqrt(d))")
    resource.add_argument("--wasted", default="0.003", help="wasted resource N0 (default 0.003)")
    resource.add_argument("--loss", choices=("mse", "ce"), default="mse")
    resource.add_argument("--steps", type=int, default=3000)
    resource.set_defaults(run=_command_resource)

    domino = models.add_parser("domino", help="the Domino model's closed forms")
    _common(domino, frequencies=False)
    domino.add_argument("--eta", help="eta_eff per step (default 2 lr sqrt(d))")
    domino.set_defaults(run=_command_domino)

    compositional = models.add_parser("compositional", help="the gated Resource model on a chain or tree of skills")
    compositional.add_argument("--structure", choices=("chain", "and-tree", "and-or-tree"), required=True)
    compositional.add_argument("--eta", help="eta_eff per step (default: the authors' 1e-3)")
    compositional.add_argument("--wasted", help="wasted resource N0 (default: the authors' 1e-3)")
    compositional.add_argument("--gate-exponent", help="gate sharpness a in 1 - l^a (default: 1e-4 chain, 1e-3 trees)")
    compositional.add_argument("--steps", type=int, help="map steps (default 10000 chain (the authors plot 5000), 20000 trees)")
    compositional.add_argument("--threshold", default="0.9", help="a skill is learned when s > threshold (default 0.9)")
    compositional.add_argument("--json", action="store_true", help="machine-readable output")
    compositional.set_defaults(run=_command_compositional)

    scaling = models.add_parser("scaling", help="Geometry-model scaling exponents alpha_N (in d) and alpha_S (steps)")
    scaling.add_argument("--alpha", help="one Zipf exponent (default: 1, 1.2, 1.5 and 2)")
    scaling.add_argument("--quick", action="store_true",
                         help="d up to 320, 5000 steps, 4 seeds (about a minute on 2 cores; default: d up to 1000, "
                              "40000 steps, 4 seeds, tens of minutes)")
    scaling.add_argument("--json", action="store_true", help="machine-readable output")
    dask_options(scaling.add_argument_group("running the sweep (never changes the numbers)"))
    scaling.set_defaults(run=_command_scaling)

    modularity = models.add_parser("modularity", help="MLP: dense against block-diagonal (modular), two tasks")
    modularity.add_argument("--runs", type=int, help="independent runs per network (default 100; 8 with --quick)")
    modularity.add_argument("--quick", action="store_true", help="8 runs per network (a few minutes on 2 cores)")
    modularity.add_argument("--seed", type=int, default=0)
    modularity.add_argument("--json", action="store_true", help="machine-readable output")
    modularity.set_defaults(run=_command_modularity)
