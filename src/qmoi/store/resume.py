"""``qmoi runs resume``: run an interrupted run's unfinished jobs again, keeping the
finished ones. The plan is rebuilt from what the store kept (the event, the workflow
versions it ran, variables, matrix filter) and the kept jobs are replayed from their rows,
so their results and outputs feed ``needs`` exactly as the first time.

Secrets and ``--env-file`` values are never stored: give them again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qmoi.errors import UsageError
from qmoi.events import Event, JobFinished, JobStarted, StepFinished, StepStarted
from qmoi.execute.host import HostExecutor
from qmoi.execute.session import LocalRun, run_locally
from qmoi.plan import EventInfo, LoadedWorkflow, Plan, RunInfo, build_plan
from qmoi.plan.load import load_workflow
from qmoi.runners import CancelToken, JobExecutor
from qmoi.schedule import Emit, JobRequest, RunOptions, RunRecord
from qmoi.store.models import JobRow, Run
from qmoi.store.recovery import INTERRUPTED
from qmoi.store.runs import attempt_steps, find_run, latest_attempt
from qmoi.store.sink import RunSpec, StoreSink
from qmoi.store.store import Store

FINISHED = frozenset({"success", "failure", "cancelled", "skipped"})


@dataclass(frozen=True, slots=True)
class KeptStep:
    """A finished step of a kept job, as read back from the store to be replayed."""

    index: int
    step_id: str
    name: str
    outcome: str
    conclusion: str
    outputs: dict[str, str]
    started_at: float
    finished_at: float


@dataclass(frozen=True, slots=True)
class KeptJob:
    """A job that finished before the coordinator died, as its events will be replayed."""

    key: str
    result: str
    outputs: dict[str, str]
    message: str | None
    started_at: float
    finished_at: float
    steps: tuple[KeptStep, ...]

    def replay(self, emit: Emit) -> None:
        emit(JobStarted(self.key, self.started_at))
        for step in self.steps:
            emit(StepStarted(self.key, step.index, step.step_id, step.name, step.started_at))
            emit(StepFinished(self.key, step.index, step.step_id, step.outcome,
                              step.conclusion, dict(step.outputs), step.finished_at))
        emit(JobFinished(self.key, self.result, dict(self.outputs), self.finished_at,
                         self.message))


class ReplayExecutor:
    """A ``JobExecutor`` that replays kept jobs and hands every other job to ``inner``."""

    def __init__(self, inner: JobExecutor, kept: Mapping[str, KeptJob]) -> None:
        self.inner, self.kept = inner, kept

    def run_job(self, request: JobRequest, emit: Emit, token: CancelToken) -> None:
        job = self.kept.get(request.key)
        if job is None:
            self.inner.run_job(request, emit, token)
        else:
            job.replay(emit)


@dataclass(frozen=True, slots=True)
class Resumption:
    """A resumed run ready to start, and the finished jobs of the first run it replays."""

    run: LocalRun
    kept: dict[str, KeptJob]


def prepare(store: Store, run_id: str, secrets: Mapping[str, str] | None = None,
            env: Mapping[str, str] | None = None) -> Resumption:
    """Everything needed to resume ``run_id``; takes the run over in the store (it is no
    longer ``interrupted`` once this returns)."""
    with store.read() as session:
        run = find_run(session, run_id)
        _check_resumable(run)
        kept = _kept_jobs(session, run_id)
        versions = [(w.path, w.repo_path, w.version.content_hash, w.version.content)
                    for w in run.workflows]
    folder = Path(run.run_dir) / f"attempt-{run.attempt + 1}"
    folder.mkdir(parents=True, exist_ok=True)
    root = Path(run.root)
    loaded = [_load(folder, root, *version) for version in versions]
    plan = _plan(run, loaded)
    options = RunOptions(root, folder, dict(secrets or {}), dict(env or {}),
                         [(str(k), str(v)) for k, v in run.matrix_filter])
    spec = RunSpec(plan, loaded, options, run.capacity)
    sink = StoreSink(store, spec, kept=kept, resuming=True)
    return Resumption(LocalRun(plan, loaded, options, run.capacity, journal=sink), kept)


def execute(resumption: Resumption, view: Callable[[Event], None]) -> RunRecord:
    """Run the resumed run to its end; the record covers kept and re-run jobs alike."""
    host = HostExecutor(resumption.run.grace)
    try:
        return run_locally(resumption.run, view, ReplayExecutor(host, resumption.kept))
    finally:
        host.close()


def resume(store: Store, run_id: str, view: Callable[[Event], None],
           secrets: Mapping[str, str] | None = None,
           env: Mapping[str, str] | None = None) -> RunRecord:
    return execute(prepare(store, run_id, secrets, env), view)


def _check_resumable(run: Run) -> None:
    if run.result is None:
        raise UsageError(f"run {run.id} is still running (pid {run.coordinator_pid} on "
                         f"{run.coordinator_host}); only an interrupted run can be resumed")
    if run.result != INTERRUPTED:
        raise UsageError(f"run {run.id} finished ({run.result}); only an interrupted run "
                         "can be resumed")


def _kept_jobs(session: Session, run_id: str) -> dict[str, KeptJob]:
    jobs = session.scalars(select(JobRow).where(JobRow.run_id == run_id,
                                                JobRow.result.in_(FINISHED),
                                                JobRow.attempt > 0)).all()
    kept = {}
    for job in jobs:
        steps = attempt_steps(session, latest_attempt(session, job))
        kept[job.key] = KeptJob(
            job.key, str(job.result), dict(job.outputs), job.message,
            job.started_at or job.queued_at, job.finished_at or job.queued_at,
            tuple(KeptStep(s.index, s.step_id, s.name, s.outcome or "success",
                           s.conclusion or s.outcome or "success", dict(s.outputs),
                           s.started_at, s.finished_at or s.started_at) for s in steps))
    return kept


def _load(folder: Path, root: Path, display: str, repo_path: str, digest: str,
          content: str) -> LoadedWorkflow:
    """The workflow as the run first ran it (its stored version, in a file named by its
    hash), shown and placed in the repository as before."""
    path = folder / "workflows" / f"{digest}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    loaded = load_workflow(path, display, root)
    return dataclasses.replace(loaded, repo_path=repo_path)


def _plan(run: Run, loaded: list[LoadedWorkflow]) -> Plan:
    """Plan again from the same inputs (planning is deterministic), then keep exactly the
    workflows and jobs the first plan had (``-j`` may have narrowed it)."""
    event = EventInfo(**_event_fields(run.event_data))
    info = RunInfo(run.id, run.number, run.attempt + 1)
    matrix = [(str(k), str(v)) for k, v in run.matrix_filter]
    plan = build_plan(loaded, event, info, dict(run.variables), matrix=matrix)
    wanted = {wf["path"]: {job["id"] for job in wf["jobs"]} for wf in run.plan["workflows"]}
    workflows = tuple(
        dataclasses.replace(wf, jobs=tuple(j for j in wf.jobs if j.job_id in wanted[wf.path]))
        for wf in plan.workflows if wf.path in wanted)
    return dataclasses.replace(plan, workflows=workflows)


def _event_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {f.name for f in dataclasses.fields(EventInfo)}
    values = {k: v for k, v in data.items() if k in fields}
    if values.get("changed_files") is not None:
        values["changed_files"] = tuple(values["changed_files"])
    return values
