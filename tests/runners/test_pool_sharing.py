"""Jobs that mostly wait share worker processes: slots are not processes, yet each job is
still supervised, cancelled and re-run on its own."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from pytest import MonkeyPatch

from qmoi.check.config import JobResources
from qmoi.events import JobAttemptLost, JobFinished, JobStarted, StepStarted
from qmoi.runners import CancelToken
from qmoi.runners.pool import worker
from qmoi.runners.pool.admission import shares_a_worker
from qmoi.runners.pool.config import MIB, Request
from runners.conformance import Collector, request
from runners.pool_helpers import most_at_once, pool, worker_pid

WAITER = (JobResources(".github/workflows/ci.yml/job", cpu=0.05, memory=32 * MIB),)


def _meet(folder: Path, count: int) -> list[str]:
    """A command that waits until ``count`` jobs have started it."""
    folder.mkdir(exist_ok=True)
    return [sys.executable, "-c",
            "import pathlib, sys, time\n"
            f"d = pathlib.Path({str(folder)!r}); (d / sys.argv[1]).touch()\n"
            "end = time.time() + 20\n"
            f"while len(list(d.iterdir())) < {count} and time.time() < end: time.sleep(0.02)\n"
            f"sys.exit(0 if len(list(d.iterdir())) >= {count} else 1)\n"]


def test_only_jobs_known_to_wait_share_a_worker() -> None:
    assert shares_a_worker(Request(0.05, MIB, "learned"))
    assert shares_a_worker(Request(0.05, MIB, "config"))
    assert not shares_a_worker(Request(0.05, MIB, "default"))  # never measured yet
    assert not shares_a_worker(Request(0.9, MIB, "learned"))


def test_waiting_jobs_run_together_in_fewer_processes(tmp_path: Path) -> None:
    with pool(max=8, jobs=WAITER, jobs_per_worker=3) as runner:
        seen = Collector()
        meet = _meet(tmp_path / "met", 6)
        for n in range(6):
            runner.submit(request(tmp_path, f"s{n}", [{"name": "meet",
                                                      "command": [*meet, str(n)]}]), seen)
        seen.wait_for(lambda events: sum(isinstance(e, StepStarted) for e in events) == 6)
        busy = [w for w in runner.workers() if w.state == "busy"]
        results = [seen.finished(f"s{n}").result for n in range(6)]
    assert results == ["success"] * 6
    assert most_at_once(seen.events) == 6
    assert len(busy) == 6 and len({w.pid for w in busy}) == 2  # three jobs per process
    assert {w.job["key"] for w in busy if w.job} == {f"s{n}" for n in range(6)}
    runners = {e.runner for e in seen.events if isinstance(e, JobStarted)}
    assert runners == {w.id for w in busy} and len(runners) == 6


def test_a_killed_shared_worker_runs_each_of_its_jobs_again(tmp_path: Path) -> None:
    with pool(max=4, jobs=WAITER, jobs_per_worker=4) as runner:
        seen = Collector()
        for n in range(3):
            marker = tmp_path / f"first-{n}"
            runner.submit(request(tmp_path, f"k{n}", [{"name": "long", "once": str(marker),
                                                      "sleep": 30}]), seen)
        # Each first attempt has written its marker (a step is seen started slightly
        # before it writes it: the worker sends events from a thread of its own).
        [pid] = {worker_pid(seen, f"k{n}", tmp_path / f"first-{n}") for n in range(3)}
        os.kill(pid, signal.SIGKILL)
        finished = [seen.finished(f"k{n}") for n in range(3)]
    assert [(f.result, f.attempt) for f in finished] == [("success", 2)] * 3
    for n in range(3):
        [lost] = [e for e in seen.of(f"k{n}") if isinstance(e, JobAttemptLost)]
        assert lost.retry and "killed by SIGKILL" in lost.reason


def test_cancelling_one_shared_job_leaves_the_others_running(tmp_path: Path) -> None:
    with pool(max=4, jobs=WAITER) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "stay", [{"name": "nap", "sleep": 1.0}]), seen)
        runner.submit(request(tmp_path, "go", [{"name": "wait", "wait_cancel": 60}]), seen)
        seen.wait_for(lambda events: sum(isinstance(e, StepStarted) for e in events) == 2)
        assert len({w.pid for w in runner.workers() if w.state == "busy"}) == 1
        began = time.monotonic()
        runner.cancel("go")
        assert seen.finished("go").result == "cancelled"
        assert time.monotonic() - began < 5
        assert seen.finished("stay").result == "success"
    assert not [e for e in seen.events if isinstance(e, JobFinished) and e.message]


def test_jobs_running_together_share_the_worker_s_cpu(monkeypatch: MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(worker, "_cpu", lambda: clock[0])
    monkeypatch.setattr(worker, "_children_peak", lambda: 0)
    meter = worker._Meter()
    first, second = worker._Job("a", CancelToken()), worker._Job("b", CancelToken())
    meter.begin(first)
    clock[0] = 1.0
    meter.begin(second)
    clock[0] = 3.0
    assert meter.end(first) == (2.0, 0)  # one second alone, half of the two together
    clock[0] = 4.0
    assert meter.end(second) == (2.0, 0)
