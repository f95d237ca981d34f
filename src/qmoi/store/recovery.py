"""Crash recovery: a run whose coordinator died (killed, lost its machine) keeps
``result`` NULL forever; whoever opens the store next marks it and its unfinished jobs,
attempts and steps ``interrupted``. A live coordinator's run is never touched."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from qmoi.store.liveness import Coordinator, is_alive
from qmoi.store.models import JobAttempt, JobRow, Run, RunWorkflow, StepRow

if TYPE_CHECKING:
    from qmoi.store.store import Store

INTERRUPTED = "interrupted"
STOPPED = "the coordinator of the run stopped"


def recover_runs(store: Store, now: float | None = None) -> list[str]:
    """Mark every unfinished run with a dead coordinator interrupted; their ids."""
    with store.read() as session:
        rows = session.execute(
            select(Run.id, Run.coordinator_pid, Run.coordinator_host, Run.coordinator_start,
                   Run.heartbeat_at).where(Run.result.is_(None))).all()
    now = time.time() if now is None else now
    dead = [row.id for row in rows
            if not is_alive(Coordinator(row.coordinator_pid, row.coordinator_host,
                                        row.coordinator_start), row.heartbeat_at, now)]
    recovered = []
    for run_id in dead:
        with store.transaction() as connection:
            if interrupt_run(connection, run_id):
                recovered.append(run_id)
    return recovered


def interrupt_run(connection: Connection, run_id: str, at: float | None = None) -> bool:
    """End an unfinished run as interrupted at ``at`` (default: its last heartbeat, the
    last moment it was known alive). False when it had already finished — someone else
    recovered it first: the conditional update makes two recovering processes safe."""
    heartbeat = connection.execute(select(Run.heartbeat_at).where(Run.id == run_id)
                                   ).scalar_one_or_none()
    if heartbeat is None:
        return False
    when = heartbeat if at is None else at
    done = connection.execute(update(Run).where(Run.id == run_id, Run.result.is_(None))
                              .values(result=INTERRUPTED, finished_at=when))
    if done.rowcount != 1:
        return False
    jobs = select(JobRow.id).where(JobRow.run_id == run_id)
    open_attempts = select(JobAttempt.id).where(JobAttempt.job_pk.in_(jobs),
                                                JobAttempt.result.is_(None))
    connection.execute(update(StepRow).where(StepRow.attempt_id.in_(open_attempts),
                                             StepRow.finished_at.is_(None))
                       .values(finished_at=when))
    connection.execute(update(JobAttempt).where(JobAttempt.id.in_(open_attempts))
                       .values(result=INTERRUPTED, finished_at=when, error=STOPPED))
    connection.execute(update(JobRow).where(JobRow.run_id == run_id, JobRow.result.is_(None))
                       .values(result=INTERRUPTED, finished_at=when))
    connection.execute(update(RunWorkflow).where(RunWorkflow.run_id == run_id,
                                                 RunWorkflow.result.is_(None))
                       .values(result=INTERRUPTED, finished_at=when))
    return True
