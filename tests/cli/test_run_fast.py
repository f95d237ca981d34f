"""``qmoi run`` starts without Typer: the fast parser knows every option of the Typer
command (same names, same destinations) and gives way to Typer for help and errors."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from qmoi.cli import run as run_cmd
from qmoi.errors import UsageError
from run_helpers import ONE_STEP, make_repo


def _python(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """This interpreter run with ``args`` (a ``-c`` snippet or ``-m`` module), output kept."""
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120)


def _typer_options() -> dict[str, tuple[str, ...]]:
    """Each parameter of the Typer command → its flags (() for the argument)."""
    found: dict[str, tuple[str, ...]] = {}
    for name, parameter in inspect.signature(run_cmd.run).parameters.items():
        found[name] = tuple(getattr(parameter.default, "param_decls", ()) or ())
    return found


def test_every_typer_option_is_read_by_the_fast_parser() -> None:
    options = _typer_options()
    assert set(options) == set(inspect.signature(run_cmd.run_workflows).parameters)
    for name, flags in options.items():
        for flag in flags:
            default = inspect.signature(run_cmd.run).parameters[name].default.default
            argv = [flag] if isinstance(default, bool) else [flag, "7"]
            parsed = run_cmd.parse_fast(argv)
            assert parsed is not None, flag
            expected = True if isinstance(default, bool) else (
                [Path("7")] if name == "workflows" else ["7"] if isinstance(default, list)
                else 7 if name == "max_parallel" else "7" if isinstance(default, str)
                else Path("7"))
            assert parsed[name] == expected, flag


def test_help_unknown_options_and_bad_values_go_to_typer() -> None:
    for argv in (["--help"], ["-h"], ["--bogus"], ["--max-parallel", "x"], ["a", "b"]):
        assert run_cmd.parse_fast(argv) is None, argv
    assert run_cmd.parse_fast(["pull_request", "-W", "x.yml", "-W", "y.yml", "--json"]) == {
        **run_cmd.parse_fast([]),  # type: ignore[dict-item]
        "event": "pull_request", "workflows": [Path("x.yml"), Path("y.yml")], "as_json": True}


def test_a_run_never_imports_typer(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    code = ("import sys; from qmoi.cli.main import main; rc = main(['run', '--json']); "
            "print('typer' in sys.modules, 'click' in sys.modules, rc, file=sys.stderr)")
    done = _python("-c", code, cwd=repo)
    assert done.stderr.strip().splitlines()[-1] == "False False 0"
    assert '"result": "success"' in done.stdout


def test_a_narrow_run_needs_neither_the_database_nor_the_pool(tmp_path: Path) -> None:
    # Two jobs in a chain never compete: threads here, the journal instead of SQLAlchemy.
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo hi
          b:
            needs: a
            runs-on: ubuntu-latest
            steps:
              - run: echo there
        """})
    code = ("import sys; from qmoi.cli.main import main; rc = main(['run', '--json']); "
            "print('sqlalchemy' in sys.modules, 'qmoi.runners.pool' in sys.modules, rc, "
            "file=sys.stderr)")
    done = _python("-c", code, cwd=repo)
    assert done.stderr.strip().splitlines()[-1] == "False False 0"
    listed = _python("-m", "qmoi.cli.main", "runs", "list", cwd=repo)
    assert "success" in listed.stdout and ".github/workflows/ci.yml" in listed.stdout


def test_runners_accepts_auto_and_refuses_the_unknown() -> None:
    assert run_cmd.parse_fast([])["runners"] == "auto"  # type: ignore[index]
    with pytest.raises(UsageError, match="auto, local, inline or ray"):
        run_cmd.run_workflows(runners="threads")


def test_the_fast_parser_takes_argparse_forms_and_leaves_the_rest_to_typer() -> None:
    parsed = run_cmd.parse_fast(["--var=k=v", "-Wa.yml", "-lg", "--max-parallel=3",
                                 "-e", "ev.json", "--", "workflow_dispatch"])
    assert parsed is not None
    assert (parsed["variables"], parsed["workflows"], parsed["list_only"], parsed["graph"],
            parsed["max_parallel"], parsed["event_path"], parsed["event"]) == (
        ["k=v"], [Path("a.yml")], True, True, 3, Path("ev.json"), "workflow_dispatch")
    for argv in (["-W"], ["-W", "--json"], ["--json=1"], ["-lW", "x"], ["--runners"],
                 ["--max-parallel", "many"], ["--workflow", "x"]):
        assert run_cmd.parse_fast(argv) is None, argv


