"""The stats log: one JSON line per run attempt, appended to ``QMOI_WORKFLOW_STATS.log``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class StatsLine:
    """``result`` is the workflow's (success, failure, cancelled, invalid); ``failure_class``
    and ``repair`` say why it failed and what was done about it (None when nothing)."""

    time: str
    commit: str
    workflow: str
    attempt: int
    result: str
    duration_s: float
    queue_s: float
    failure_class: str | None
    repair: str | None
    run_id: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def append(path: Path, line: StatsLine) -> None:
    """Append one line in a single ``write`` on an ``O_APPEND`` descriptor, so lines from
    concurrent writers never interleave."""
    data = (json.dumps(line.to_json(), ensure_ascii=False) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read(path: Path) -> list[dict[str, Any]]:
    """The lines written so far (a torn or foreign line is skipped)."""
    if not path.exists():
        return []
    found = []
    for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(text)
        except ValueError:
            continue
        if isinstance(item, dict):
            found.append(item)
    return found
