"""Job resource profiles: what each attempt of a workflow / job / matrix leg used (peak
RSS, CPU seconds, wall time), and the profile learned from the latest samples."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from qmoi.store.models_qcity import ResourceSample

RECENT = 20


def matrix_key(matrix: dict[str, Any]) -> str:
    """A matrix leg as canonical JSON (the same leg always gives the same text)."""
    return json.dumps(matrix, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Usage:
    """One sample. Unknown measures stay None (the inline runner knows only wall time)."""

    workflow: str
    job_id: str
    matrix: dict[str, Any]
    peak_rss: int | None = None
    cpu_seconds: float | None = None
    wall_seconds: float | None = None
    run_id: str | None = None
    job_key: str | None = None
    attempt: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """``peak_rss`` is the largest of the recent samples (memory must never be short);
    CPU and wall time are their medians."""

    samples: int
    peak_rss: int | None
    cpu_seconds: float | None
    wall_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "peak_rss": self.peak_rss,
                "cpu_seconds": self.cpu_seconds, "wall_seconds": self.wall_seconds}


def record_usage(conn: Connection, usage: Usage, at: float | None = None) -> None:
    conn.execute(insert(ResourceSample).values(
        workflow=usage.workflow, job_id=usage.job_id, matrix_key=matrix_key(usage.matrix),
        run_id=usage.run_id, job_key=usage.job_key, attempt=usage.attempt,
        peak_rss=usage.peak_rss, cpu_seconds=usage.cpu_seconds,
        wall_seconds=usage.wall_seconds, sampled_at=time.time() if at is None else at))


def profile(conn: Connection, workflow: str, job_id: str, matrix: dict[str, Any],
            recent: int = RECENT) -> Profile | None:
    """The profile of this leg from its ``recent`` latest samples; None before any."""
    rows = conn.execute(
        select(ResourceSample.peak_rss, ResourceSample.cpu_seconds,
               ResourceSample.wall_seconds)
        .where(ResourceSample.workflow == workflow, ResourceSample.job_id == job_id,
               ResourceSample.matrix_key == matrix_key(matrix))
        .order_by(ResourceSample.sampled_at.desc(), ResourceSample.id.desc()).limit(recent)
    ).all()
    if not rows:
        return None
    rss = [row.peak_rss for row in rows if row.peak_rss is not None]
    cpu = [row.cpu_seconds for row in rows if row.cpu_seconds is not None]
    wall = [row.wall_seconds for row in rows if row.wall_seconds is not None]
    return Profile(len(rows), max(rss) if rss else None,
                   statistics.median(cpu) if cpu else None,
                   statistics.median(wall) if wall else None)


def attempt_usage(conn: Connection, run_id: str, job_key: str, attempt: int
                  ) -> dict[str, Any] | None:
    """The latest sample of one job attempt, as JSON (None when nothing was measured)."""
    row = conn.execute(
        select(ResourceSample.peak_rss, ResourceSample.cpu_seconds,
               ResourceSample.wall_seconds)
        .where(ResourceSample.run_id == run_id, ResourceSample.job_key == job_key,
               ResourceSample.attempt == attempt)
        .order_by(ResourceSample.id.desc()).limit(1)).first()
    if row is None:
        return None
    return {"peak_rss": row.peak_rss, "cpu_seconds": row.cpu_seconds,
            "wall_seconds": row.wall_seconds}


def record_request(conn: Connection, run_id: str, job_key: str,
                   request: dict[str, Any]) -> None:
    """Keep the resource request a job was admitted with (``qmoi runs show`` prints it)."""
    from sqlalchemy import update

    from qmoi.store.models import JobRow

    conn.execute(update(JobRow).where(JobRow.run_id == run_id, JobRow.key == job_key)
                 .values(resources=request))
