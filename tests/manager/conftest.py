"""Manager tests run real passes in temporary git repositories: real git, real runs on the
host, the real SQLite store under the repository's .qmoi/."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmoi.learn.kb import KnowledgeBase
from qmoi.manager.loop import Manager
from qmoi.manager.options import ManagerOptions
from qmoi.manager.results import PassResult
from qmoi.manager.view import PlainView


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """State under each repository's own .qmoi/, SQLite, and the venv's tools (ruff) on PATH."""
    for name in ("QMOI_HOME", "QMOI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    yield


@dataclass
class Pass:
    result: PassResult
    output: str
    manager: Manager

    def workflow(self, path: str) -> dict[str, object]:
        for item in self.result.workflows:
            if item.path == path:
                return item.to_json()
        raise KeyError(path)


def _run_pass(repo: Path, kb: KnowledgeBase | None = None, **options: object) -> Pass:
    out = io.StringIO()
    settings = {"repo": repo, "once": True, "backoff": 0.0, "live": False, **options}
    manager = Manager(ManagerOptions(**settings), PlainView(out), kb=kb)  # type: ignore[arg-type]
    try:
        result = manager.run_pass()
    finally:
        manager.close()
    return Pass(result, out.getvalue(), manager)


RunPass = Callable[..., Pass]


@pytest.fixture
def run_pass() -> RunPass:
    """One manager pass over a repository: ``run_pass(repo, kb=None, **options)``."""
    return _run_pass
