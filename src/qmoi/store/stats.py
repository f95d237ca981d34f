"""``qmoi stats``: per workflow, how its runs went — count, success rate, median and p95
duration, queue time (job queued → started) and retries (attempts after a job's first)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from qmoi.store.models import JobRow, RunWorkflow
from qmoi.store.store import Store


@dataclass(frozen=True, slots=True)
class WorkflowStats:
    """``runs`` counts every run of the workflow; ``finished`` those with a result (still
    running ones are left out of the rates and durations). Durations are in seconds."""

    workflow: str
    runs: int
    finished: int
    successes: int
    duration_median: float | None
    duration_p95: float | None
    queue_median: float | None
    queue_p95: float | None
    retries: int

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.finished if self.finished else None

    def to_json(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "runs": self.runs, "finished": self.finished,
                "success_rate": _round(self.success_rate),
                "duration_median_s": _round(self.duration_median),
                "duration_p95_s": _round(self.duration_p95),
                "queue_median_s": _round(self.queue_median),
                "queue_p95_s": _round(self.queue_p95), "retries": self.retries}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (a value that occurred, never an interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def workflow_stats(store: Store) -> list[WorkflowStats]:
    """One entry per workflow path, sorted by path."""
    with store.read() as session:
        runs = session.execute(select(RunWorkflow.path, RunWorkflow.result,
                                      RunWorkflow.started_at, RunWorkflow.finished_at)).all()
        jobs = session.execute(select(JobRow.workflow, JobRow.queued_at, JobRow.started_at,
                                      JobRow.attempt)).all()
    durations: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # runs, finished, ok
    for row in runs:
        count = counts[row.path]
        count[0] += 1
        if row.result is not None:
            count[1] += 1
            count[2] += row.result == "success"
            if row.finished_at is not None:
                durations[row.path].append(row.finished_at - row.started_at)
    queues: dict[str, list[float]] = defaultdict(list)
    retries: dict[str, int] = defaultdict(int)
    for job in jobs:
        if job.started_at is not None:
            queues[job.workflow].append(max(0.0, job.started_at - job.queued_at))
        retries[job.workflow] += max(0, job.attempt - 1)
    return [WorkflowStats(path, runs_, finished, ok, _median(durations[path]),
                          percentile(durations[path], 0.95), _median(queues[path]),
                          percentile(queues[path], 0.95), retries[path])
            for path, (runs_, finished, ok) in sorted(counts.items())]
