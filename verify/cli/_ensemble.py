"""How ``kramers simulate`` runs its ensemble: chunks, workers, checkpoints, progress, replay.

Every run of ``kramers simulate`` goes through here, whatever its dimension,
integrator, absorbing set or schedule: the escape problem and the engine's
options become one picklable chunk function (numerics._ensemble.LangevinChunks)
that the chunked runner maps over the trajectories.  The options added here
(``--scheduler``, ``--workers``, ``--checkpoint``, ``--chunk-size``,
``--replay``, ``--replay-output``, ``--quiet``) change where and in which
pieces the trajectories are computed, never the numbers: the merged sample is
bit-identical to a single call (see numerics._ensemble).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading

from ._common import UsageError, write_atomically

__all__ = ["DISTRIBUTED_OPTIONS", "dask_backend", "dask_options", "ensemble_backend", "ensemble_options",
           "run_ensemble_command", "replay_command"]

#: The options that make ``kramers simulate`` a chunked run, as (flag, argparse dest).
DISTRIBUTED_OPTIONS = (
    ("--workers", "workers"), ("--scheduler", "scheduler"), ("--checkpoint", "checkpoint"),
    ("--chunk-size", "chunk_size"), ("--replay", "replay"), ("--replay-output", "replay_output"),
)

#: Longest replayed path printed inline in the JSON; longer ones need --replay-output.
MAXIMUM_INLINE_REPLAY_POINTS = 1_000_000


def dask_options(group) -> None:
    """--workers, --scheduler, --connect-timeout: where the chunks of a command run (Dask), never what they give."""
    group.add_argument("--workers", type=int, metavar="W",
                       help="run the chunks on a local Dask cluster of W worker processes")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the chunks on the Dask cluster at ADDRESS (tcp://host:8786 or a scheduler .json file)")
    group.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="how long to wait for the scheduler and its first worker (default 10)")


def _check_dask_options(arguments) -> None:
    if arguments.workers is not None and arguments.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {arguments.workers}")
    if arguments.workers is not None and arguments.scheduler is not None:
        raise UsageError("--workers starts a local cluster and --scheduler names a running one: give one of them")
    if arguments.scheduler is not None and not arguments.scheduler.strip():
        raise UsageError("--scheduler must be an address like tcp://host:8786")
    if not (math.isfinite(arguments.connect_timeout) and arguments.connect_timeout > 0):
        raise UsageError(f"--connect-timeout must be a positive number of seconds, got {arguments.connect_timeout}")


def dask_backend(arguments):
    """The DaskBackend that --workers or --scheduler asks for (a context manager), or None for this process."""
    _check_dask_options(arguments)
    if arguments.workers is None and arguments.scheduler is None:
        return None
    from numerics._distributed import DaskBackend

    return DaskBackend(scheduler=arguments.scheduler, workers=arguments.workers,
                       connect_timeout=arguments.connect_timeout)


def ensemble_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("running the ensemble (never changes the numbers)")
    group.add_argument("--chunk-size", type=int, metavar="C",
                       help="trajectories per chunk (default: ceil(N/32), at least 4096)")
    dask_options(group)
    group.add_argument("--checkpoint", metavar="DIR",
                       help="store finished chunks in DIR and resume from it (created if absent)")
    group.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    group.add_argument("--replay", type=int, metavar="I",
                       help="replay trajectory I (0 <= I < N) alone and output its path instead of the statistics")
    group.add_argument("--replay-output", metavar="FILE",
                       help="write the replayed path to FILE (.npz or .csv) instead of the JSON")


def _check_options(arguments) -> None:
    if arguments.chunk_size is not None and arguments.chunk_size < 1:
        raise UsageError(f"--chunk-size must be at least 1, got {arguments.chunk_size}")
    _check_dask_options(arguments)
    if arguments.replay_output is not None and arguments.replay is None:
        raise UsageError("--replay-output needs --replay I")
    if arguments.checkpoint is not None:
        parent = os.path.dirname(os.path.abspath(arguments.checkpoint))
        if not os.path.isdir(parent):
            raise UsageError(f"--checkpoint: directory {parent} does not exist")
        if os.path.exists(arguments.checkpoint) and not os.path.isdir(arguments.checkpoint):
            raise UsageError(f"--checkpoint: {arguments.checkpoint} is a file; give a directory (created if absent)")


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while the ensemble runs, so that it stops cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _chunk_function(arguments, problem, options):
    from numerics._ensemble import LangevinChunks

    options = dict(options)
    if arguments.workers is not None and options.get("threads") is None:
        options["threads"] = max(1, (os.cpu_count() or 1) // arguments.workers)
    return LangevinChunks.from_problem(problem, **options)


def _refuse_foreign_checkpoint(arguments, function, checkpoint) -> None:
    """Refuse a checkpoint of another run before a cluster starts (it would be refused after)."""
    from numerics._checkpoint import Checkpoint
    from numerics._ensemble import default_chunk_size

    chunk_size = arguments.chunk_size or default_chunk_size(arguments.trajectories)
    Checkpoint(checkpoint).open(function.inputs(), trajectories=arguments.trajectories, chunk_size=chunk_size).close()


@contextlib.contextmanager
def ensemble_backend(arguments, problem, runs):
    """The Dask cluster of ``--workers`` or ``--scheduler`` (None without them), started once for ``runs``.

    ``runs`` lists ``(checkpoint, options)`` of every run that will use the
    cluster (the rungs of a dt ladder): their checkpoints are checked before it
    starts.
    """
    _check_options(arguments)
    backend = dask_backend(arguments)
    if backend is None:
        yield None
        return
    for checkpoint, options in runs:
        if checkpoint is not None:
            _refuse_foreign_checkpoint(arguments, _chunk_function(arguments, problem, options), checkpoint)
    with _terminate_as_interrupt(), backend as dask:
        yield dask


def run_ensemble_command(arguments, problem, *, checkpoint=None, dask=None, **options):
    """Run the ensemble of ``problem`` as chunks (here, or on Dask); return (sample, extra JSON keys).

    ``checkpoint`` overrides ``--checkpoint`` (a dt ladder keeps one per rung).
    ``dask`` is a cluster already started by :func:`ensemble_backend` (a dt ladder
    runs every rung on one); without it, ``--workers`` or ``--scheduler`` start
    or connect to one for this run.
    """
    from numerics._ensemble import run_ensemble

    from .._progress import ProgressBar

    _check_options(arguments)
    checkpoint = arguments.checkpoint if checkpoint is None else checkpoint
    trajectories = arguments.trajectories
    function = _chunk_function(arguments, problem, options)
    show_progress = not arguments.quiet and (not arguments.json or sys.stderr.isatty())
    progress = ProgressBar() if show_progress else None
    if dask is not None:
        backend = contextlib.nullcontext(dask)
    else:
        backend = ensemble_backend(arguments, problem, [(checkpoint, options)])
    try:
        with _terminate_as_interrupt(), backend as dask:
            run = run_ensemble(function, trajectories, chunk_size=arguments.chunk_size, backend=dask,
                               checkpoint=checkpoint, progress=progress)
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        if checkpoint is not None:
            print(f"kramers simulate: finished chunks are kept in {checkpoint}; "
                  "rerun the same command to resume", file=sys.stderr)
        raise
    finally:
        if progress is not None:
            progress.close()
    extra = {
        "chunks": run.chunks,
        "chunk_size": run.chunk_size,
        "resumed_chunks": run.resumed_chunks,
        "workers": run.workers,
        "checkpoint": checkpoint,
        "elapsed_seconds": run.elapsed_seconds,
    }
    return run.sample, extra


def replay_command(arguments, problem, emit, **options) -> int:
    """``--replay I``: the path of trajectory I of the ensemble, from its own noise.

    In one dimension ``positions`` is the list x_0, x_1, ... (CSV column
    ``position``); in d dimensions a list of points (CSV columns named by the
    variables).
    """
    import io

    import numpy as np

    from numerics import replay_trajectory

    _check_options(arguments)
    index = arguments.replay
    if not 0 <= index < arguments.trajectories:
        raise UsageError(f"--replay must be a trajectory index from 0 to {arguments.trajectories - 1}, got {index}")
    for flag, value in (("--workers", arguments.workers), ("--scheduler", arguments.scheduler),
                        ("--checkpoint", arguments.checkpoint)):
        if value is not None:
            raise UsageError(f"--replay runs one trajectory here: drop {flag}")
    output = arguments.replay_output
    if output is not None:
        suffix = os.path.splitext(output)[1].lower()
        if suffix not in (".npz", ".csv"):
            raise UsageError(f"--replay-output must end in .npz or .csv, got {output}")
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise UsageError(f"--replay-output: directory {directory} does not exist")
    options.pop("threads", None)
    times, path, escaped = replay_trajectory(problem, trajectory=index, **options)
    positions = path[:, 0] if problem.dimension == 1 else path
    payload = {
        "trajectory": index,
        "escaped": bool(escaped),
        "exit_time": float(times[-1]),
        "steps": int(times.shape[0] - 1),
        "seed": options["seed"],
        "dt": options["dt"],
    }
    if output is not None:
        if output.lower().endswith(".npz"):
            buffer = io.BytesIO()
            np.savez(buffer, times=times, positions=positions, escaped=np.bool_(escaped), trajectory=np.int64(index))
            write_atomically(output, buffer.getvalue(), what="--replay-output")
        else:
            columns = ["position"] if problem.dimension == 1 else [str(v) for v in problem.variables]
            rows = "".join(",".join(repr(float(value)) for value in (t, *point)) + "\n" for t, point in zip(times, path))
            write_atomically(output, (",".join(["time", *columns]) + "\n" + rows).encode(), what="--replay-output")
        payload["output"] = output
    else:
        if times.shape[0] > MAXIMUM_INLINE_REPLAY_POINTS:
            raise UsageError(f"--replay: the path has {times.shape[0]} points; write it with --replay-output FILE.npz")
        payload["times"] = times.tolist()
        payload["positions"] = positions.tolist()
    lines = [f"{key:<12} {payload[key]}" for key in ("trajectory", "escaped", "exit_time", "steps")]
    if output is not None:
        lines.append(f"{'output':<12} {output}")
    else:
        first, last = (", ".join(f"{value:.6g}" for value in path[k]) for k in (0, -1))
        lines.append(f"{'path':<12} x({times[0]:g}) = {first} ... x({times[-1]:g}) = {last}"
                     " (all points: --json or --replay-output)")
    emit(arguments, payload, lines)
    return 0

