"""Chunked ensembles: any chunking, order, backend or interruption gives the same bits.

Every problem the engine runs chunks the same way; the cases below are a 1-D
Euler-Maruyama run (the lane specialisation), a 2-D run into a curved absorbing
condition under a temperature spike, and BAOAB with a mass into a ball.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import pickle
import random

import numpy as np
import pytest
import sympy

from numerics import langevin_first_passage, replay_trajectory
from numerics._checkpoint import Checkpoint, CheckpointError
from numerics._ensemble import (
    Chunk,
    LangevinChunks,
    SerialBackend,
    chunk_plan,
    default_chunk_size,
    input_fingerprint,
    merge_samples,
    run_ensemble,
)
from theory import Ball, EscapeProblem, Potential, absorbing_set_from_condition, parse_schedule
from theory._errors import InvalidParameter

x, y = sympy.symbols("x y", real=True)
QUARTIC = Potential.from_string("(x**2-1)**2")
PLANE = Potential.from_string("(x**2-1)**2 + y**2", variables="x,y")
#: The 2-D case of the command-line test: a curved --absorb condition under a --schedule spike.
SPIKE = parse_schedule("spike:A=0.3,t0=1,sigma=0.5", 0.5).temperature
CASES = {
    "1d-em": (EscapeProblem(QUARTIC, -1.0, 0.0, 0.5), dict(dt=2e-3, seed=99, max_time=4.0)),
    "2d-condition-spike-em": (
        EscapeProblem(PLANE, (-1.0, 0.0), absorbing_set_from_condition("x + y**2 > 0.3", (x, y)), SPIKE),
        dict(dt=4e-3, seed=7, max_time=3.0),
    ),
    "2d-ball-baoab-mass": (
        EscapeProblem(PLANE, (-1.0, 0.0), Ball((1.0, 0.0), 0.3), 0.5, mass=0.5),
        dict(dt=2e-3, seed=17, max_time=6.0, integrator="baoab"),
    ),
}
PROBLEM, OPTIONS = CASES["1d-em"]
N = 600


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    """(chunk function, the reference: all N trajectories in one kernel call on one thread)."""
    problem, options = CASES[request.param]
    whole = langevin_first_passage(problem, trajectories=N, threads=1, **options)
    assert 0 < whole.censored < N  # both outcomes exercised
    return LangevinChunks.from_problem(problem, **options), whole


@pytest.fixture(scope="module")
def whole():
    """The 1-D reference: all N trajectories in one kernel call."""
    return langevin_first_passage(PROBLEM, trajectories=N, **OPTIONS)


@pytest.fixture(scope="module")
def chunks():
    return LangevinChunks.from_problem(PROBLEM, **OPTIONS)


def assert_same_sample(merged, whole):
    for field in ("times", "escaped", "positions", "velocities"):
        ours, theirs = getattr(merged, field), getattr(whole, field)
        assert (ours is None) == (theirs is None), field
        if ours is not None:
            assert ours.tobytes() == theirs.tobytes(), field  # bit for bit, not just ==
    assert merged.steps == whole.steps
    assert merged.censored == whole.censored
    for field in ("seed", "dt", "temperature", "friction", "mass", "integrator", "absorbing", "max_time", "bridge",
                  "first_trajectory"):
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
def test_any_chunk_size_gives_the_single_call_bit_for_bit(case, chunk_size):
    chunks, whole = case
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
def test_completion_order_and_threads_do_not_matter(case, backend):
    chunks, whole = case
    threaded = dataclasses.replace(chunks, options=(*chunks.options, ("threads", 2)))
    run = run_ensemble(threaded, N, chunk_size=97, backend=backend)
    assert run.workers == 3
    assert_same_sample(run.sample, whole)


def test_the_chunk_function_survives_pickling(case):
    chunks, whole = case
    revived = pickle.loads(pickle.dumps(chunks))
    assert revived == chunks and revived.inputs() == chunks.inputs()
    sample = revived(200, 50)
    np.testing.assert_array_equal(sample.times, whole.times[200:250])
    assert sample.first_trajectory == 200


def test_merging_refuses_gaps_and_disagreements(whole):
    first = langevin_first_passage(PROBLEM, trajectories=10, **OPTIONS)
    third = langevin_first_passage(PROBLEM, trajectories=10, first_trajectory=20, **OPTIONS)
    with pytest.raises(InvalidParameter, match="consecutive"):
        merge_samples([first, third])
    other_seed = langevin_first_passage(PROBLEM, trajectories=10, first_trajectory=10, **{**OPTIONS, "seed": 1})
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


def test_an_interrupted_run_resumes_without_redoing_chunks(case, tmp_path):
    chunks, whole = case
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


def test_resuming_on_a_cluster_shaped_backend_is_the_same(case, tmp_path):
    chunks, whole = case
    path = tmp_path / "ckpt"
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(Interrupting(chunks, limit=2), N, chunk_size=150, checkpoint=path, backend=ShuffledBackend())
    run = run_ensemble(chunks, N, chunk_size=150, checkpoint=path, backend=ThreadPoolBackend())
    assert run.resumed_chunks == 2
    assert_same_sample(run.sample, whole)


def test_a_checkpoint_of_other_inputs_is_refused(chunks, tmp_path):
    path = tmp_path / "ckpt"
    run_ensemble(chunks, 40, chunk_size=20, checkpoint=path)
    other = LangevinChunks.from_problem(PROBLEM, **{**OPTIONS, "seed": 100})
    with pytest.raises(CheckpointError, match="options.seed"):
        run_ensemble(other, 40, chunk_size=20, checkpoint=path)
    for changed in (dict(temperature=SPIKE), dict(friction=2.0), dict(absorbing=Ball((0.5,), 0.1))):
        other_problem = dataclasses.replace(PROBLEM, **changed)
        with pytest.raises(CheckpointError, match="problem"):
            run_ensemble(LangevinChunks.from_problem(other_problem, **OPTIONS), 40, chunk_size=20, checkpoint=path)
    heun = LangevinChunks.from_problem(PROBLEM, **OPTIONS, integrator="heun")
    with pytest.raises(CheckpointError, match="options.integrator"):
        run_ensemble(heun, 40, chunk_size=20, checkpoint=path)
    with pytest.raises(CheckpointError, match="rerun with `chunk_size` 20"):
        run_ensemble(chunks, 40, chunk_size=10, checkpoint=path)
    with pytest.raises(CheckpointError, match="rerun with `trajectories` 40"):
        run_ensemble(chunks, 60, chunk_size=20, checkpoint=path)
    # threads change the speed, not the numbers: accepted
    threaded = LangevinChunks.from_problem(PROBLEM, threads=1, **OPTIONS)
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


def test_replayed_exit_times_equal_the_chunked_ensemble(case):
    chunks, whole = case
    run = run_ensemble(chunks, N, chunk_size=64)
    options = dict(chunks.options)
    for index in (0, 63, 64, 65, 401, N - 1):  # chunk edges included
        times, path, escaped = replay_trajectory(chunks.problem, trajectory=index, **options)
        assert times[-1] == run.sample.times[index]
        assert escaped == run.sample.escaped[index]
        assert path[-1].tobytes() == run.sample.positions[index].tobytes()
    assert run.sample.censored > 0


# --- Dask -------------------------------------------------------------------------------------------


def test_a_dask_local_cluster_gives_the_single_machine_bits(case):
    chunks, whole = case
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
