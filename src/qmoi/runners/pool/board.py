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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import psutil

from qmoi.runners.pool.profiles import write_atomically


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
        return asdict(self)


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
        write_atomically(self.path, json.dumps(data) + "\n")

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
