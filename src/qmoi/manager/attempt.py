"""One round of runs: the workflows that need a (re-)run go to QCity together as one run,
so they run in parallel and Ctrl-C cancels them like ``qmoi run``; the run's record is then
split per workflow."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qmoi.events import Event
from qmoi.execute.session import LocalRun, new_run, run_locally
from qmoi.model import Job
from qmoi.plan import EventInfo, LoadedWorkflow, Plan, build_plan, synthesise_event
from qmoi.plan import git as plan_git
from qmoi.plan.triggers import triggers
from qmoi.schedule import JobRecord, RunOptions, RunRecord
from qmoi.store import RunSpec, Store, StoreSink


@dataclass(frozen=True, slots=True)
class FailedJob:
    """A job of the round's run that did not succeed, as the manager diagnoses it."""

    key: str
    job_id: str
    name: str
    message: str | None


@dataclass(frozen=True, slots=True)
class WorkflowOutcome:
    """A workflow's result in one run; durations from its jobs' start and end times."""

    display: str
    result: str
    run_id: str
    run_dir: Path
    duration_s: float
    queue_s: float
    jobs: tuple[JobRecord, ...]
    failed: tuple[FailedJob, ...]

    def job_result(self, job_id: str, name: str) -> str | None:
        found = next((j for j in self.jobs if j.job_id == job_id and j.name == name), None)
        return None if found is None else found.result


def event_for(root: Path, name: str, commit: str) -> EventInfo:
    """The event as GitHub would send it for HEAD, moved to ``commit`` when the manager runs
    a snapshot of the working tree (a child of HEAD): its SHA and the files it changes."""
    event = synthesise_event(root, name)
    if commit == event.sha:
        return event
    payload = dict(event.payload)
    if "after" in payload:
        payload["after"] = commit
    for key in ("head_commit",):
        if isinstance(payload.get(key), dict):
            payload[key] = {**payload[key], "id": commit}
    changed = event.changed_files
    if name == "push":
        found = plan_git.changed_files(root, str(payload.get("before", "")) or commit, commit)
        changed = None if found is None else tuple(found)
    return dataclasses.replace(event, sha=commit, payload=payload, changed_files=changed)


def triggered(workflows: Sequence[LoadedWorkflow], event: EventInfo) -> list[LoadedWorkflow]:
    return [w for w in workflows if triggers(w.workflow, event)]


def run_round(root: Path, home: Path, workflows: Sequence[LoadedWorkflow], event: EventInfo,
              sink: Callable[[Event], None], capacity: int | None = None,
              store: Store | None = None) -> dict[str, WorkflowOutcome]:
    """Run these workflows for ``event`` as one QCity run (kept in ``store``, so
    ``qmoi runs`` shows it); their outcomes by display path."""
    info, run_dir = new_run(home / "runs")
    plan = build_plan(workflows, event, info)
    options = RunOptions(root, run_dir)
    journal = None if store is None else StoreSink(store, RunSpec(plan, workflows, options,
                                                                  capacity))
    started = time.time()
    record = run_locally(LocalRun(plan, list(workflows), options, capacity, journal=journal),
                         sink)
    return {w.path: _outcome(w.path, plan, record, run_dir, started, workflows)
            for w in plan.workflows}


def _outcome(display: str, plan: Plan, record: RunRecord, run_dir: Path, started: float,
             workflows: Sequence[LoadedWorkflow]) -> WorkflowOutcome:
    jobs = tuple(j for j in record.jobs.values() if j.workflow == display)
    loaded = next(w for w in workflows if w.display == display)
    failed = tuple(FailedJob(j.key, j.job_id, j.name, j.message) for j in jobs
                   if j.result == "failure" and not _continues_on_error(loaded, j.job_id))
    result = record.result or "failure"
    if len(plan.workflows) > 1:
        # As GitHub shows a workflow run: failed if a job failed, else cancelled if one was.
        result = "failure" if failed else ("cancelled" if any(
            j.result == "cancelled" for j in jobs) else "success")
    starts = [j.started_at for j in jobs if j.started_at is not None]
    ends = [j.finished_at for j in jobs if j.finished_at is not None]
    first = min(starts, default=started)
    last = max(ends, default=first)
    return WorkflowOutcome(display, result, record.run_id, run_dir,
                           round(max(0.0, last - first), 3), round(max(0.0, first - started), 3),
                           jobs, failed)


def _continues_on_error(loaded: LoadedWorkflow, job_id: str) -> bool:
    """A job with a literal ``continue-on-error: true`` does not fail its workflow (an
    expression is only known to the scheduler, so such a failure counts)."""
    job = loaded.workflow.job(job_id)
    if not isinstance(job, Job) or job.continue_on_error is None:
        return False
    return job.continue_on_error.value.strip().lower() == "true"
