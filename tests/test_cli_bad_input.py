"""Bad input on every subcommand: exit status 2, one line on stderr, no traceback, nothing written or run.

Each row of the table is a command line and a fragment its error must contain
(the parameter it names).  The rows run in-process through ``verify.cli.main``
(argparse's own errors arrive as ``SystemExit(2)``), each in an empty working
directory that must stay empty, each under 5 s; injection attempts would
create a file ``PWNED`` there.  A sample runs as real subprocesses
(``python -m verify.cli``), where start-up and the exit status are the real ones.
"""

import contextlib
import io
import os
import subprocess
import sys
import time

import pytest

from verify.cli import main

Q = "(x**2-1)**2"
L = ("--potential", Q, "--from", "-1", "--to", "1")
T = ("--temperature", "0.5")
SIM = ("simulate", *L, *T, "--trajectories", "10", "--dt", "0.01", "--seed", "1")
PWN = "__import__('os').system('touch PWNED')"
CASES = [
    # --- rate: the potential string
    (("rate", "--potential", PWN, "--from", "-1", "--to", "1"), "--potential"),
    (("rate", "--potential", "x.__class__", "--from", "-1", "--to", "1"), "attribute"),
    (("rate", "--potential", "__builtins__", "--from", "-1", "--to", "1"), "unknown name"),
    (("rate", "--potential", "(lambda: 1)()", "--from", "-1", "--to", "1"), "--potential"),
    (("rate", "--potential", "lambda x: x", "--from", "-1", "--to", "1"), "Lambda"),
    (("rate", "--potential", "x**(10**100)", "--from", "-1", "--to", "1"), "exponent"),
    (("rate", "--potential", "9**9**9", "--from", "-1", "--to", "1"), "exponent"),
    (("rate", "--potential", "x**2*((10**1000)**1000)", "--from", "-1", "--to", "1"), "digits"),
    (("rate", "--potential", "x**2*" + "*".join(["10**999"] * 12), "--from", "-1", "--to", "1"), "digits"),
    (("rate", "--potential", "factorial(10**100)", "--from", "-1", "--to", "1"), "factorial"),
    (("rate", "--potential", "gamma(10**100)", "--from", "-1", "--to", "1"), "gamma"),
    (("rate", "--potential", "(x**2-1)**2!", "--from", "-1", "--to", "1"), "cannot parse"),
    (("rate", "--potential", "x[0]", "--from", "-1", "--to", "1"), "Subscript"),
    (("rate", "--potential", "'x'", "--from", "-1", "--to", "1"), "not a number"),
    (("rate", "--potential", "exp(x, base=2)", "--from", "-1", "--to", "1"), "keyword"),
    (("rate", "--potential", "+" * 200 + "x", "--from", "-1", "--to", "1"), "--potential"),
    (("rate", "--potential", "(10**999*x)**100", "--from", "-1", "--to", "1"), "digits"),
    (("rate", "--potential", "x+" * 3000 + "x", "--from", "-1", "--to", "1"), "longer than"),
    (("rate", "--potential", "", "--from", "-1", "--to", "1"), "empty"),
    (("rate", "--potential", "x == 1", "--from", "-1", "--to", "1"), "Compare"),
    (("rate", "--potential", "[x for x in ()]", "--from", "-1", "--to", "1"), "ListComp"),
    (("rate", "--potential", "x if x else 1", "--from", "-1", "--to", "1"), "IfExp"),
    (("rate", "--potential", "f'{x}'", "--from", "-1", "--to", "1"), "--potential"),
    (("rate", "--potential", "1/0", "--from", "-1", "--to", "1"), "division by zero"),
    (("rate", "--potential", "x**a", "--param", "a=10**100", "--from", "-1", "--to", "1"), "exponent"),
    (("rate", "--potential", "a*x**2", "--param", f"a={PWN}", "--from", "-1", "--to", "1"), "parameter a"),
    (("rate", "--potential", "a*x**2", "--param", "__class__=1", "--from", "-1", "--to", "1"), "__class__"),
    (("rate", *L, "--param", "a"), "--param"),
    (("rate", "--potential", Q, "--from", "os.system('touch PWNED')", "--to", "1"), "--from"),
    (("rate", "--potential", Q, "--from", "-1", "--to", "nan"), "--to"),
    (("rate", *L, "--temperature", "1e400"), "--temperature"),
    (("rate", *L, "--temperature", "-1"), "--temperature"),
    (("rate", *L, "--friction", "0"), "--friction"),
    (("rate", *L, "--var", "x,,y"), "--var"),
    (("rate", *L, "--var", "__import__"), "variable"),
    (("rate", "--potential", Q, "--from", "-1"), "--to"),
    (("rate", "--potential", Q, "--from", "-1", "--to", "-0.5"), "no barrier"),
    (("rate", "--potential", "x**4 - x**6", "--from", "0.1", "--to", "2"), "degenerate"),
    (("rate", "--potential", "a*x**2", "--from", "-1", "--to", "1"), "--param a=VALUE"),
    # --- mfpt
    (("mfpt", *L, "--temperature", "0"), "--temperature"),
    (("mfpt", *L, *T, "--digits", "100000"), "--digits"),
    (("mfpt", *L, *T, "--digits", "ten"), "--digits"),
    (("mfpt", *L, *T, "--reflect", "exec('1')"), "--reflect"),
    (("mfpt", *L, *T, "--friction", "10**100**100"), "--friction"),
    (("mfpt", *L, *T, "--left", "-1"), "--left"),
    (("mfpt", *L, *T, "--left", "-2", "--reflect", "-2"), "--left"),
    (("mfpt", *L, *T, "--moments", "3"), "--moments"),
    (("mfpt", "--potential", "x", "--from", "0", "--to", "1", *T), "confine"),
    # --- simulate
    (("simulate", *L, *T, "--trajectories", "100000000000000", "--dt", "0.01", "--seed", "1"), "memory"),
    (("simulate", *L, *T, "--trajectories", "1e6", "--dt", "0.01", "--seed", "1"), "--trajectories"),
    (("simulate", *L, *T, "--trajectories", "0", "--dt", "0.01", "--seed", "1"), "--trajectories"),
    (("simulate", *L, *T, "--trajectories", "10", "--dt", "-0.01", "--seed", "1"), "--dt"),
    (("simulate", *L, *T, "--trajectories", "10", "--dt", "0", "--seed", "1"), "--dt"),
    (("simulate", *L, *T, "--trajectories", "10", "--dt", "0.01"), "--seed"),
    (("simulate", *L, *T, "--trajectories", "10", "--dt", "0.01", "--seed", "-3"), "--seed"),
    (("simulate", *SIM[1:], "--threads", "0"), "--threads"),
    (("simulate", *SIM[1:], "--max-time", "1e-9"), "max_time"),
    (("simulate", *SIM[1:], "--dt-ladder", "1"), "--dt-ladder"),
    (("simulate", *SIM[1:], "--dt-ladder", "10000000000000"), "memory"),
    (("simulate", *SIM[1:], "--integrator", "rk4"), "invalid choice"),
    (("simulate", *SIM[1:], "--mass", "2"), "--mass"),
    (("simulate", "--potential", Q, "--from", "-1", "--to", "1", "--temperature-expr", f"0.5+{PWN}",
      "--trajectories", "10", "--dt", "0.01", "--seed", "1"), "--temperature-expr"),
    (("simulate", "--potential", Q, "--from", "-1", "--to", "1", "--temperature-expr", "t**(10**100)",
      "--trajectories", "10", "--dt", "0.01", "--seed", "1"), "exponent"),
    (("simulate", *SIM[1:], "--schedule", "spike:A=__import__,t0=1,sigma=1"), "--schedule"),
    (("simulate", *SIM[1:], "--absorb", "x.real > 1"), "--absorb"),
    (("simulate", *SIM[1:], "--chunk-size", "0"), "--chunk-size"),
    (("simulate", *SIM[1:], "--workers", "-1"), "--workers"),
    (("simulate", *SIM[1:], "--checkpoint", "/nonexistent/dir/ck"), "--checkpoint"),
    (("simulate", *SIM[1:], "--replay", "-1"), "--replay"),
    # --- verify, latex, list
    (("verify", "no_such_check"), "no_such_check"),
    (("verify", "__import__('os')"), "unknown"),
    (("verify", "--all", "ewc_canonical_vs_hand"), "--all"),
    (("verify", "--quick", "--full"), "not allowed"),
    (("verify", "ewc_canonical_vs_hand", "--report", "/nonexistent/dir/report"), "--report"),
    (("verify", "fpe_vs_exact_mfpt", "--jobs", "0"), "--jobs"),
    (("latex", "no_such_derivation"), "no_such_derivation"),
    (("latex", "--all"), "-o"),
    (("latex", "--all", "-o", "paper.pdf"), ".tex"),
    (("latex", "-o", "/nonexistent/dir/out.tex"), "-o"),
    (("list", "--frobnicate"), "unrecognized"),
    (("list", "extra"), "unrecognized"),
    # --- ewc
    (("ewc", *L, "--tasks", "1.5", "--lam", "0.1", "--fisher", "1", "--anchor", "-1"), "--tasks"),
    (("ewc", *L, "--tasks", "-2", "--lam", "0.1", "--fisher", "1", "--anchor", "-1"), "--tasks"),
    (("ewc", *L, "--tasks", PWN, "--lam", "0.1", "--fisher", "1", "--anchor", "-1"), "--tasks"),
    (("ewc", *L, "--tasks", "2", "--fisher", "1", "--anchor", "-1"), "--lam"),
    (("ewc", *L, "--tasks", "2", "--lam", "0.1", "--fisher", "1,,2", "--anchor", "-1"), "--fisher"),
    (("ewc", *L, "--tasks-file", "/nonexistent/tasks.json", "--lam", "0.1"), "--tasks-file"),
    # --- schedule
    (("schedule", *L, *T, "--schedule", "spike:A=1,t0=5,sigma=1", "--horizon", "-1"), "--horizon"),
    (("schedule", *L, *T, "--schedule", "nonsense:A=1", "--horizon", "10"), "--schedule"),
    (("schedule", *L, *T, "--schedule", f"expr:{PWN}", "--horizon", "10"), "--schedule"),
    (("schedule", *L, *T, "--optimize", "--horizon", "10"), "--budget"),
    (("schedule", *L, *T, "--optimize", "--budget", "1", "--horizon", "10", "--friction", PWN), "--friction"),
    (("schedule", *L, *T, "--schedule", "spike:A=1,t0=5,sigma=1", "--horizon", "10", "--digits", "0"), "--digits"),
    # --- fpe
    (("fpe", *L, *T, "--horizon", "10", "--cells", "1000000000000"), "memory"),
    (("fpe", *L, *T, "--horizon", "10", "--cells", "1"), "--cells"),
    (("fpe", *L, *T, "--horizon", "10", "--steps", "0"), "--steps"),
    (("fpe", *L, *T, "--horizon", "10", "--outputs", "-5"), "--outputs"),
    (("fpe", *L, "--temperature-expr", "t.__class__", "--horizon", "10"), "--temperature-expr"),
    (("fpe", *L, *T, "--horizon", "inf"), "--horizon"),
    # --- skills
    (("skills", "geometry", "--d", "1000000000000"), "--d"),
    (("skills", "geometry", "--steps", "-1"), "--steps"),
    (("skills", "geometry", "--runs", "100000000", "--steps", "100000000"), "--runs"),
    (("skills", "geometry", "--lr", PWN), "--lr"),
    (("skills", "geometry", "--optimizer", "lbfgs"), "invalid choice"),
    (("skills", "resource", "--wasted", "-1"), "--wasted"),
    (("skills", "resource", "--steps", "100000000000"), "--steps"),
    (("skills", "domino", "--n", "0"), "--n"),
    (("skills", "domino", "--threshold", "2"), "--threshold"),
    (("skills", "frobnicate"), "invalid choice"),
    # --- bench, unknown command
    (("bench", "--trajectories", "0"), "--trajectories"),
    (("bench", "--trajectories", "100000000000000"), "memory"),
    (("bench", "--threads", "a,b"), "--threads"),
    (("bench", "--threads", "0"), "--threads"),
    (("bench", "--repeats", "0"), "--repeats"),
    # --- path
    (("path", "--var", "x,y", "--potential", PWN, "--from", "-1,0", "--to", "1,0"), "--potential"),
    (("path", "--var", "x,y", "--potential", "(x**2-1)**2 + y**2", "--from", "-1", "--to", "1,0"), "--from"),
    (("path", "--var", "x,y", "--potential", "(x**2-1)**2 + y**2", "--from", "-1,0", "--to", "1,0",
      "--images", "1"), "--images"),
    # --- network (refused before torch is imported)
    (("network", "ewc", "--tasks", "1.5"), "--tasks"),
    (("network", "ewc", "--lam", "-1"), "--lam"),
    (("network", "ewc", "--temperatures", "0.1,-0.2"), "--temperatures"),
    (("frobnicate",), "invalid choice"),
    ((), "required"),
]


