"""Persisting a run as it happens: the run row before the first job, then committed
transactions for the state changes (job queued / started / finished, step started /
finished, run finished) before any view sees the events — one per event, or one per group
of events (``write``, used by ``qmoi.store.group``). Logs stay files; rows keep their paths.

A heartbeat thread stamps the run while it goes on, so another process can tell a live
coordinator from a dead one (``qmoi.store.recovery``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from qmoi.events import (
    Event,
    JobFinished,
    JobQueued,
    JobStarted,
    RunFinished,
    StepFinished,
    StepStarted,
)
from qmoi.store import statements as sql
from qmoi.store.engine import writer
from qmoi.store.files import seal_logs
from qmoi.store.liveness import HEARTBEAT_SECONDS, Coordinator, this_process
from qmoi.store.models import JobRow, Run
from qmoi.store.profiles import matrix_key
from qmoi.store.recovery import interrupt_run
from qmoi.store.runrow import begin_run, finish_workflows, resume_run
from qmoi.store.spec import LOCAL_RUNNER, RunSpec
from qmoi.store.store import Store

__all__ = ["LOCAL_RUNNER", "EventWriter", "RunSpec", "StoreSink"]


@dataclass(slots=True)
class _Job:
    """What the sink remembers of a job so each event is one short transaction."""

    id: int
    attempts: int
    workflow: str = ""
    job_id: str = ""
    matrix: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Attempt:
    """The attempt row a job's step and finish events are written against."""

    id: int
    started_at: float


class EventWriter:
    """The statements each state event makes, on ``conn`` inside the caller's transaction
    (``StoreSink`` as the run goes; ``qmoi.store.ingest`` replaying a run journal)."""

    def __init__(self, conn: Connection, run_id: str, run_dir: Path, runner: str,
                 me: Coordinator, kept: Collection[str] = ()) -> None:
        self._conn, self.run_id, self.run_dir, self.runner = conn, run_id, run_dir, runner
        self._me, self.kept = me, frozenset(kept)
        self._jobs: dict[str, _Job] = {}
        self._attempts: dict[str, _Attempt] = {}
        self._finished = False

    @property
    def finished(self) -> bool:
        """Whether the run's ``RunFinished`` was written."""
        return self._finished

    def attempt_ids(self) -> dict[str, int]:
        """Job key → the id of its latest attempt written here."""
        return {key: attempt.id for key, attempt in self._attempts.items()}

    def know_jobs(self, jobs: dict[str, _Job]) -> None:
        """The run's stored jobs (a resumed run), so their events update those rows."""
        self._jobs = jobs

    def changes(self, event: Event) -> bool:
        """Whether ``event`` changes anything stored."""
        return self._action(event) is not None

    def apply(self, events: Sequence[Event]) -> int:
        """Write the statements of ``events`` (no commit); how many changed anything."""
        actions = [(action, event) for event in events
                   if (action := self._action(event)) is not None]
        for action, event in actions:
            action(event)
        return len(actions)

    def _action(self, event: Event) -> Callable[[Any], None] | None:
        key = getattr(event, "key", None)
        if key is not None and key in self.kept:
            return None
        if isinstance(event, JobQueued):
            return self._queued
        if isinstance(event, JobStarted):
            return self._started
        if isinstance(event, StepStarted):
            return self._step_started
        if isinstance(event, StepFinished):
            return self._step_finished
        if isinstance(event, JobFinished):
            return self._job_finished
        if isinstance(event, RunFinished):
            return self._run_finished
        return None

    def _queued(self, event: JobQueued) -> None:
        known = self._jobs.get(event.key)
        values = {"job_id": event.job_id, "name": event.name, "workflow": event.workflow,
                  "matrix": dict(event.matrix), "result": None, "outputs": {},
                  "message": None, "queued_at": event.at, "started_at": None,
                  "finished_at": None}
        if known is not None:
            self._conn.execute(sql.UPDATE_JOB, {"b_pk": known.id, **values})
        else:
            row = self._conn.execute(sql.INSERT_JOB, {"run_id": self.run_id, "key": event.key,
                                                      "attempt": 0, **values})
            known = self._jobs[event.key] = _Job(int(row.scalar_one()), 0)
        known.workflow, known.job_id, known.matrix = event.workflow, event.job_id, event.matrix

    def _started(self, event: JobStarted) -> None:
        job = self._jobs.get(event.key)
        if job is None:
            return
        job.attempts += 1
        log_dir = self.run_dir / "logs" / event.key
        row = self._conn.execute(sql.INSERT_ATTEMPT, {
            "job_pk": job.id, "number": job.attempts, "runner": self.runner,
            "pid": self._me.pid, "host": self._me.host, "log_dir": str(log_dir),
            "started_at": event.at})
        self._attempts[event.key] = _Attempt(int(row.scalar_one()), event.at)
        self._conn.execute(sql.UPDATE_JOB, {"b_pk": job.id, "attempt": job.attempts,
                                            "runner": self.runner,
                                            "started_at": event.at})

    def _step_started(self, event: StepStarted) -> None:
        attempt = self._attempts.get(event.key)
        if attempt is None:
            return
        self._conn.execute(sql.INSERT_STEP, {
            "attempt_id": attempt.id, "index": event.index, "step_id": event.step_id,
            "name": event.name, "outputs": {}, "started_at": event.at,
            "log_path": str(self._log_path(event))})

    def _log_path(self, event: StepStarted) -> Path:
        # The recorder's naming (qmoi.execute.recorder): logs/<key>/<index + 1>.log.
        name = "job.log" if event.index < 0 else f"{event.index + 1:03d}.log"
        return self.run_dir / "logs" / event.key / name

    def _step_finished(self, event: StepFinished) -> None:
        attempt = self._attempts.get(event.key)
        if attempt is None:
            return
        self._conn.execute(sql.UPDATE_STEP, {
            "b_attempt": attempt.id, "b_index": event.index, "outcome": event.outcome,
            "conclusion": event.conclusion, "outputs": dict(event.outputs),
            "finished_at": event.at})

    def _job_finished(self, event: JobFinished) -> None:
        job = self._jobs.get(event.key)
        if job is None:
            return
        self._conn.execute(sql.UPDATE_JOB, {
            "b_pk": job.id, "result": event.result, "outputs": dict(event.outputs),
            "message": event.message, "finished_at": event.at})
        attempt = self._attempts.get(event.key)
        if attempt is None:
            return
        self._conn.execute(sql.UPDATE_ATTEMPT, {
            "b_pk": attempt.id, "result": event.result, "error": event.message,
            "finished_at": event.at})
        self._conn.execute(sql.INSERT_SAMPLE, {
            "workflow": job.workflow, "job_id": job.job_id, "matrix_key": matrix_key(job.matrix),
            "run_id": self.run_id, "job_key": event.key, "attempt": job.attempts,
            "peak_rss": None, "cpu_seconds": None,
            "wall_seconds": max(0.0, event.at - attempt.started_at), "sampled_at": event.at})

    def _run_finished(self, event: RunFinished) -> None:
        self._conn.execute(update(Run).where(Run.id == self.run_id).values(
            result=event.result, finished_at=event.at, heartbeat_at=event.at))
        finish_workflows(self._conn, self.run_id, event.result, event.at)
        self._finished = True


