"""kill -9 of a real ``qmoi run`` coordinator mid-run: the next command marks the run
interrupted, and ``qmoi runs resume`` finishes it, keeping the job that had finished (its
outputs still feed ``needs``) and running the interrupted one again as attempt 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qmoi.cli.app import run as cli
from run_helpers import make_repo

WORKFLOW = """
    name: Slow
    on: push
    jobs:
      first:
        runs-on: ubuntu-latest
        outputs:
          token: ${{{{ steps.t.outputs.token }}}}
        steps:
          - id: t
            run: echo "token=abc123" >> "$GITHUB_OUTPUT"
      slow:
        needs: first
        runs-on: ubuntu-latest
        steps:
          - run: echo "got ${{{{ needs.first.outputs.token }}}}"
          - run: for i in $(seq 600); do [ -f {mark} ] && exit 0; sleep 0.05; done; exit 1
"""


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = cli(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def _wait_for(path_glob: str, root: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not list(root.glob(path_glob)):
        assert process.poll() is None, "qmoi run ended before it was killed"
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.05)


def test_kill_9_of_the_coordinator_then_resume(
        database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    mark = tmp_path / "go"
    repo = make_repo(tmp_path / "repo", {"slow.yml": WORKFLOW.format(mark=mark)})
    monkeypatch.delenv("QMOI_HOME", raising=False)
    monkeypatch.chdir(repo)
    coordinator = subprocess.Popen([sys.executable, "-m", "qmoi.cli.main", "run"], cwd=repo,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=dict(os.environ))
    try:
        _wait_for(".qmoi/runs/*/logs/slow/002.log", repo, coordinator)
    finally:
        os.kill(coordinator.pid, signal.SIGKILL)
        coordinator.wait()

    code, runs = _cli_json(capsys, "runs", "list", "--json")
    assert code == 0 and isinstance(runs, list)
    [run] = runs
    assert run["result"] == "interrupted" and run["workflow"] == ".github/workflows/slow.yml"
    run_id = run["run_id"]
    _, before = _cli_json(capsys, "runs", "show", "--json", run_id)
    assert isinstance(before, dict) and before["result"] == "interrupted"
    first, slow = before["jobs"]
    assert (first["result"], slow["result"], slow["attempt"]) == (
        "success", "interrupted", 1)

    mark.touch()  # lets the orphaned step of the killed run end too
    code, resumed = _cli_json(capsys, "runs", "resume", "--json", run_id)
    assert code == 0 and isinstance(resumed, dict)
    assert resumed["run_id"] == run_id and resumed["result"] == "success"
    kept, rerun = resumed["jobs"]
    assert kept["started_at"] == first["started_at"]  # replayed, not run again
    assert kept["outputs"] == {"token": "abc123"} and rerun["result"] == "success"

    _, after = _cli_json(capsys, "runs", "show", "--json", run_id)
    assert isinstance(after, dict) and after["result"] == "success"
    assert [(job["key"], job["attempt"], job["result"]) for job in after["jobs"]] == [
        ("first", 1, "success"), ("slow", 2, "success")]
    assert cli(["runs", "logs", run_id, "slow"]) == 0
    logs = capsys.readouterr().out
    assert logs.count("got abc123") == 2  # attempt 1's log is kept beside attempt 2's
    assert "attempt 1" in logs and "attempt 2" in logs

    assert cli(["runs", "resume", run_id]) == 2  # finished: nothing left to resume
    assert "only an interrupted run can be resumed" in capsys.readouterr().err
