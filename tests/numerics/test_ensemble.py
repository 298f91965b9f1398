"""Chunked ensembles: any chunking, order, backend or interruption gives the same bits."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import pickle
import random

import numpy as np
import pytest
import sympy

from numerics import first_passage_ensemble, replay_trajectory
from numerics._checkpoint import Checkpoint, CheckpointError
from numerics._ensemble import (
    Chunk,
    FirstPassageChunks,
    SerialBackend,
    chunk_plan,
    default_chunk_size,
    input_fingerprint,
    merge_samples,
    read_srepr,
    run_ensemble,
)
from theory._errors import InvalidParameter

x = sympy.Symbol("x", real=True)
GRADIENT = 4 * x**3 - 4 * x  # U = (x^2 - 1)^2
OPTIONS = dict(start=-1.0, target=0.0, temperature=0.5, dt=2e-3, seed=99, max_time=4.0)  # some censored
N = 600


@pytest.fixture(scope="module")
def whole():
    """The reference: all N trajectories in one kernel call."""
    return first_passage_ensemble(GRADIENT, x, trajectories=N, **OPTIONS)


@pytest.fixture(scope="module")
def chunks():
    return FirstPassageChunks.from_expression(GRADIENT, x, **OPTIONS)


def assert_same_sample(merged, whole):
    np.testing.assert_array_equal(merged.times, whole.times)
    np.testing.assert_array_equal(merged.escaped, whole.escaped)
    assert merged.times.tobytes() == whole.times.tobytes()  # bit for bit, not just ==
    assert merged.steps == whole.steps
    assert merged.censored == whole.censored
    for field in ("seed", "dt", "temperature", "friction", "start", "target", "max_time", "bridge", "first_trajectory"):
        assert getattr(merged, field) == getattr(whole, field)


def test_the_plan_covers_every_trajectory_once():
    for trajectories, size in ((1, 1), (10, 3), (10, 10), (10, 64), (1000, 7)):
        plan = chunk_plan(trajectories, size, first_trajectory=5)
        indices = [i for chunk in plan for i in range(chunk.first, chunk.first + chunk.count)]
        assert indices == list(range(5, 5 + trajectories))
        assert [chunk.index for chunk in plan] == list(range(len(plan)))
        assert all(chunk.count == size for chunk in plan[:-1])
    assert default_chunk_size(100) == 100 and default_chunk_size(10**4) == 4096
    assert default_chunk_size(10**7) == 312_500  # ceil(N / 32)
    with pytest.raises(InvalidParameter, match="chunk_size"):
        chunk_plan(10, 0)


@pytest.mark.parametrize("chunk_size", [N, 1000, 128, 77, 1])
def test_any_chunk_size_gives_the_single_call_bit_for_bit(whole, chunks, chunk_size):
    if chunk_size == 1:  # 600 kernel calls: check a prefix, it is the same code path
        run = run_ensemble(chunks, 40, chunk_size=1)
        np.testing.assert_array_equal(run.sample.times, whole.times[:40])
        return
    run = run_ensemble(chunks, N, chunk_size=chunk_size)
    assert run.chunks == -(-N // chunk_size) and run.resumed_chunks == 0
    assert_same_sample(run.sample, whole)


class ShuffledBackend:
    """Finishes the chunks in a random order, as a cluster does."""

    workers = 3

    def map_unordered(self, function, chunks):
        chunks = list(chunks)
        random.Random(4).shuffle(chunks)
        for chunk in chunks:
            yield chunk, function(chunk.first, chunk.count)


class ThreadPoolBackend:
    """Several chunks at once in one process (the kernel lock serialises the parallel regions)."""

    workers = 3

    def map_unordered(self, function, chunks):
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = {pool.submit(function, chunk.first, chunk.count): chunk for chunk in chunks}
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()


@pytest.mark.parametrize("backend", [ShuffledBackend(), ThreadPoolBackend()], ids=["shuffled", "threads"])
def test_completion_order_does_not_matter(whole, chunks, backend):
    run = run_ensemble(chunks, N, chunk_size=97, backend=backend)
    assert run.workers == 3
    assert_same_sample(run.sample, whole)


def test_the_chunk_function_survives_pickling_and_rebuilds_the_expression(whole, chunks):
    revived = pickle.loads(pickle.dumps(chunks))
    assert revived == chunks
    sample = revived(200, 50)
    np.testing.assert_array_equal(sample.times, whole.times[200:250])
    assert sample.first_trajectory == 200


@pytest.mark.parametrize(
    "expression",
    [
        GRADIENT,
        sympy.Float("0.7") * x**3 - sympy.Rational(1, 3) * sympy.exp(-(x**2)) + sympy.pi * sympy.sin(x),
        (x + sympy.Symbol("y", positive=True), -x),
        sympy.sqrt(2) * sympy.E ** x / (1 + x**2),
    ],
)
def test_srepr_is_read_back_exactly(expression):
    assert read_srepr(sympy.srepr(expression)) == expression
    assert sympy.srepr(read_srepr(sympy.srepr(expression))) == sympy.srepr(expression)


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('true')", "Symbol('x').__class__", "eval('1')", "[i for i in ()]", "lambda: 1",
     "Integer(1) + Integer(2)", "open('/etc/passwd')"],
)
def test_srepr_reader_evaluates_nothing(text):
    with pytest.raises(InvalidParameter):
        read_srepr(text)


def test_merging_refuses_gaps_and_disagreements(whole):
    first = first_passage_ensemble(GRADIENT, x, trajectories=10, **OPTIONS)
    third = first_passage_ensemble(GRADIENT, x, trajectories=10, first_trajectory=20, **OPTIONS)
    with pytest.raises(InvalidParameter, match="consecutive"):
        merge_samples([first, third])
    other_seed = first_passage_ensemble(GRADIENT, x, trajectories=10, first_trajectory=10, **{**OPTIONS, "seed": 1})
    with pytest.raises(InvalidParameter, match="seed"):
        merge_samples([first, other_seed])
    with pytest.raises(InvalidParameter):
        merge_samples([])


# --- checkpoints ------------------------------------------------------------------------------


class Interrupting:
    """A chunk function that stops the run (like Ctrl-C) after ``limit`` chunks, and counts calls."""

    def __init__(self, function, limit=None):
        self.function, self.limit, self.calls = function, limit, []

    def __call__(self, first, count):
        if self.limit is not None and len(self.calls) >= self.limit:
            raise KeyboardInterrupt
        self.calls.append(first)
        return self.function(first, count)

    def inputs(self):
        return self.function.inputs()


def test_an_interrupted_run_resumes_without_redoing_chunks(whole, chunks, tmp_path):
    path = tmp_path / "run.ckpt"
    interrupted = Interrupting(chunks, limit=3)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(interrupted, N, chunk_size=100, checkpoint=path)
    assert sorted(p.name for p in path.glob("chunk-*.npz")) == [f"chunk-00000{i}.npz" for i in range(3)]
    (path / ".tmp-half-written.npz").write_bytes(b"PK\x03")  # a write killed halfway is ignored

    resumed = Interrupting(chunks)
    run = run_ensemble(resumed, N, chunk_size=100, checkpoint=path)
    assert resumed.calls == [300, 400, 500]  # only the missing chunks
    assert run.resumed_chunks == 3 and run.chunks == 6
    assert_same_sample(run.sample, whole)
    assert not list(path.glob(".tmp-*"))

    again = Interrupting(chunks)
    assert_same_sample(run_ensemble(again, N, chunk_size=100, checkpoint=path).sample, whole)
    assert again.calls == []


def test_resuming_on_a_cluster_shaped_backend_is_the_same(whole, chunks, tmp_path):
    path = tmp_path / "ckpt"
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(Interrupting(chunks, limit=2), N, chunk_size=150, checkpoint=path, backend=ShuffledBackend())
    run = run_ensemble(chunks, N, chunk_size=150, checkpoint=path, backend=ThreadPoolBackend())
    assert run.resumed_chunks == 2
    assert_same_sample(run.sample, whole)


def test_a_checkpoint_of_other_inputs_is_refused(chunks, tmp_path):
    path = tmp_path / "ckpt"
    run_ensemble(chunks, 40, chunk_size=20, checkpoint=path)
    other = FirstPassageChunks.from_expression(GRADIENT, x, **{**OPTIONS, "seed": 100})
    with pytest.raises(CheckpointError, match="options.seed"):
        run_ensemble(other, 40, chunk_size=20, checkpoint=path)
    steeper = FirstPassageChunks.from_expression(2 * GRADIENT, x, **OPTIONS)
    with pytest.raises(CheckpointError, match="gradient"):
        run_ensemble(steeper, 40, chunk_size=20, checkpoint=path)
    with pytest.raises(CheckpointError, match="chunk-size 20"):
        run_ensemble(chunks, 40, chunk_size=10, checkpoint=path)
    with pytest.raises(CheckpointError, match="trajectories 40"):
        run_ensemble(chunks, 60, chunk_size=20, checkpoint=path)
    # threads change the speed, not the numbers: accepted
    threaded = FirstPassageChunks.from_expression(GRADIENT, x, threads=1, **OPTIONS)
    assert run_ensemble(threaded, 40, chunk_size=20, checkpoint=path).resumed_chunks == 2


def test_bad_checkpoint_paths_are_refused(chunks, tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        run_ensemble(chunks, 10, checkpoint=tmp_path / "missing" / "ckpt")
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(CheckpointError, match="is a file"):
        run_ensemble(chunks, 10, checkpoint=file)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        run_ensemble(chunks, 10, checkpoint=tmp_path / "notes")
    with pytest.raises(InvalidParameter, match="inputs"):
        run_ensemble(lambda first, count: chunks(first, count), 10, checkpoint=tmp_path / "new")


def test_one_checkpoint_serves_one_run_at_a_time(chunks, tmp_path):
    inputs = chunks.inputs()
    holder = Checkpoint(tmp_path / "ckpt").open(inputs, trajectories=10, chunk_size=5)
    try:
        with pytest.raises(CheckpointError, match="in use"):
            Checkpoint(tmp_path / "ckpt").open(inputs, trajectories=10, chunk_size=5)
    finally:
        holder.close()
    Checkpoint(tmp_path / "ckpt").open(inputs, trajectories=10, chunk_size=5).close()


def test_chunk_files_round_trip_every_field(chunks, tmp_path):
    sample = chunks(30, 17)
    store = Checkpoint(tmp_path / "ckpt").open(chunks.inputs(), trajectories=47, chunk_size=17)
    chunk = Chunk(index=1, first=30, count=17)
    store.save(chunk, sample)
    loaded = store.load([Chunk(0, 13, 17), chunk])
    store.close()
    assert list(loaded) == [1]
    for field in dataclasses.fields(sample):
        assert np.array_equal(getattr(loaded[1], field.name), getattr(sample, field.name)), field.name
    header = json.loads((tmp_path / "ckpt" / "header.json").read_text())
    assert header["fingerprint"] == input_fingerprint(chunks.inputs())
    assert "threads" not in header["inputs"]["options"]


# --- replay and the ensemble ----------------------------------------------------------------------


def test_replayed_exit_times_equal_the_chunked_ensemble(chunks, whole):
    run = run_ensemble(chunks, N, chunk_size=64)
    for index in (0, 63, 64, 65, 401, N - 1):  # chunk edges included
        times, positions, escaped = replay_trajectory(GRADIENT, x, trajectory=index, **OPTIONS)
        assert times[-1] == run.sample.times[index]
        assert escaped == run.sample.escaped[index]
    assert run.sample.censored > 0


# --- Dask -------------------------------------------------------------------------------------------


def test_a_dask_local_cluster_gives_the_single_machine_bits(whole, chunks):
    pytest.importorskip("distributed")
    from numerics._distributed import DaskBackend

    with DaskBackend(workers=2, processes=False) as backend:
        assert backend.workers == 2
        run = run_ensemble(chunks, N, chunk_size=90, backend=backend)
    assert run.workers == 2 and run.chunks == 7
    assert_same_sample(run.sample, whole)


def test_the_dask_backend_refuses_bad_addresses():
    pytest.importorskip("distributed")
    from numerics._distributed import DaskBackend

    with pytest.raises(InvalidParameter, match="not an address"):
        DaskBackend(scheduler="nonsense").__enter__()
    with pytest.raises(InvalidParameter, match="either"):
        DaskBackend(scheduler="tcp://127.0.0.1:8786", workers=2)
    with pytest.raises(InvalidParameter, match="workers"):
        DaskBackend(workers=0)
    with pytest.raises(InvalidParameter, match="cannot connect within 0.5 s"):
        DaskBackend(scheduler="tcp://127.0.0.1:9", connect_timeout=0.5).__enter__()


def test_serial_backend_is_the_default(whole, chunks):
    assert_same_sample(run_ensemble(chunks, N, backend=SerialBackend()).sample, whole)


def test_a_worker_with_other_kernels_refuses_to_compute(chunks):
    stale = dataclasses.replace(chunks, kernel_source="0" * 16)
    with pytest.raises(InvalidParameter, match="same kramers on every worker"):
        stale(0, 10)


def test_importing_numerics_imports_neither_numba_nor_dask():
    import subprocess
    import sys

    code = "import numerics, sys; print(sorted(m for m in ('numba', 'dask', 'distributed') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


@dataclasses.dataclass(frozen=True, eq=False)
class PlaneSample:
    """A sample as a 2-D kernel might return it: exit points per trajectory, a start point per run."""

    times: np.ndarray
    escaped: np.ndarray
    exit_points: np.ndarray
    start: np.ndarray
    steps: int
    wall_seconds: float
    first_trajectory: int


def _plane_chunk(first, count):
    indices = np.arange(first, first + count, dtype=float)
    return PlaneSample(times=indices * 0.5, escaped=indices % 3 > 0, exit_points=np.stack([indices, -indices], 1),
                       start=np.array([-1.0, 0.0]), steps=count * 10, wall_seconds=0.1, first_trajectory=first)


def test_samples_of_other_kernels_merge_by_their_fields():
    run = run_ensemble(_plane_chunk, 5, chunk_size=2)  # chunk lengths 2, 2, 1: start (length 2) is not per trajectory
    whole = _plane_chunk(0, 5)
    for name in ("times", "escaped", "exit_points", "start"):
        np.testing.assert_array_equal(getattr(run.sample, name), getattr(whole, name))
    assert run.sample.steps == 50 and run.sample.wall_seconds == pytest.approx(0.3)