class StoreSink:
    """Call it with every event of the run, in order, then ``close`` it. With ``kept``
    (a resumed run) the events of those jobs are replays of stored rows and are skipped."""

    def __init__(self, store: Store, spec: RunSpec, *, kept: Collection[str] = (),
                 resuming: bool = False) -> None:
        self.store, self.spec, self.kept = store, spec, frozenset(kept)
        self.run_id = spec.plan.run.run_id
        self._me = this_process()
        self._conn: Connection = writer(store.engine).connect()
        self._writer = EventWriter(self._conn, self.run_id, spec.options.run_dir, spec.runner,
                                   self._me, kept)
        try:
            with self._conn.begin():
                if resuming:
                    resume_run(self._conn, spec, self._me)
                    self._writer.know_jobs(_known_jobs(self._conn, self.run_id))
                else:
                    begin_run(self._conn, spec, self._me)
        except BaseException:
            self._conn.close()
            raise
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="qmoi-heartbeat",
                                      daemon=True)
        self._beat.start()

    def __call__(self, event: Event) -> None:
        """Persist one event: committed when this returns."""
        self.write((event,))

    def write(self, events: Sequence[Event]) -> None:
        """Persist ``events`` in one transaction, committed when this returns (a group
        commit: ``qmoi.store.group``); events that change nothing stored cost nothing."""
        if not any(self._writer.changes(event) for event in events):
            return
        with self._conn.begin():
            self._writer.apply(events)

    # ------------------------------------------------------------------ lifetime

    def _heartbeat(self) -> None:
        with writer(self.store.engine).connect() as connection:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                with connection.begin():
                    connection.execute(sql.HEARTBEAT, {"b_run": self.run_id,
                                                       "b_at": time.time()})

    def close(self) -> None:
        """Stop the heartbeat, record the finished log files; a run that ended without
        its ``RunFinished`` (the coordinator failed) is marked interrupted now."""
        self._stop.set()
        self._beat.join()
        try:
            if not self._writer.finished:
                with self._conn.begin():
                    interrupt_run(self._conn, self.run_id, time.time())
            with self._conn.begin():
                seal_logs(self._conn, self.run_id,
                          self._writer.attempt_ids(),
                          self.spec.options.run_dir)
        finally:
            self._conn.close()


def _known_jobs(conn: Connection, run_id: str) -> dict[str, _Job]:
    rows = conn.execute(select(JobRow.key, JobRow.id, JobRow.attempt)
                        .where(JobRow.run_id == run_id))
    return {row.key: _Job(row.id, row.attempt) for row in rows}
