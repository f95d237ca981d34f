"""The published state of a coordinator's workers, so that a second ``qmoi`` process
(``qmoi runners list``) sees them while a run is going.

Behind :class:`RunnerBoard` so the store's runners table can take over; until then
:class:`JsonBoard` keeps one file per coordinator, ``<state_dir>/runners/<pid>.json``,
replaced atomically on every change, removed when the pool closes. A file whose coordinator
died (kill -9) is skipped by readers.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psutil


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One worker as ``qmoi runners list`` shows it; ``job`` is ``{"run_id", "key"}`` of the
    job it runs, or None."""

    id: str
    pid: int | None
    state: str  # starting | idle | busy | draining
    job: dict[str, str] | None
    pool: str

    def to_json(self) -> dict[str, Any]:
        job = None if self.job is None else dict(self.job)
        return {"id": self.id, "pid": self.pid, "state": self.state, "job": job,
                "pool": self.pool}


class RunnerBoard(Protocol):
    def publish(self, workers: list[WorkerInfo]) -> None: ...

    def clear(self) -> None: ...


class JsonBoard:
    def __init__(self, folder: Path, owner: int | None = None) -> None:
        self.owner = owner if owner is not None else os.getpid()
        self.path = folder / f"{self.owner}.json"
        self._created = _created(self.owner)  # read once: the board is published often

    def publish(self, workers: list[WorkerInfo]) -> None:
        data = {"coordinator": self.owner, "created": self._created,
                "workers": [w.to_json() for w in workers]}
        # Only this coordinator writes its file: a fixed temporary name beside it will do
        # (no random name made and checked on every publish).
        temp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            temp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        except FileNotFoundError:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(temp, self.path)

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


def _created(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def read_boards(folder: Path) -> list[WorkerInfo]:
    """Every live coordinator's workers, ordered by coordinator and worker id."""
    found: list[WorkerInfo] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            owner = int(data["coordinator"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _created(owner) != data.get("created"):
            continue  # the coordinator is gone (its pid may even have been reused)
        for item in data.get("workers", []):
            with contextlib.suppress(KeyError, TypeError):
                found.append(WorkerInfo(str(item["id"]), item.get("pid"), str(item["state"]),
                                        item.get("job"), str(item["pool"])))
    return found
