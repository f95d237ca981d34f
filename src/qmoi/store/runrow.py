"""The run row and the workflows it ran: written when a run begins or resumes, and the
per-workflow results when it finishes."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from qmoi.errors import UsageError
from qmoi.store.liveness import Coordinator
from qmoi.store.models import JobRow, Run, RunWorkflow, WorkflowVersion
from qmoi.store.spec import header_coordinator, run_header

if TYPE_CHECKING:
    from qmoi.store.sink import RunSpec

_WORST_FIRST = ("failure", "interrupted", "cancelled")


def begin_run(conn: Connection, spec: RunSpec, me: Coordinator) -> None:
    insert_run(conn, run_header(spec, me))


def insert_run(conn: Connection, header: dict[str, Any], heartbeat_at: float | None = None
               ) -> None:
    """The run row and its workflows from a run header (``qmoi.store.spec.run_header``);
    ``heartbeat_at`` defaults to the run's start."""
    now = header["started_at"]
    me = header_coordinator(header)
    conn.execute(insert(Run).values(
        id=header["run_id"], number=header["number"], attempt=header["attempt"],
        event=header["event"], event_data=header["event_data"],
        commit_sha=header["commit_sha"], ref=header["ref"], repository=header["repository"],
        root=header["root"], run_dir=header["run_dir"], plan=header["plan"],
        variables=header["variables"], matrix_filter=header["matrix_filter"],
        capacity=header["capacity"], result=None, started_at=now, finished_at=None,
        **_coordinator(me, now if heartbeat_at is None else heartbeat_at)))
    for position, planned in enumerate(header["workflows"]):
        version = record_version(conn, planned["repo_path"], planned["text"],
                                 header["commit_sha"], now)
        conn.execute(insert(RunWorkflow).values(
            run_id=header["run_id"], position=position, path=planned["path"],
            repo_path=planned["repo_path"], name=planned["name"], version_id=version,
            result=None, started_at=now, finished_at=None))


def resume_run(conn: Connection, spec: RunSpec, me: Coordinator) -> None:
    """Take over an interrupted run (only one process can: the update is conditional)."""
    run_id, now = spec.plan.run.run_id, time.time()
    taken = conn.execute(update(Run).where(Run.id == run_id, Run.result == "interrupted")
                         .values(attempt=spec.plan.run.run_attempt, result=None,
                                 finished_at=None, **_coordinator(me, now)))
    if taken.rowcount != 1:
        raise UsageError(f"run {run_id} is not interrupted (another qmoi may have resumed it)")
    conn.execute(update(RunWorkflow).where(RunWorkflow.run_id == run_id)
                 .values(result=None, finished_at=None))


def _coordinator(me: Coordinator, now: float) -> dict[str, Any]:
    return {"coordinator_pid": me.pid, "coordinator_host": me.host,
            "coordinator_start": me.start, "heartbeat_at": now}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_version(conn: Connection, path: str, text: str, commit: str | None,
                   at: float) -> int:
    """The id of this workflow version (``path`` in the repository, content), recorded now
    if new, else its ``last_seen`` moved to ``at``."""
    digest = content_hash(text)
    where = (WorkflowVersion.path == path, WorkflowVersion.content_hash == digest)
    found = conn.execute(select(WorkflowVersion.id).where(*where)).scalar_one_or_none()
    if found is None:
        try:
            with conn.begin_nested():
                created = conn.execute(insert(WorkflowVersion).values(
                    path=path, content_hash=digest, content=text, commit_sha=commit,
                    first_seen=at, last_seen=at).returning(WorkflowVersion.id)).scalar_one()
            return int(created)
        except IntegrityError:  # another process recorded it a moment ago
            found = conn.execute(select(WorkflowVersion.id).where(*where)).scalar_one()
    conn.execute(update(WorkflowVersion).where(WorkflowVersion.id == found)
                 .values(last_seen=func.max(WorkflowVersion.last_seen, at)
                         if conn.dialect.name == "sqlite"
                         else func.greatest(WorkflowVersion.last_seen, at)))
    return int(found)


def finish_workflows(conn: Connection, run_id: str, result: str, at: float) -> None:
    """Each workflow's result: the run's when it ran alone, else the worst of its jobs."""
    rows = conn.execute(select(RunWorkflow.id, RunWorkflow.path)
                        .where(RunWorkflow.run_id == run_id)).all()
    for row in rows:
        jobs = conn.execute(select(JobRow.result, JobRow.finished_at).where(
            JobRow.run_id == run_id, JobRow.workflow == row.path)).all()
        own = result if len(rows) == 1 else _worst(job.result for job in jobs)
        ends = [job.finished_at for job in jobs if job.finished_at is not None]
        conn.execute(update(RunWorkflow).where(RunWorkflow.id == row.id)
                     .values(result=own, finished_at=max(ends, default=at)))


def _worst(results: Any) -> str:
    seen = set(results)
    return next((kind for kind in _WORST_FIRST if kind in seen), "success")
