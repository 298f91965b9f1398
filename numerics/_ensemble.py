"""Chunked ensembles: one run, any split, the same numbers.

An ensemble of N trajectories is the map i -> (time_i, escaped_i, steps_i),
i = 0 .. N-1, where every random number of trajectory i is a function of
(seed, i, step) alone (:mod:`numerics._random`).  The map can therefore be cut
into chunks of consecutive global indices

    chunk c = [c * C, min((c + 1) * C, N)),   c = 0 .. ceil(N / C) - 1,

computed anywhere, in any order, by any number of threads, processes or
machines, and the pieces put back in index order: the merged sample equals the
single call bit for bit (times and outcomes are concatenated, particle-step
counts are summed, both exact).  The chunk size C is fixed by the run and not by
the workers, so the chunk list, and with it a checkpoint, means the same thing
on a laptop and on a cluster.

The runner needs only a *chunk function* ``(first, count) -> sample``: for
every ensemble of the Langevin engine it is :class:`LangevinChunks` (picklable,
so that a Dask worker receives the problem and gets the kernel from its cache);
any other function whose sample is a dataclass with ``times``, ``escaped``,
``steps`` and ``wall_seconds`` fields runs the same way.  Around it the runner adds a backend (serial here,
Dask in :mod:`numerics._distributed`), a checkpoint of finished chunks
(:mod:`numerics._checkpoint`) and a progress callback.

References: the counter-based design is Salmon et al. (2011), SC'11 "Parallel
random numbers: as easy as 1, 2, 3"; chunked map-merge is the standard
embarrassingly parallel pattern (Dean & Ghemawat 2004, "MapReduce").
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import math
import numbers
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import numpy as np

from theory._errors import InvalidParameter

from ._output import json_dumps

__all__ = [
    "Chunk",
    "EnsembleRun",
    "ChunkFunction",
    "LangevinChunks",
    "ProgressCallback",
    "SerialBackend",
    "chunk_plan",
    "default_chunk_size",
    "input_fingerprint",
    "merge_samples",
    "run_ensemble",
]

#: Below this many trajectories a run is one chunk; above, about this many chunks.
MINIMUM_DEFAULT_CHUNK = 4096
TARGET_DEFAULT_CHUNKS = 32

#: Fields of a sample that describe one chunk rather than the whole run.
_PER_CHUNK_FIELDS = frozenset({"first_trajectory", "steps", "wall_seconds", "threads"})


@dataclasses.dataclass(frozen=True)
class Chunk:
    """Trajectories ``first .. first + count - 1`` of the ensemble, chunk number ``index``."""

    index: int
    first: int
    count: int


class ChunkFunction(Protocol):
    def __call__(self, first: int, count: int) -> Any: ...


class ProgressCallback(Protocol):
    def __call__(self, chunks_done: int, chunks_total: int, trajectories_done: int, trajectories_total: int,
                 trajectories_resumed: int) -> None: ...


def _integer(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameter(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise InvalidParameter(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def default_chunk_size(trajectories: int) -> int:
    """ceil(N / 32), but at least 4096 and at most N: a function of N only, never of the workers."""
    trajectories = _integer("trajectories", trajectories, 1)
    return min(trajectories, max(MINIMUM_DEFAULT_CHUNK, -(-trajectories // TARGET_DEFAULT_CHUNKS)))


def chunk_plan(trajectories: int, chunk_size: int, first_trajectory: int = 0) -> tuple[Chunk, ...]:
    """The chunks [c C, min((c+1) C, N)) of N trajectories, shifted by ``first_trajectory``."""
    trajectories = _integer("trajectories", trajectories, 1)
    chunk_size = _integer("chunk_size", chunk_size, 1)
    first_trajectory = _integer("first_trajectory", first_trajectory, 0)
    return tuple(
        Chunk(index, first_trajectory + first, min(chunk_size, trajectories - first))
        for index, first in enumerate(range(0, trajectories, chunk_size))
    )


# --- merging ------------------------------------------------------------------------


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def merge_samples(samples: Iterable[Any], *, wall_seconds: float | None = None):
    """Put chunk samples back together in trajectory order.

    ``samples`` must be consecutive (each chunk starts where the previous one ended)
    and agree on every run-wide field (seed, dt, temperature, ...).  Every array
    field with one entry per trajectory (the class attribute ``PER_TRAJECTORY_FIELDS``
    where the sample type declares it, else every array whose first axis has the
    chunk's length in every chunk) is concatenated, ``steps`` is summed, and
    ``wall_seconds`` is the given value (default: the sum over chunks).  The result
    is a sample of the chunks' own dataclass type, so new kernels merge unchanged.
    """
    samples = list(samples)
    if not samples:
        raise InvalidParameter("merge_samples needs at least one sample.")
    first = samples[0]
    if not dataclasses.is_dataclass(first):
        raise InvalidParameter(f"a chunk sample must be a dataclass, got {type(first).__name__}.")
    fields = [field.name for field in dataclasses.fields(first)]
    for required in ("times", "escaped", "steps", "wall_seconds", "first_trajectory"):
        if required not in fields:
            raise InvalidParameter(f"a chunk sample must have a field {required!r}; {type(first).__name__} has not.")
    per_trajectory = getattr(type(first), "PER_TRAJECTORY_FIELDS", None)
    if per_trajectory is None:  # arrays whose first axis runs over the trajectories, in every chunk
        per_trajectory = [
            name for name in fields
            if all(
                isinstance(getattr(sample, name), np.ndarray) and getattr(sample, name).ndim >= 1
                and getattr(sample, name).shape[0] == sample.times.shape[0]
                for sample in samples
            )
        ]
    per_trajectory = list(per_trajectory)
    expected_first = first.first_trajectory
    for sample in samples:
        if type(sample) is not type(first):
            raise InvalidParameter("chunk samples of different types cannot be merged.")
        if sample.first_trajectory != expected_first:
            raise InvalidParameter(
                f"chunk samples are not consecutive: expected trajectory {expected_first}, "
                f"got a chunk starting at {sample.first_trajectory}."
            )
        expected_first += sample.times.shape[0]
        for name in fields:
            if name in _PER_CHUNK_FIELDS or name in per_trajectory:
                continue
            if not _same(getattr(sample, name), getattr(first, name)):
                raise InvalidParameter(
                    f"chunk samples disagree on {name}: {getattr(first, name)!r} and {getattr(sample, name)!r}."
                )
    merged = {}
    for name in per_trajectory:
        array = np.concatenate([getattr(sample, name) for sample in samples])
        array.setflags(write=False)
        merged[name] = array
    merged["steps"] = int(sum(int(sample.steps) for sample in samples))
    merged["wall_seconds"] = float(
        sum(float(sample.wall_seconds) for sample in samples) if wall_seconds is None else wall_seconds
    )
    if "threads" in fields:
        merged["threads"] = max(int(sample.threads) for sample in samples)
    return dataclasses.replace(first, **merged)


# --- backends -------------------------------------------------------------------------


class SerialBackend:
    """Run the chunks one after the other in this process (threads inside each chunk)."""

    workers = 1

    def map_unordered(self, function: ChunkFunction, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, Any]]:
        for chunk in chunks:
            yield chunk, function(chunk.first, chunk.count)


# --- the runner -------------------------------------------------------------------------


def run_ensemble(
    function: ChunkFunction,
    trajectories: int,
    *,
    chunk_size: int | None = None,
    backend=None,
    checkpoint=None,
    inputs: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    first_trajectory: int = 0,
):
    """Run ``trajectories`` trajectories as chunks and merge them in index order.

    ``function(first, count)`` returns the sample of trajectories first .. first +
    count - 1.  ``chunk_size`` defaults to :func:`default_chunk_size`; ``backend``
    (default :class:`SerialBackend`) has ``map_unordered(function, chunks)`` yielding
    ``(chunk, sample)`` as chunks finish.  ``checkpoint`` is a path (or a
    :class:`~numerics._checkpoint.Checkpoint`): finished chunks are stored there as
    they arrive and read back instead of recomputed; it is keyed by ``inputs``
    (default ``function.inputs()``), a JSON-able description of everything that
    determines the numbers, and refused if they differ.  ``progress`` is called after
    every chunk.  The result is bit-identical for every chunk size, backend and
    interruption history.
    """
    trajectories = _integer("trajectories", trajectories, 1)
    if chunk_size is None:
        chunk_size = default_chunk_size(trajectories)
    plan = chunk_plan(trajectories, chunk_size, first_trajectory)
    backend = SerialBackend() if backend is None else backend
    store = None
    if checkpoint is not None:
        from ._checkpoint import Checkpoint

        if inputs is None:
            describe = getattr(function, "inputs", None)
            if describe is None:
                raise InvalidParameter(
                    "a checkpoint needs the run's inputs: pass inputs=... or a chunk function with an inputs() method."
                )
            inputs = describe()
        store = checkpoint if isinstance(checkpoint, Checkpoint) else Checkpoint(checkpoint)
        store.open(inputs, trajectories=trajectories, chunk_size=chunk_size, first_trajectory=first_trajectory)

    try:
        results: dict[int, Any] = {} if store is None else store.load(plan)
        resumed = sum(plan[index].count for index in results)
        done = resumed

        def report():
            if progress is not None:
                progress(len(results), len(plan), done, trajectories, resumed)

        report()
        began = time.perf_counter()
        pending = [chunk for chunk in plan if chunk.index not in results]
        for chunk, sample in backend.map_unordered(function, pending):
            count = sample.times.shape[0]
            if count != chunk.count or sample.first_trajectory != chunk.first:
                raise InvalidParameter(
                    f"the chunk function returned trajectories {sample.first_trajectory}..+{count} "
                    f"for chunk {chunk.first}..+{chunk.count}."
                )
            if store is not None:
                store.save(chunk, sample)
            results[chunk.index] = sample
            done += chunk.count
            report()
        elapsed = time.perf_counter() - began
    finally:
        if store is not None:
            store.close()
    merged = merge_samples(results[chunk.index] for chunk in plan)
    return EnsembleRun(sample=merged, chunks=len(plan), chunk_size=chunk_size, resumed_chunks=len(plan) - len(pending),
                       workers=int(getattr(backend, "workers", 1)), elapsed_seconds=elapsed)


@dataclasses.dataclass(frozen=True, eq=False)
class EnsembleRun:
    """The merged ``sample`` and how it was obtained (for reports; the numbers do not depend on it).

    ``sample.wall_seconds`` is the kernel time summed over chunks (compilation and
    transport excluded, resumed chunks included); ``elapsed_seconds`` is the
    wall-clock time of this call's computing, start-up and transport included.
    """

    sample: Any
    chunks: int
    chunk_size: int
    resumed_chunks: int
    workers: int
    elapsed_seconds: float


# --- the chunk function of the Langevin engine ------------------------------------------------


@functools.lru_cache(maxsize=16)
def _kernel_source(module_name: str) -> str:
    """Digest of the source of the engine's module and of the noise: the kernels' version."""
    from . import _random

    digest = hashlib.sha256()
    for module in (sys.modules[module_name], _random):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


def input_fingerprint(inputs: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``inputs``: the identity of a run's numbers."""
    try:
        text = json_dumps(inputs, sort_keys=True, separators=(",", ":"), allow_nan=True)
    except TypeError as error:
        raise InvalidParameter(f"the inputs of a run must be JSON-able: {error}.") from error
    return hashlib.sha256(text.encode()).hexdigest()


#: Options of the engine that change how fast, never what, it computes.
_RESULT_INDEPENDENT_OPTIONS = frozenset({"threads"})
#: Options a chunk function passes on to :func:`numerics.langevin_first_passage`.
_ENGINE_OPTIONS = frozenset({"dt", "seed", "integrator", "max_time", "bridge", "threads", "lanes"})

# Parallel kernels of one process are entered by one caller at a time: a Dask worker
# with several threads, or a caller with its own thread pool, must not launch two
# Numba parallel regions at once (the workqueue threading layer aborts on that, and
# two full-width regions would only oversubscribe the cores).
_kernel_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class LangevinChunks:
    """The chunk function of :func:`numerics.langevin_first_passage` for one problem, picklable.

    ``problem`` is the :class:`~theory.EscapeProblem` (SymPy objects pickle, so a
    Dask worker receives it as it is and gets the compiled kernel from its
    on-disk cache, or compiles it once); ``options`` are the engine's keyword
    arguments (dt, seed, integrator name, max_time, bridge, threads) as plain
    values.  :meth:`inputs` is everything that determines the numbers: the
    problem's description, the options but ``threads``, and the digest of the
    engine's and the noise's source, which a worker checks against its own.
    """

    problem: Any
    options: tuple[tuple[str, Any], ...]
    kernel_source: str = ""

    def __post_init__(self):
        from . import _langevin
        from ._validate import escape_problem

        escape_problem(self.problem)
        if not self.kernel_source:
            object.__setattr__(self, "kernel_source", _kernel_source(_langevin.__name__))

    @classmethod
    def from_problem(cls, problem, **options):
        for forbidden in ("trajectories", "first_trajectory"):
            if forbidden in options:
                raise InvalidParameter(f"{forbidden} is set per chunk, not in the chunk function's options.",
                                       parameter=forbidden)
        plain = []
        for name, value in sorted(options.items()):
            if name not in _ENGINE_OPTIONS:
                raise InvalidParameter(f"{name} is not an option of the Langevin engine.", parameter=name)
            if name == "integrator" and value is not None:
                from ._integrators import integrator_named

                value = integrator_named(value).name
            if isinstance(value, np.generic):
                value = value.item()
            if value is not None and not isinstance(value, (bool, int, float, str)):
                raise InvalidParameter(f"option {name} must be a plain number or string, got {value!r}.",
                                       parameter=name)
            plain.append((name, value))
        return cls(problem, tuple(plain))

    def __call__(self, first: int, count: int):
        from . import _langevin

        if _kernel_source(_langevin.__name__) != self.kernel_source:
            raise InvalidParameter(
                "this process has another version of the kernels than the one that planned the run: "
                "install the same kramers on every worker."
            )
        with _kernel_lock:
            return _langevin.langevin_first_passage(self.problem, first_trajectory=first, trajectories=count,
                                                    **dict(self.options))

    def inputs(self) -> dict[str, Any]:
        """Everything that determines the numbers: problem, options, engine and its kernel source."""
        return {
            "function": "numerics.langevin_first_passage",
            "kernel_source": self.kernel_source,
            "problem": self.problem.describe(),
            "options": {name: value for name, value in self.options if name not in _RESULT_INDEPENDENT_OPTIONS},
        }
