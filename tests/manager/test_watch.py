"""The watch loop: a pass at start, another when a workflow is modified (after the
debounce), none for the manager's own writes; cron schedules come due on the clock."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from qmoi.learn.kb import MemoryKnowledgeBase
from qmoi.manager.loop import Manager
from qmoi.manager.options import ManagerOptions
from qmoi.manager.results import PassResult
from qmoi.manager.view import PlainView
from qmoi.manager.watch import CronClock, watch
from qmoi.store.models import WorkflowVersion
from run_helpers import git, make_repo

HELLO = """\
name: Hello
on:
  push:
  schedule:
    - cron: "*/5 * * * *"
jobs:
  hi:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
"""


def _manager(repo: Path, out: io.StringIO | None = None, *, quick: bool = False) -> Manager:
    """A manager over ``repo`` with no live view and an in-memory knowledge base;
    ``quick``: no debounce or back-off, for the tests that watch the tree."""
    options = (ManagerOptions(repo=repo, live=False, debounce=0.05, backoff=0.0) if quick
               else ManagerOptions(repo=repo, live=False))
    return Manager(options, PlainView(out or io.StringIO()), kb=MemoryKnowledgeBase())


def _wait(condition: threading.Event, timeout: float = 20.0) -> bool:
    return condition.wait(timeout)


def test_a_modified_workflow_triggers_a_pass(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"hello.yml": HELLO})
    out = io.StringIO()
    manager = _manager(repo, out, quick=True)
    passes: list[PassResult] = []
    first, second, stop = threading.Event(), threading.Event(), threading.Event()

    def seen(result: PassResult) -> None:
        passes.append(result)
        (first if len(passes) == 1 else second).set()

    thread = threading.Thread(target=watch, args=(manager, stop, seen), daemon=True)
    thread.start()
    try:
        assert _wait(first)
        time.sleep(0.3)  # the watcher is up
        path = repo / ".github/workflows/hello.yml"
        path.write_text(HELLO.replace("echo hello", "echo hello again"))
        assert _wait(second), "the modified workflow was not picked up"
        # Committing exactly what was verified moves HEAD to a verified tree: no new pass.
        git(repo, "commit", "-q", "-am", "hello again")
        deadline = time.time() + 20  # generous: CI machines can be loaded
        while "has the tree verified" not in out.getvalue() and time.time() < deadline:
            time.sleep(0.1)
        assert "has the tree verified" in out.getvalue()
        with manager.store.read() as session:
            versions = session.scalars(select(WorkflowVersion.content_hash).where(
                WorkflowVersion.path == ".github/workflows/hello.yml")).all()
    finally:
        stop.set()
        thread.join(10)
        manager.close()
    assert not thread.is_alive()
    assert len(set(versions)) == 2  # both versions are in the store
    assert len(passes) == 2 and all(p.green for p in passes)
    assert [(c.kind, c.path) for c in passes[1].changes] == [
        ("modified", ".github/workflows/hello.yml")]


def test_cron_schedules_come_due_and_move_on(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"hello.yml": HELLO})
    manager = _manager(repo)
    try:
        clock = CronClock()
        start = datetime(2026, 1, 1, 10, 1, tzinfo=UTC)
        clock.refresh(manager, start)
        assert clock.due(start) == set()
        at = datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
        assert clock.due(at) == {".github/workflows/hello.yml"}
        assert clock.due(at) == set()  # moved to 10:10
        assert clock.next[(".github/workflows/hello.yml", "*/5 * * * *")] == datetime(
            2026, 1, 1, 10, 10, tzinfo=UTC)
    finally:
        manager.close()


def test_a_schedule_pass_runs_only_the_due_workflows(tmp_path: Path) -> None:
    other = HELLO.replace("name: Hello", "name: Other")
    repo = make_repo(tmp_path / "r", {"hello.yml": HELLO, "other.yml": other})
    manager = _manager(repo)
    try:
        result = manager.run_pass("schedule", {".github/workflows/hello.yml"})
    finally:
        manager.close()
    assert result.event == "schedule" and result.green
    assert [w.path for w in result.workflows] == [".github/workflows/hello.yml"]


def test_a_commit_made_while_a_pass_runs_is_seen_afterwards(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"hello.yml": HELLO})
    out = io.StringIO()
    manager = _manager(repo, out, quick=True)
    passes: list[PassResult] = []
    second, stop = threading.Event(), threading.Event()
    path = repo / ".github/workflows/hello.yml"

    def seen(result: PassResult) -> None:
        passes.append(result)
        if len(passes) == 2:
            # Still inside the pass: commit exactly the tree it verified.
            git(repo, "commit", "-q", "-am", "hello again")
            second.set()

    thread = threading.Thread(target=watch, args=(manager, stop, seen), daemon=True)
    thread.start()
    try:
        deadline = time.time() + 20
        while not passes and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the watcher is up
        path.write_text(HELLO.replace("echo hello", "echo hello again"))
        assert _wait(second), "the modified workflow was not picked up"
        deadline = time.time() + 20
        while "has the tree verified" not in out.getvalue() and time.time() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(10)
        manager.close()
    assert "has the tree verified" in out.getvalue()
    assert len(passes) == 2  # the commit was noticed, and not run again
