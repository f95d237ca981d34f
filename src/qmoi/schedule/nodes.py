"""The scheduler's bookkeeping: a node per job of a workflow, a leg per job to run.

These are mutable and private to the scheduler thread (it owns results; runners only see
frozen :class:`~qmoi.schedule.protocol.JobRequest` snapshots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qmoi.model import Job, ReusableCall
from qmoi.plan import LoadedWorkflow, PlannedJob, PlannedLeg, PlannedWorkflow

WAITING, ACTIVE, DONE = "waiting", "active", "done"
QUEUED, RUNNING, CALLING = "queued", "running", "calling"  # calling: its callee's jobs run
SUCCESS, FAILURE, CANCELLED, SKIPPED = "success", "failure", "cancelled", "skipped"


@dataclass(slots=True)
class WorkflowRun:
    """A workflow's jobs in this run: a triggered workflow, or one called by ``parent`` (a
    reusable-workflow call leg) with the call's ``secrets``. ``key`` is unique in the run;
    ``prefix`` starts its job keys and ``names`` its job names (``caller / ``)."""

    planned: PlannedWorkflow
    loaded: LoadedWorkflow
    github: dict[str, Any]
    prefix: str
    key: str = ""
    secrets: dict[str, str] | None = None
    depth: int = 1
    parent: Leg | None = None
    names: str = ""
    nodes: list[JobNode] = field(default_factory=list)
    cancelled: bool = False

    def is_cancelled(self) -> bool:
        """Whether this run, or a call leading to it, was cancelled."""
        run: WorkflowRun | None = self
        while run is not None:
            if run.cancelled:
                return True
            run = None if run.parent is None else run.parent.node.run
        return False


@dataclass(slots=True)
class Leg:
    """One job to run (a matrix leg, or the whole job) and its state in the scheduler."""

    key: str
    node: JobNode
    planned: PlannedLeg
    state: str = QUEUED
    result: str | None = None
    group: str | None = None
    continue_on_error: bool = False
    timeout: float = 360 * 60.0
    deadline: float | None = None
    timed_out: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    finished_at: float = 0.0
    call: WorkflowRun | None = None

    @property
    def matrix(self) -> dict[str, Any]:
        return self.planned.matrix

    @property
    def counts_as_failure(self) -> bool:
        return self.result == FAILURE and not self.continue_on_error


@dataclass(slots=True)
class JobNode:
    """A job of a workflow run in the scheduler: its state, its legs, and the result dependents
    see."""

    run: WorkflowRun
    planned: PlannedJob
    model: Job | ReusableCall
    state: str = WAITING
    legs: list[Leg] = field(default_factory=list)
    result: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    fail_fast: bool = True
    max_parallel: int | None = None
    total: int = 1

    @property
    def job_id(self) -> str:
        return self.planned.job_id

    @property
    def base_key(self) -> str:
        return f"{self.run.prefix}{_safe(self.job_id)}"

    def running_legs(self) -> int:
        return sum(1 for leg in self.legs if leg.state == RUNNING)

    def needs_result(self) -> str:
        """The result dependents see in ``needs.<id>.result``: a failure allowed by
        ``continue-on-error`` does not block them."""
        if self.result == FAILURE and not any(leg.counts_as_failure for leg in self.legs):
            return SUCCESS
        return self.result or SKIPPED

    def finish(self) -> None:
        """Aggregate the legs' results once every leg is done. Matrix outputs merge, the
        last leg to finish winning on equal names (gha-semantics §3.10)."""
        results = [leg.result for leg in self.legs]
        if any(r == FAILURE for r in results):
            self.result = FAILURE
        elif any(r == CANCELLED for r in results):
            self.result = CANCELLED
        elif results and all(r == SKIPPED for r in results):
            self.result = SKIPPED
        else:
            self.result = SUCCESS
        for leg in sorted(self.legs, key=lambda item: item.finished_at):
            self.outputs.update(leg.outputs)
        self.state = DONE


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "_"


def workflow_prefix(repo_path: str, many: bool) -> str:
    if not many:
        return ""
    stem = repo_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"{_safe(stem)}."