#: Rows also run as subprocesses: injection, unbounded exponents, an absurd size, a refused count, argparse.
SUBPROCESS_SAMPLE = [
    (("rate", "--potential", PWN, "--from", "-1", "--to", "1"), "--potential"),
    (("rate", "--potential", "x**(10**100)", "--from", "-1", "--to", "1"), "exponent"),
    (("mfpt", "--potential", "9**9**9", "--from", "-1", "--to", "1", *T), "exponent"),
    (("simulate", *L, *T, "--trajectories", "100000000000000", "--dt", "0.01", "--seed", "1"), "memory"),
    (("ewc", *L, "--tasks", "1.5", "--lam", "0.1", "--fisher", "1", "--anchor", "-1"), "--tasks"),
    (("frobnicate",), "invalid choice"),
]

SECONDS = 5.0


def _assert_refused(status, stdout, stderr, fragment, seconds, directory):
    assert status == 2, (status, stderr)
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr
    assert fragment in stderr, stderr
    assert os.listdir(directory) == [], "something was written (or executed)"
    assert seconds < SECONDS, f"took {seconds:.1f} s"


def test_the_table_covers_every_subcommand():
    from verify.cli import build_parser

    subcommands = build_parser()._subparsers._group_actions[0].choices
    covered = {arguments[0] for arguments, _ in CASES if arguments}
    assert set(subcommands) <= covered, set(subcommands) - covered
    assert len(CASES) >= 60


