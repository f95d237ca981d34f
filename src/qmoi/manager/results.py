"""What a manager pass found and did, per workflow and as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmoi.manager.repair import Applied, Memory
from qmoi.manager.validate import Validation
from qmoi.manager.versions import Change
from qmoi.plan import LoadedWorkflow

GREEN = ("success", "flaky")


@dataclass(slots=True)
class Tracking:
    """One workflow during a pass: its attempts, the repairs waiting for their verdict
    (the next attempt) and where it ended."""

    workflow: LoadedWorkflow
    attempts: int = 0
    memory: Memory = field(default_factory=Memory)
    pending: list[Applied] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    result: str | None = None
    green_on: str | None = None
    flaky: bool = False
    reason: str | None = None

    @property
    def path(self) -> str:
        return self.workflow.display


@dataclass(frozen=True, slots=True)
class WorkflowResult:
    """``result``: success, flaky (green after a re-run of the same commit), failure,
    cancelled or invalid; ``reason`` says why it stopped when it is not green."""

    path: str
    result: str
    attempts: int
    commit: str | None
    repairs: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def green(self) -> bool:
        return self.result in GREEN

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "result": self.result, "attempts": self.attempts,
                "commit": self.commit, "repairs": list(self.repairs), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class PassResult:
    """What one manager pass did for a commit: the validation, each workflow's runs, the marker."""

    commit: str
    event: str
    workflows: tuple[WorkflowResult, ...]
    validation: Validation
    changes: tuple[Change, ...] = ()
    marker: Path | None = None

    @property
    def green(self) -> bool:
        return all(w.green for w in self.workflows)

    def to_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "event": self.event, "green": self.green,
                "marker": None if self.marker is None else str(self.marker),
                "fixed": self.validation.fixed_paths,
                "changes": [{"kind": c.kind, "path": c.path} for c in self.changes],
                "workflows": [w.to_json() for w in self.workflows]}


def final(track: Tracking) -> WorkflowResult:
    result = track.result or "failure"
    if result == "success" and track.flaky:
        result = "flaky"
    return WorkflowResult(track.workflow.repo_path, result, track.attempts, track.green_on,
                          tuple(track.repairs), track.reason)
