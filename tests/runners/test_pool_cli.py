"""``qmoi run`` on the pool seen from a second process (``qmoi runners list``), and Ctrl-C
draining it gracefully."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from run_helpers import make_repo

QMOI = str(Path(sys.executable).parent / "qmoi")
WORKFLOW = """\
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo started > "$GITHUB_WORKSPACE/../../started"; sleep 30
      - if: always()
        run: echo cleaned > "$GITHUB_WORKSPACE/../../cleaned"
"""


def _runners(repo: Path) -> list[dict[str, object]]:
    done = subprocess.run([QMOI, "runners", "list", "--json"], cwd=repo, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _wait(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_second_process_sees_the_workers_and_ctrl_c_drains_them(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"ci.yml": WORKFLOW})
    # --runners local: the pool even for one job (auto would run it on a thread)
    run = subprocess.Popen([QMOI, "run", "--json", "--runners", "local"], cwd=repo,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    try:
        runs = repo / ".qmoi" / "runs"
        _wait(lambda: any(runs.glob("*/started")) if runs.exists() else False)
        # The board is published at most every tick: the job may be in its step first.
        busy: list[dict[str, object]] = []

        def found_busy() -> bool:
            busy[:] = [w for w in _runners(repo) if w["state"] == "busy"]
            return bool(busy)

        _wait(found_busy, timeout=10.0)
        assert len(busy) == 1
        worker = busy[0]
        assert worker["pool"] == "local" and isinstance(worker["pid"], int)
        assert worker["job"] == {"run_id": next(runs.iterdir()).name, "key": "slow"}
        group = [p.pid for p in psutil.Process(run.pid).children(recursive=True)]
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 1
    [job] = json.loads(out)["jobs"]
    assert job["result"] == "cancelled"
    assert [s["conclusion"] for s in job["steps"]] == ["cancelled", "success"]
    assert any(runs.glob("*/cleaned"))  # the always() step ran
    assert _runners(repo) == []
    time.sleep(0.2)
    assert not [pid for pid in group if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != "zombie"]