@pytest.mark.parametrize("arguments, fragment", CASES, ids=[f"{i}-{' '.join(a[:1])}" for i, (a, _) in enumerate(CASES)])
def test_bad_input_in_process(arguments, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stdout, stderr = io.StringIO(), io.StringIO()
    began = time.perf_counter()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(list(arguments))
        except SystemExit as exit:  # argparse's usage errors
            status = exit.code
    _assert_refused(status, stdout.getvalue(), stderr.getvalue(), fragment, time.perf_counter() - began, tmp_path)


@pytest.mark.parametrize("arguments, fragment", SUBPROCESS_SAMPLE, ids=lambda value: None)
def test_bad_input_in_a_subprocess(arguments, fragment, tmp_path):
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}
    began = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "verify.cli", *arguments], capture_output=True, text=True,
                               cwd=tmp_path, env=environment, timeout=60)
    seconds = time.perf_counter() - began
    # start-up (imports) is not the refusal's cost: it is allowed on top of the bound
    _assert_refused(completed.returncode, completed.stdout, completed.stderr, fragment, seconds - _start_up(), tmp_path)


def _start_up(cache={}):
    """Seconds for a Python that imports theory, numerics and the CLI (start-up), measured once."""
    if "seconds" not in cache:
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import theory, numerics, verify.cli"], capture_output=True, timeout=60,
                       check=True)
        cache["seconds"] = time.perf_counter() - began
    return cache["seconds"]


