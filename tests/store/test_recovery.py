"""Crash recovery: an unfinished run whose coordinator is dead — its process gone, a
zombie, its pid reused by another process, or silent on another host for long — is marked
interrupted with its unfinished jobs; a live coordinator's run is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from qmoi.events import JobFinished, JobQueued, JobStarted, StepStarted
from qmoi.store import RunSpec, Store
from qmoi.store.liveness import (
    FOREIGN_STALE_SECONDS,
    Coordinator,
    hostname,
    pid_alive,
    process_start,
    this_process,
)
from qmoi.store.recovery import recover_runs
from qmoi.store.runs import run_document
from qmoi.store.sink import StoreSink

WF = ".github/workflows/ci.yml"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _started_run(store: Store, spec: RunSpec, coordinator: Coordinator,
                 heartbeat: float | None = None) -> str:
    """A run that finished one job and is running another, owned by ``coordinator``."""
    sink = StoreSink(store, spec)
    for event in (JobQueued("done", "done", "done", WF, {}, 1.0), JobStarted("done", 2.0),
                  JobFinished("done", "success", {"o": "v"}, 3.0),
                  JobQueued("busy", "busy", "busy", WF, {}, 1.0), JobStarted("busy", 4.0),
                  StepStarted("busy", 0, "", "sleep", 5.0)):
        sink(event)
    _crash(sink)
    run_id = spec.plan.run.run_id
    from sqlalchemy import update

    from qmoi.store.models import Run

    with store.transaction() as connection:
        connection.execute(update(Run).where(Run.id == run_id).values(
            coordinator_pid=coordinator.pid, coordinator_host=coordinator.host,
            coordinator_start=coordinator.start,
            heartbeat_at=time.time() if heartbeat is None else heartbeat))
    return run_id


def _crash(sink: StoreSink) -> None:
    """What a SIGKILL leaves: no more heartbeats, the connection gone, no ``close``."""
    sink._stop.set()
    sink._beat.join()
    sink._conn.close()


def _results(store: Store, run_id: str) -> tuple[str | None, list[str | None]]:
    doc = run_document(store, run_id)
    return doc["result"], [job["result"] for job in doc["jobs"]]


def test_a_dead_coordinators_run_is_interrupted(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    run_id = _started_run(store, make_spec(), Coordinator(_dead_pid(), hostname(), None),
                          heartbeat=1234.5)
    assert recover_runs(store) == [run_id]
    assert _results(store, run_id) == ("interrupted", ["success", "interrupted"])
    doc = run_document(store, run_id)
    assert doc["jobs"][0]["outputs"] == {"o": "v"}
    assert doc["jobs"][1]["finished_at"] == "1970-01-01T00:20:34.500+00:00"  # last heartbeat
    assert recover_runs(store) == []


def test_a_live_coordinators_run_is_never_touched(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    run_id = _started_run(store, make_spec(), this_process(), heartbeat=0.0)
    assert recover_runs(store) == []
    assert _results(store, run_id) == (None, ["success", None])


def test_a_reused_pid_and_a_zombie_do_not_pass_for_the_coordinator(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    if process_start(os.getpid()) is None:
        pytest.skip("no /proc: process start times are unknown here")
    reused = Coordinator(os.getpid(), hostname(), "1")  # same pid, another start time
    zombie_child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while pid_alive(zombie_child.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    zombie = Coordinator(zombie_child.pid, hostname(), None)
    assert not pid_alive(zombie_child.pid)  # exited, not yet reaped
    first = _started_run(store, make_spec(), reused)
    second = _started_run(store, make_spec(), zombie)
    assert sorted(recover_runs(store)) == sorted([first, second])
    zombie_child.wait()


def test_another_hosts_run_is_interrupted_only_after_a_long_silence(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    now = time.time()
    quiet = _started_run(store, make_spec(), Coordinator(1, "elsewhere", None),
                         heartbeat=now - FOREIGN_STALE_SECONDS - 1)
    recent = _started_run(store, make_spec(), Coordinator(1, "elsewhere", None),
                          heartbeat=now - 5)
    assert recover_runs(store, now) == [quiet]
    assert _results(store, recent)[0] is None


def test_the_host_name_is_the_one_the_network_stack_reports() -> None:
    # Read from os.uname (no socket import): another host's reader compares it with
    # what socket.gethostname() gave when the run was recorded.
    import socket

    assert hostname() == socket.gethostname()
