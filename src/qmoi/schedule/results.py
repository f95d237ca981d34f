"""The outcome of a run, gathered from the event stream alone (so any runner, local or
remote, yields the same document)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from qmoi.events import (
    Event,
    JobFinished,
    JobQueued,
    JobStarted,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
)


@dataclass(slots=True)
class StepRecord:
    """A step of a job as the run's record keeps it, gathered from its events."""

    index: int
    step_id: str
    name: str
    outcome: str | None = None
    conclusion: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.step_id or None, "name": self.name, "outcome": self.outcome,
                "conclusion": self.conclusion, "outputs": self.outputs}


@dataclass(slots=True)
class JobRecord:
    """A job (one matrix leg) as the run's record keeps it, with its steps."""

    key: str
    job_id: str
    name: str
    workflow: str
    matrix: dict[str, Any]
    result: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    started_at: float | None = None
    finished_at: float | None = None
    message: str | None = None
    steps: list[StepRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.job_id, "key": self.key, "name": self.name, "workflow": self.workflow,
            "matrix": self.matrix, "result": self.result, "outputs": self.outputs,
            "started_at": _iso(self.started_at), "finished_at": _iso(self.finished_at),
            "steps": [step.to_json() for step in self.steps],
        }


def _iso(at: float | None) -> str | None:
    """``datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")`` without
    importing datetime (~1.3 ms of every run's start, for this alone): the same rounding
    of the fraction to microseconds (half to even), then cut to milliseconds."""
    if at is None:
        return None
    fraction, whole = math.modf(at)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:
        whole, micro = whole - 1, micro + 1_000_000
    t = time.gmtime(whole)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
            f"{min(t.tm_sec, 59):02d}.{micro // 1000:03d}+00:00")


@dataclass(slots=True)
class RunRecord:
    """Everything ``qmoi run --json`` prints, built by feeding it every event."""

    run_id: str = ""
    result: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    jobs: dict[str, JobRecord] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.run_id, self.started_at = event.run_id, event.at
        elif isinstance(event, RunFinished):
            self.result, self.finished_at = event.result, event.at
        elif isinstance(event, JobQueued):
            self.jobs[event.key] = JobRecord(event.key, event.job_id, event.name,
                                             event.workflow, event.matrix)
        elif isinstance(event, JobStarted | JobFinished | StepStarted | StepFinished):
            job = self.jobs.get(event.key)
            if job is not None:
                _apply(job, event)

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "result": self.result,
                "jobs": [job.to_json() for job in self.jobs.values()]}


def _apply(job: JobRecord, event: JobStarted | JobFinished | StepStarted | StepFinished
           ) -> None:
    if isinstance(event, JobStarted):
        job.started_at = event.at
    elif isinstance(event, JobFinished):
        job.result, job.outputs, job.finished_at = event.result, event.outputs, event.at
        job.message = event.message
    elif isinstance(event, StepStarted):
        job.steps.append(StepRecord(event.index, event.step_id, event.name))
    else:
        for step in reversed(job.steps):
            if step.index == event.index:
                step.outcome, step.conclusion = event.outcome, event.conclusion
                step.outputs = event.outputs
                break
