"""Reading runs back: the list, one run's document (``qmoi run --json``'s shape plus
``attempt``, ``runner`` and ``resources`` per job) and its log files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qmoi.errors import UsageError
from qmoi.store.models import JobAttempt, JobRow, Run, StepRow
from qmoi.store.profiles import attempt_usage
from qmoi.store.store import Store


def iso(at: float | None) -> str | None:
    """A time as ``qmoi run --json`` shows it (UTC, milliseconds)."""
    if at is None:
        return None
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def list_runs(store: Store) -> list[dict[str, Any]]:
    """Every run, oldest first (newest last)."""
    with store.read() as session:
        runs = session.scalars(select(Run).order_by(Run.started_at, Run.id)).all()
        return [_summary(run) for run in runs]


def _summary(run: Run) -> dict[str, Any]:
    return {"run_id": run.id, "workflow": ", ".join(w.path for w in run.workflows),
            "event": run.event, "commit": run.commit_sha, "result": run.result,
            "started_at": iso(run.started_at), "finished_at": iso(run.finished_at)}


def find_run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise UsageError(f"no run {run_id!r} in the store (see qmoi runs list)")
    return run


def run_document(store: Store, run_id: str) -> dict[str, Any]:
    """``{"run_id", "result", "jobs": [...]}`` as ``qmoi run --json`` prints it; each job
    also has ``attempt``, ``runner``, ``message`` and ``resources``."""
    with store.read() as session:
        run = find_run(session, run_id)
        jobs = session.scalars(select(JobRow).where(JobRow.run_id == run_id)
                               .order_by(JobRow.id)).all()
        connection = session.connection()
        docs = [_job(session, job) | {"resources": _resources(connection, run_id, job)}
                for job in jobs]
        return {"run_id": run.id, "result": run.result, "jobs": docs}


def latest_attempt(session: Session, job: JobRow) -> JobAttempt | None:
    return session.scalars(select(JobAttempt).where(JobAttempt.job_pk == job.id)
                           .order_by(JobAttempt.number.desc()).limit(1)).first()


def attempt_steps(session: Session, attempt: JobAttempt | None) -> list[StepRow]:
    if attempt is None:
        return []
    return list(session.scalars(select(StepRow).where(StepRow.attempt_id == attempt.id)
                                .order_by(StepRow.index)).all())


def _job(session: Session, job: JobRow) -> dict[str, Any]:
    steps = attempt_steps(session, latest_attempt(session, job))
    return {
        "id": job.job_id, "key": job.key, "name": job.name, "workflow": job.workflow,
        "matrix": job.matrix, "result": job.result, "outputs": job.outputs,
        "started_at": iso(job.started_at), "finished_at": iso(job.finished_at),
        "steps": [{"id": step.step_id or None, "name": step.name, "outcome": step.outcome,
                   "conclusion": step.conclusion, "outputs": step.outputs} for step in steps],
        "attempt": job.attempt, "runner": job.runner, "message": job.message,
    }


def _resources(connection: Any, run_id: str, job: JobRow) -> dict[str, Any] | None:
    """The job's resource request (when one was recorded) and what its last attempt used."""
    used = attempt_usage(connection, run_id, job.key, job.attempt) if job.attempt else None
    if job.resources is None and used is None:
        return None
    return {"request": job.resources, "used": used}


@dataclass(frozen=True, slots=True)
class LogFile:
    """One log file of a job attempt, in the order the job wrote them."""

    job_key: str
    job_name: str
    attempt: int
    title: str
    path: Path


def log_files(store: Store, run_id: str, job: str | None = None) -> list[LogFile]:
    """The log files of every attempt of the run's jobs (or of ``job``: a key, a job id
    naming all its matrix legs, or a job's display name)."""
    with store.read() as session:
        find_run(session, run_id)
        jobs = session.scalars(select(JobRow).where(JobRow.run_id == run_id)
                               .order_by(JobRow.id)).all()
        chosen = [j for j in jobs if job is None or job in (j.key, j.job_id, j.name)]
        if job is not None and not chosen:
            names = ", ".join(j.key for j in jobs) or "none"
            raise UsageError(f"run {run_id} has no job {job!r} (its jobs: {names})")
        return [item for j in chosen for item in _job_logs(session, j)]


def _job_logs(session: Session, job: JobRow) -> Iterator[LogFile]:
    attempts = session.scalars(select(JobAttempt).where(JobAttempt.job_pk == job.id)
                               .order_by(JobAttempt.number)).all()
    for attempt in attempts:
        if attempt.log_dir is not None:
            whole_job = Path(attempt.log_dir) / "job.log"
            if whole_job.is_file():
                yield LogFile(job.key, job.name, attempt.number, "job", whole_job)
        for step in attempt_steps(session, attempt):
            if step.log_path is not None and step.index >= 0:
                yield LogFile(job.key, job.name, attempt.number, step.name,
                              Path(step.log_path))
