"""Shared helpers for the run tests: real git repositories and one-call runs."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qmoi.events import Event
from qmoi.execute.process import Grace
from qmoi.execute.session import LocalRun, new_run, run_locally
from qmoi.plan import Plan, build_plan, load_workflows, synthesise_event
from qmoi.schedule import RunOptions, RunRecord

# A workflow of one job with one step, for tests about the run around it
ONE_STEP = """
    on: push
    jobs:
      j:
        runs-on: ubuntu-latest
        steps:
          - run: echo hi
    """

GIT_ENV = {"GIT_AUTHOR_NAME": "Tess", "GIT_AUTHOR_EMAIL": "tess@example.com",
           "GIT_COMMITTER_NAME": "Tess", "GIT_COMMITTER_EMAIL": "tess@example.com"}


def git(repo: Path, *args: str) -> str:
    import os

    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True, env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def make_repo(root: Path, workflows: Mapping[str, str], files: Mapping[str, str] | None = None,
              branch: str = "main") -> Path:
    """A git repository with these workflows (name → YAML, dedented) and files, committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", branch)
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in workflows.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    commit(root, "initial")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@dataclass
class Outcome:
    record: RunRecord
    events: list[Event] = field(default_factory=list)
    plan: Plan | None = None

    def job(self, key: str) -> dict[str, object]:
        for job in self.record.to_json()["jobs"]:
            if job["key"] == key:
                return job  # type: ignore[no-any-return]
        raise KeyError(key)

    def logs(self, key: str) -> list[str]:
        from qmoi.events import LogLine, LogLines

        texts: list[str] = []
        for e in self.events:
            if isinstance(e, LogLines) and e.key == key:
                texts += e.texts
            elif isinstance(e, LogLine) and e.key == key:
                texts.append(e.text)
        return texts

    def annotations(self, key: str) -> list[str]:
        from qmoi.events import Annotation

        return [e.message for e in self.events if isinstance(e, Annotation) and e.key == key]


def run_repo(repo: Path, event: str = "push", *, secrets: Mapping[str, str] | None = None,
             variables: Mapping[str, str] | None = None, capacity: int | None = None,
             jobs: tuple[str, ...] = ()) -> Outcome:
    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, event), info, variables or {}, jobs=jobs)
    events: list[Event] = []
    options = RunOptions(repo, run_dir, dict(secrets or {}))
    spec = LocalRun(plan, loaded, options, capacity, Grace(0.3, 0.3))
    record = run_locally(spec, events.append)
    return Outcome(record, events, plan)


def tree_snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under ``root`` but its ``.git`` file: kind, mode and content (a link's
    target), to compare a workspace with a fresh copy."""
    found: dict[str, tuple[str, int, str]] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if name == ".git":
            continue
        if path.is_symlink():
            found[name] = ("link", 0, os.readlink(path))
        elif path.is_dir():
            found[name] = ("dir", path.stat().st_mode & 0o7777, "")
        else:
            found[name] = ("file", path.stat().st_mode & 0o7777, path.read_text())
    return found