def test_the_collector_is_paused_for_the_start_up_only(tmp_path: Path) -> None:
    # main stops the collector while the run's modules load; the jobs run with it back on
    # and the caller gets it as it was, whether the run ran, only planned or was refused.
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    code = (
        "import gc, sys\n"
        "import qmoi.execute.session as session\n"
        "from qmoi.cli import run\n"
        "from qmoi.cli.main import main\n"
        "original, seen = session.run_locally, []\n"
        "def spy(*args, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    return original(*args, **kwargs)\n"
        "session.run_locally = spy\n"
        "before = gc.get_threshold()\n"
        "planned = run.run_workflows\n"
        "during = []\n"
        "def plan_spy(**options):\n"
        "    during.append(gc.isenabled())\n"
        "    return planned(**options)\n"
        "run.run_workflows = plan_spy\n"
        "codes = [main(args) for args in (['run', '--json'], ['run', '--dry-run'],\n"
        "                                  ['run', '--max-parallel', '0'])]\n"
        "print(during, seen, gc.isenabled(), gc.get_threshold() == before, codes,\n"
        "      file=sys.stderr)\n")
    done = _python("-c", code, cwd=repo)
    assert done.stderr.strip().splitlines()[-1] == (
        "[False, False, False] [True] True True [0, 0, 2]"), done.stderr


def test_exit_now_does_what_the_interpreter_exit_does_before_its_tear_down() -> None:
    # Non-daemon threads are waited for, atexit callbacks run after them, the standard
    # streams are flushed, then the process ends with the code.
    code = ("import atexit, sys, threading, time\n"
            "from qmoi.cli.main import exit_now\n"
            "atexit.register(lambda: print('atexit', flush=True))\n"
            "threading.Thread(target=lambda: (time.sleep(0.2), print('thread'))).start()\n"
            "sys.stdout.write('before ')\n"
            "sys.stderr.write('err')\n"
            "exit_now(7)\n"
            "print('not reached')\n")
    done = _python("-c", code)
    assert (done.returncode, done.stdout, done.stderr) == (7, "before thread\natexit\n", "err")


def test_exit_now_leaves_a_closed_stdout_to_the_interpreter() -> None:
    # Unflushable output: exit_now returns and the usual exit reports it (code 120).
    code = ("import os, sys\n"
            "from qmoi.cli.main import exit_now\n"
            "r, w = os.pipe(); os.close(r); sys.stdout = os.fdopen(w, 'w')\n"
            "sys.stdout.write('x')\n"
            "exit_now(0)\n"
            "sys.stderr.write('returned\\n')\n")
    done = _python("-c", code)
    assert done.stderr.startswith("returned\n")
    assert done.returncode == 120


def test_the_qmoi_entry_point_ends_a_run_with_its_code(tmp_path: Path) -> None:
    # main() with no argv is the process's entry point: the run's code, output complete.
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          ok:
            runs-on: ubuntu-latest
            steps:
              - run: echo fine
          bad:
            runs-on: ubuntu-latest
            steps:
              - run: exit 3
        """})
    code = "import sys; from qmoi.cli.main import main; sys.exit(main())"
    done = _python("-c", code, "run", cwd=repo)
    assert done.returncode == 1
    assert "[ok]   | fine" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("run ")
    assert ": failure (saved in " in done.stdout


def test_a_run_that_never_starts_leaves_no_folder_and_no_checkout(tmp_path: Path) -> None:
    # The commit is checked out before the workflows are read: a plan that fails (no such
    # job here) takes its run folder and that checkout with it.
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    done = _python("-m", "qmoi.cli.main", "run", "-j", "nosuch", cwd=repo)
    assert done.returncode == 2 and "nosuch" in done.stderr
    assert not list((repo / ".qmoi" / "runs").iterdir())
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True,
                               text=True, check=True).stdout.strip().splitlines()
    assert len(worktrees) == 1  # the repository itself: no template left registered


def test_a_dry_run_that_fails_leaves_the_runs_folder_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    runs = repo / ".qmoi" / "runs"
    runs.mkdir(parents=True)
    done = _python("-m", "qmoi.cli.main", "run", "-n", "-j", "nosuch", cwd=repo)
    assert done.returncode == 2 and "nosuch" in done.stderr
    assert runs.is_dir()  # a dry run has no folder of its own to take away
