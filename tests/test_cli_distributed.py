"""`kramers simulate` in chunks: workers, checkpoints survive a kill, replay, progress, bad input."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from verify._progress import ProgressBar, format_duration

QUARTIC = "(x**2-1)**2"
COMMON = ("simulate", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5", "--dt", "0.005",
          "--seed", "11", "--json")
STATISTICS = ("mean", "stderr", "trajectories", "censored", "rate_mle", "rate_mle_stderr", "steps", "seed")


def command(*arguments):
    return [sys.executable, "-m", "verify.cli", *arguments]


def in_process(*arguments):
    """Run ``kramers`` in this process (no interpreter start-up): returns (status, stdout, stderr)."""
    from verify.cli import main as kramers_main

    stdout, stderr, showwarning = io.StringIO(), io.StringIO(), warnings.showwarning
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = kramers_main(list(arguments))
            except SystemExit as exit:  # argparse's own errors
                status = exit.code
    finally:
        warnings.showwarning = showwarning  # main() replaces it
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def main():
    return in_process


def parsed(result):
    status, stdout, stderr = result
    assert status == 0, stderr
    out = json.loads(stdout)
    return {key: out[key] for key in STATISTICS}, out


@pytest.fixture(scope="module")
def reference():
    """2000 trajectories in one process, one chunk."""
    values, out = parsed(in_process(*COMMON, "--trajectories", "2000", "--chunk-size", "2000", "--quiet"))
    assert out["chunks"] == 1 and out["workers"] == 1 and out["resumed_chunks"] == 0
    return values


def test_chunk_size_changes_nothing(reference, main):
    values, out = parsed(main(*COMMON, "--trajectories", "2000", "--chunk-size", "333"))
    assert values == reference
    assert out["chunks"] == 7 and out["chunk_size"] == 333
    for key in ("steps_per_second", "threads", "wall_seconds", "elapsed_seconds", "checkpoint"):
        assert key in out


def test_a_local_dask_cluster_gives_the_single_machine_numbers(reference, main):
    pytest.importorskip("distributed")
    status, stdout, stderr = main(*COMMON, "--trajectories", "2000", "--chunk-size", "250", "--workers", "2")
    values, out = parsed((status, stdout, stderr))
    assert values == reference  # floats from JSON: equal means bit for bit
    assert out["workers"] == 2 and out["chunks"] == 8
    assert stderr == ""


def test_a_dt_ladder_runs_every_rung_on_one_cluster(main, monkeypatch, tmp_path):
    """--dt-ladder with --workers starts one local cluster for all rungs, with the one-process numbers."""
    pytest.importorskip("distributed")
    from numerics import _distributed

    started = []
    start = _distributed.DaskBackend._start_local_cluster
    monkeypatch.setattr(_distributed.DaskBackend, "_start_local_cluster",
                        lambda self, distributed: (started.append(self), start(self, distributed))[1])
    ladder = (*COMMON, "--trajectories", "200", "--chunk-size", "50", "--dt-ladder", "3", "--quiet")
    plain = parsed(main(*ladder))[1]
    values, out = parsed(main(*ladder, "--workers", "2", "--checkpoint", str(tmp_path / "ladder")))
    assert len(started) == 1 and out["workers"] == 2
    for key in ("dt_ladder_means", "dt_bias_estimate", "mean", "steps"):
        assert out[key] == plain[key]
    assert sorted(os.listdir(tmp_path / "ladder")) == ["rung-0", "rung-1", "rung-2"]


# --- checkpoints and interruption -----------------------------------------------------------------

LONG = (*COMMON, "--trajectories", "8000", "--chunk-size", "200")  # 40 chunks, a few seconds


@pytest.fixture(scope="module")
def long_reference():
    return parsed(in_process(*LONG))[0]


def _reset_sigint():  # a background job may inherit SIGINT ignored; a terminal user's Ctrl-C is not
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT,
                                           pytest.param(signal.SIGKILL, marks=pytest.mark.slow)],
                         ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_killed_run_resumes_from_its_checkpoint_with_the_same_numbers(long_reference, signal_number, tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    process = subprocess.Popen(command(*LONG, "--checkpoint", str(checkpoint)), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=_reset_sigint)
    deadline = time.monotonic() + 120
    while not list(checkpoint.glob("chunk-*.npz")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=120)
    finished_before = len(list(checkpoint.glob("chunk-*.npz")))
    assert process.returncode in (130, -signal.SIGKILL), stderr
    assert stdout == ""
    assert 1 <= finished_before < 40
    if signal_number != signal.SIGKILL:
        assert "rerun the same command to resume" in stderr and "Traceback" not in stderr

    status, stdout, stderr = in_process(*LONG, "--checkpoint", str(checkpoint))
    values, out = parsed((status, stdout, stderr))
    assert values == long_reference
    assert out["resumed_chunks"] == finished_before and out["chunks"] == 40
    assert stderr == ""  # --json with stderr not a terminal: no progress bar


def test_a_checkpoint_from_other_inputs_is_refused_in_one_line(tmp_path, main, monkeypatch):
    checkpoint = tmp_path / "ckpt"
    parsed(main(*COMMON, "--trajectories", "100", "--checkpoint", str(checkpoint)))
    status, stdout, stderr = main(*COMMON[:-3], "--seed", "12", "--json", "--trajectories", "100", "--checkpoint",
                                  str(checkpoint))
    assert status == 2 and stdout == ""
    assert stderr.count("\n") == 1 and "other inputs" in stderr and "seed" in stderr
    # numerics names its parameter (`trajectories`); the command line prints the flag in its place
    status, stdout, stderr = main(*COMMON, "--trajectories", "50", "--checkpoint", str(checkpoint))
    assert status == 2 and stderr == (
        f"kramers simulate: error: checkpoint {checkpoint} was written with trajectories = 100, this run has 50; "
        "rerun with --trajectories 100 or use a new checkpoint path.\n"
    )
    pytest.importorskip("distributed")
    from numerics._distributed import DaskBackend

    def no_cluster(self):
        raise AssertionError("a cluster was started for a run whose checkpoint is refused")

    monkeypatch.setattr(DaskBackend, "__enter__", no_cluster)
    status, stdout, stderr = main(*COMMON[:-3], "--seed", "12", "--json", "--trajectories", "100", "--checkpoint",
                                  str(checkpoint), "--workers", "2")
    assert status == 2 and "other inputs" in stderr and stderr.count("\n") == 1


# --- every problem: 2-D --absorb under a --schedule, BAOAB with --mass --------------------------------

#: A curved absorbing condition under a temperature spike: the numerics tests run the same problem.
PLANE = ("simulate", "--potential", "(x**2-1)**2 + y**2", "--var", "x,y", "--from", "-1,0",
         "--absorb", "x + y**2 > 0.3", "--temperature", "0.5", "--schedule", "spike:A=0.3,t0=1,sigma=0.5",
         "--dt", "0.004", "--max-time", "3", "--seed", "7", "--json")
PLANE_RUN = (*PLANE, "--trajectories", "6000", "--chunk-size", "150")  # 40 chunks


def _kill_when_chunks_appear(arguments, checkpoint, signal_number=signal.SIGKILL):
    """Start ``kramers`` in its own process group, kill the whole group once a chunk is on disk."""
    process = subprocess.Popen(command(*arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_reset_sigint, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(checkpoint.glob("chunk-*.npz")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)  # the run and its Dask workers, as a crash takes them
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def test_a_2d_absorb_run_under_a_spike_on_two_workers_killed_and_resumed_is_the_plain_run(tmp_path):
    """The plain one-process run against --workers 2 --checkpoint DIR, SIGKILLed and rerun."""
    pytest.importorskip("distributed")
    reference, plain = parsed(in_process(*PLANE_RUN, "--quiet"))
    assert plain["dimension"] == 2 and plain["workers"] == 1 and 0 < plain["censored"] < 6000
    assert plain["temperature"].startswith("0.3*exp(") or "exp" in plain["temperature"]
    checkpoint = tmp_path / "plane.ckpt"
    status, stdout, stderr = _kill_when_chunks_appear((*PLANE_RUN, "--workers", "2", "--checkpoint",
                                                        str(checkpoint)), checkpoint)
    finished_before = len(list(checkpoint.glob("chunk-*.npz")))
    assert status == -signal.SIGKILL and stdout == "", stderr
    assert 1 <= finished_before <= 40
    values, out = parsed(in_process(*PLANE_RUN, "--workers", "2", "--checkpoint", str(checkpoint)))
    assert values == reference  # floats through JSON: equal means bit for bit
    assert out["resumed_chunks"] >= finished_before and out["workers"] == 2 and out["chunks"] == 40


def test_baoab_with_a_mass_is_the_same_in_any_chunks_and_resumes(tmp_path):
    underdamped = ("simulate", "--potential", QUARTIC, "--from", "-1", "--to", "1", "--temperature", "0.5",
                   "--integrator", "baoab", "--mass", "0.5", "--friction", "2", "--dt", "0.005", "--seed", "3",
                   "--max-time", "20", "--trajectories", "1500", "--json", "--quiet")
    reference, whole = parsed(in_process(*underdamped, "--chunk-size", "1500", "--threads", "1"))
    assert whole["integrator"] == "baoab" and whole["mass"] == 0.5 and whole["bridge"] is False
    values, out = parsed(in_process(*underdamped, "--chunk-size", "97", "--threads", "2"))
    assert values == reference and out["chunks"] == 16
    checkpoint = tmp_path / "baoab.ckpt"
    parsed(in_process(*underdamped, "--chunk-size", "97", "--checkpoint", str(checkpoint)))
    for name in sorted(checkpoint.glob("chunk-*.npz"))[::2]:
        name.unlink()  # as if the run had died with half of its chunks
    values, out = parsed(in_process(*underdamped, "--chunk-size", "97", "--checkpoint", str(checkpoint)))
    assert values == reference and out["resumed_chunks"] == 8
    status, stdout, stderr = in_process(*underdamped, "--replay", "5")
    assert status == 0, stderr
    assert json.loads(stdout)["exit_time"] == langevin_time(underdamped, 5)


def langevin_time(arguments, index):
    """The time of trajectory ``index`` of a run, from the library (the CLI's --replay must equal it)."""
    from numerics import langevin_first_passage
    from theory import EscapeProblem, Potential

    problem = EscapeProblem(Potential.from_string(QUARTIC), -1.0, 1.0, 0.5, friction=2.0, mass=0.5)
    sample = langevin_first_passage(problem, dt=0.005, seed=3, max_time=20.0, trajectories=index + 1,
                                    integrator="baoab")
    return sample.times[index]


# --- replay ----------------------------------------------------------------------------------------


def test_replay_returns_the_path_whose_end_is_the_ensemble_time(main, tmp_path):
    from numerics import langevin_first_passage
    from theory import EscapeProblem, Potential

    problem = EscapeProblem(Potential.from_string(QUARTIC), start=-1.0, absorbing=1.0, temperature=0.5)
    sample = langevin_first_passage(problem, dt=0.005, seed=11, trajectories=40)
    index = 37
    status, stdout, stderr = main(*COMMON, "--trajectories", "40", "--replay", str(index))
    assert status == 0, stderr
    inline = json.loads(json.dumps(json.loads(stdout)))  # through JSON text and back
    assert inline["trajectory"] == index and inline["escaped"] == bool(sample.escaped[index])
    assert inline["exit_time"] == sample.times[index] == inline["times"][-1]  # bit for bit
    times, positions = np.array(inline["times"]), np.array(inline["positions"])
    assert times.shape == positions.shape == (inline["steps"] + 1,)
    np.testing.assert_array_equal(times, np.arange(inline["steps"] + 1) * 0.005)
    assert positions[0] == -1.0 and np.all(positions[:-1] < 1.0)  # the last step absorbs (or the bridge does)

    npz, table = tmp_path / "path.npz", tmp_path / "path.csv"
    for target in (npz, table):
        status, stdout, stderr = main(*COMMON, "--trajectories", "40", "--replay", str(index), "--replay-output",
                                      str(target))
        out = json.loads(stdout)
        assert out["output"] == str(target) and "positions" not in out
        assert out["exit_time"] == inline["exit_time"]
    with np.load(npz) as data:
        assert data["times"].tolist() == inline["times"] and data["positions"].tolist() == inline["positions"]
        assert bool(data["escaped"]) == inline["escaped"] and int(data["trajectory"]) == index
    rows = list(csv.DictReader(table.open()))
    assert [float(row["time"]) for row in rows] == inline["times"]
    assert [float(row["position"]) for row in rows] == inline["positions"]


# --- bad input ---------------------------------------------------------------------------------------

SMALL = (*COMMON, "--trajectories", "10")


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (("--workers", "0"), "--workers must be at least 1"),
        (("--chunk-size", "0"), "--chunk-size must be at least 1"),
        (("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"), "give one of them"),
        (("--scheduler", "nonsense"), "not an address"),
        (("--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "0.5"), "cannot connect within 0.5 s"),
        (("--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "0"), "--connect-timeout"),
        (("--checkpoint", "/nonexistent-kramers-dir/run.ckpt"), "does not exist"),
        (("--replay", "10"), "--replay must be a trajectory index from 0 to 9"),
        (("--replay", "-1"), "--replay"),
        (("--replay", "1", "--replay-output", "path.txt"), ".npz or .csv"),
        (("--replay", "1", "--replay-output", "/nonexistent-kramers-dir/path.npz"), "does not exist"),
        (("--replay-output", "path.npz"), "needs --replay"),
        (("--replay", "1", "--workers", "2"), "drop --workers"),
    ],
)
def test_bad_input_is_one_line_with_status_2(extra, fragment, tmp_path, main, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, stdout, stderr = main(*SMALL, *extra)
    assert status == 2, stderr
    assert stdout == ""
    assert stderr.count("\n") == 1, stderr
    assert fragment in stderr
    assert not list(tmp_path.iterdir())


# --- the progress bar ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_stays_silent_for_short_runs_and_then_reports_rate_and_eta():
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(stream, delay=2.0, log_interval=10.0, clock=clock)
    bar(0, 10, 0, 1000, 0)
    clock.now += 1.0  # start-up and the first chunk
    bar(1, 10, 100, 1000, 0)
    assert stream.getvalue() == ""  # under the delay
    clock.now += 3.0  # 300 more in 3 s: 100/s, 600 left: 6 s
    bar(4, 10, 400, 1000, 0)
    assert stream.getvalue() == "[#########...............] 4/10 chunks  400/1,000 trajectories  100 traj/s  ETA 6s  (4s)\n"
    clock.now += 1.0
    bar(5, 10, 500, 1000, 0)
    assert stream.getvalue().count("\n") == 1  # a log file gets a line every 10 s at most
    clock.now += 1.0
    bar(10, 10, 1000, 1000, 0)
    assert stream.getvalue().splitlines()[-1].endswith("done  (6s)")


def test_the_progress_bar_redraws_in_place_on_a_terminal_and_ignores_resumed_work_in_the_rate():
    clock, stream = FakeClock(), Terminal()
    bar = ProgressBar(stream, delay=0.0, clock=clock)
    bar(5, 10, 500, 1000, 500)  # half of it read back from a checkpoint
    clock.now += 5.0
    bar(6, 10, 600, 1000, 500)  # 100 computed in 5 s: 20/s, 400 left: 20 s
    clock.now += 1.0
    bar(7, 10, 700, 1000, 500)  # from the first computed chunk on: 100 in 1 s, 300 left: 3 s
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n") and "\n" not in text[:-1]
    assert "20 traj/s  ETA 20s" in text and "100 traj/s  ETA 3s" in text
    assert [format_duration(s) for s in (5, 65, 7260, float("nan"))] == ["5s", "1m05s", "2h01m", "?"]


def test_quiet_runs_write_nothing_on_stderr(main):
    status, stdout, stderr = main(*COMMON[:-1], "--trajectories", "50", "--quiet")
    assert status == 0 and stderr == "" and stdout.startswith("mean")
