"""The supervisor: lost workers are replaced and their jobs run again as new attempts, hung
workers are found by their missing heartbeats, leftover processes are killed."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import psutil

from qmoi.events import JobAttemptLost, JobFinished, JobStarted, LogLine
from runners.conformance import Collector, request
from runners.pool_helpers import pool, worker_pid


def test_a_killed_worker_is_replaced_and_its_job_finishes_on_a_new_attempt(
        tmp_path: Path) -> None:
    marker = tmp_path / "first-attempt"
    with pool(max=2) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "k", [{"name": "long", "once": str(marker),
                                               "sleep": 30}]), seen)
        victim = worker_pid(seen, "k", marker)
        os.kill(victim, signal.SIGKILL)
        finished = seen.finished("k")
        workers = runner.workers()
    assert finished.result == "success" and finished.attempt == 2
    lost = [e for e in seen.of("k") if isinstance(e, JobAttemptLost)]
    assert len(lost) == 1 and lost[0].attempt == 1 and lost[0].retry
    assert "killed by SIGKILL" in lost[0].reason
    assert [e.attempt for e in seen.of("k") if isinstance(e, JobStarted)] == [1, 2]
    logs = [e.text for e in seen.of("k") if isinstance(e, LogLine)]
    assert logs[0] == f"pid {victim} runs long"  # the lost attempt's log is kept
    assert len(logs) == 2 and str(victim) not in logs[1]
    assert victim not in [w.pid for w in workers]


def test_retries_are_bounded(tmp_path: Path) -> None:
    suicide = [sys.executable, "-c", "import os, signal; os.kill(os.getppid(), signal.SIGKILL)"]
    with pool(retries=1) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "d", [{"name": "die", "command": suicide}]), seen)
        finished = seen.finished("d")
    assert finished.result == "failure" and finished.attempt == 2
    assert "given up after attempt 2" in (finished.message or "")
    assert [e.retry for e in seen.of("d") if isinstance(e, JobAttemptLost)] == [True, False]


def test_a_hung_worker_is_found_by_its_heartbeat_and_replaced(tmp_path: Path) -> None:
    marker = tmp_path / "first-attempt"
    with pool(heartbeat_timeout=0.6) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "h", [{"name": "long", "once": str(marker),
                                               "sleep": 30}]), seen)
        hung = worker_pid(seen, "h", marker)
        os.kill(hung, signal.SIGSTOP)
        began = time.monotonic()
        finished = seen.finished("h")
    assert finished.result == "success" and finished.attempt == 2
    assert time.monotonic() - began < 10
    [lost] = [e for e in seen.of("h") if isinstance(e, JobAttemptLost)]
    assert "stopped answering" in lost.reason
    assert not psutil.pid_exists(hung) or psutil.Process(hung).status() == "zombie"


def test_processes_a_lost_job_started_are_killed(tmp_path: Path) -> None:
    marker, child = tmp_path / "first-attempt", tmp_path / "child.pid"
    sleeper = [sys.executable, "-c",
               f"import os, time; open({str(child)!r}, 'w').write(str(os.getpid())); "
               "time.sleep(60)"]
    with pool() as runner:
        seen = Collector()
        steps = [{"name": "mark", "once": str(marker)}, {"name": "sleep", "command": sleeper}]
        runner.submit(request(tmp_path, "o", steps), seen)
        deadline = time.monotonic() + 20
        while not child.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # at least one sampling round sees the child
        orphan = int(child.read_text())
        os.kill(worker_pid(seen, "o", marker), signal.SIGKILL)
        seen.wait_for(lambda events: any(isinstance(e, JobAttemptLost) for e in events))
        deadline = time.monotonic() + 5
        while psutil.pid_exists(orphan) and psutil.Process(orphan).status() != "zombie" \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == "zombie"
        runner.cancel("o")
        assert isinstance(seen.finished("o"), JobFinished)