#: Errors raised by theory and numerics name library parameters; ``kramers`` prints its flags in their place
#: (verify.cli._common.flags_in: the leading parameter and every `name` in backquotes).  Whole lines, exactly.
E1 = ("--lam", "0.1", "--fisher", "1", "--anchor", "-1")
LIBRARY_ERRORS = [
    (("rate", "--potential", Q, "--from", "0", "--to", "1"),
     "--from: the start point 0 is a maximum of U, not in a basin"),
    (("rate", "--potential", "x**2", "--from", "1", "--to", "3"),
     "--to: no barrier between the start basin's minimum a = 0 and the target 3: U has no maximum on that segment"),
    (("path", "--var", "x,y", "--potential", "(x**2-1)**2 + y**2", "--from", "0,0", "--to", "1,0"),
     "--from: the stationary point at (0, 0) reached from the seed is a saddle of index 1 (Hessian eigenvalues -4, 2); "
     "a minimum is needed"),
    (("rate", "--potential", "a*x", "--from", "-1", "--to", "1"),
     "--potential: unknown name 'a' (a parameter must be declared, e.g. --param a=VALUE); allowed are numbers, the "
     "names [x], pi, E, + - * / ** and the functions abs, acos, acosh, asin, asinh, atan, atanh, cos, cosh, erf, "
     "exp, log, sech, sin, sinh, sqrt, tan, tanh"),
    (("ewc", *L, "--lam", "0.1", "--tasks-file", "EMPTY"), "--tasks-file: the list of tasks is empty"),
    (("ewc", *L, "--lam", "0.1", "--anchor", "-1"), "--anchor and --fisher: both are needed (or a --tasks-file)"),
    (("ewc", *L, *E1), "--tasks (N): the number of consolidated tasks is needed"),
    (("ewc", *L, "--tasks", "2", "--lam", "-1", "--fisher", "1", "--anchor", "-1"),
     "--lam (EWC strength lambda) must be non-negative, got -1"),
    (("ewc", *L, "--tasks", "2", "--lam", "0.1", "--fisher", "-1", "--anchor", "-1"),
     "task 1 (--anchor, --fisher): Fisher matrix [[-1]] is not positive semi-definite (principal minor on rows [0] "
     "is -1); a Fisher information has no negative eigenvalue"),
    (("ewc", "--potential", "(x**2-1)**2+N*x", "--param", "N=1", "--from", "-1", "--to", "1", "--tasks", "2", *E1),
     "--param: names ['N'] are reserved by EWC (N tasks, lambda strength, F Fisher)"),
    (("ewc", "--potential", "x**2", "--from", "-1", "--to", "1", "--tasks", "2", *E1),
     "--potential: there is no barrier between the old-task basin and the target even at N = 0"),
]


@pytest.mark.parametrize("arguments, line", LIBRARY_ERRORS, ids=[f"{i}-{a[0]}" for i, (a, _) in enumerate(LIBRARY_ERRORS)])
def test_library_errors_reach_the_command_line_with_its_flags(arguments, line, tmp_path, monkeypatch):
    (tmp_path / "empty.json").write_text("[]")
    arguments = [str(tmp_path / "empty.json") if a == "EMPTY" else a for a in arguments]
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        status = main(arguments)
    assert status == 2
    assert stderr.getvalue() == f"kramers {arguments[0]}: error: {line}\n"


def test_a_quoted_library_error_reaches_the_command_line_with_its_flags(capsys):
    """Past N* the reason quotes theory's NoBarrierError of the start basin: both parameters become flags."""
    assert main(["ewc", *L, "--tasks", "100", "--lam", "1", "--fisher", "1", "--anchor", "-1"]) == 0
    assert ("barrier             none: --tasks: no barrier between the old-task basin and the target at N = 100: "
            "past N* = 1 the new-task minimum and the saddle have merged (--to: no barrier between the start basin's "
            "minimum a = -1 and the target 1: U has no maximum on that segment)") in capsys.readouterr().out
