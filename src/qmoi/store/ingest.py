"""Taking run journals (``qmoi.store.journal``) into the SQL store; ``open_store`` does it
first thing, so every reader sees every run.

Each pending run is written whole from its journal in one transaction, replacing what an
earlier look at the same journal wrote (a run still going is taken in as far as it got,
and again later): so taking a journal in twice — two readers at once, or a crash between
the commit and the removal of the pending mark — changes nothing. A journal whose
coordinator is gone without finishing is taken in as an interrupted run, at its last
heartbeat. A run resumed since (``qmoi runs resume`` raises its attempt, in the store
itself) is never overwritten by its old journal.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError

from qmoi.events import event_from_json
from qmoi.store.files import seal_logs
from qmoi.store.journal import CLOSED, JOURNAL, pending_dir, read_journal
from qmoi.store.liveness import is_alive
from qmoi.store.models import Run
from qmoi.store.models_qcity import ResourceSample
from qmoi.store.recovery import interrupt_run
from qmoi.store.runrow import insert_run
from qmoi.store.sink import EventWriter
from qmoi.store.spec import header_coordinator
from qmoi.store.store import Store


def ingest_pending(store: Store, now: float | None = None) -> list[str]:
    """Take every pending journal under the store's home in; the ids of the runs written."""
    marks = pending_dir(store.home)
    if not marks.is_dir():
        return []
    done = []
    for mark in sorted(marks.iterdir()):
        if mark.name.startswith("."):
            continue
        if ingest_run(store, mark, now):
            done.append(mark.name)
    return done


def ingest_run(store: Store, mark: Path, now: float | None = None) -> bool:
    """Take one pending run in (its mark holds the run folder); the mark is removed once the
    run is in the store for good. False when there was nothing (more) to write."""
    try:
        run_dir = Path(mark.read_text(encoding="utf-8").strip())
        header, records = read_journal(run_dir / JOURNAL)
        stamp = (run_dir / JOURNAL).stat().st_mtime
    except (OSError, ValueError):
        mark.unlink(missing_ok=True)  # its run folder is gone: nothing left to take in
        return False
    closed = next((r["at"] for r in records if r.get("type") == CLOSED), None)
    events = [event_from_json(r) for r in records if r.get("type") != CLOSED]
    now = time.time() if now is None else now
    alive = closed is None and is_alive(header_coordinator(header), stamp, now)
    try:
        with store.transaction() as conn:
            written = _write_run(conn, header, events, stamp, alive, closed)
    except IntegrityError:
        # Another reader took the same journal in at the same moment (PostgreSQL lets
        # both transactions start; the second's insert of the run then fails): its copy
        # stands, and whoever opens the store next looks again.
        return False
    if written is not False:  # finished, interrupted, or superseded: in for good
        mark.unlink(missing_ok=True)
    return written is not None


def _write_run(conn: Connection, header: dict[str, Any], events: list[Any], stamp: float,
               alive: bool, closed: float | None) -> bool | None:
    """Replace the run's rows with the journal's; whether the run is finished (True), going
    on (False), or None when the store holds a later attempt of it."""
    run_id = str(header["run_id"])
    stored = conn.execute(select(Run.attempt).where(Run.id == run_id)).scalar_one_or_none()
    if stored is not None and stored > int(header["attempt"]):
        return None
    # Rows of an earlier look at this journal: jobs, attempts, steps and files go with the
    # run (ON DELETE CASCADE); samples are keyed by the run's id only.
    conn.execute(delete(ResourceSample).where(ResourceSample.run_id == run_id))
    conn.execute(delete(Run).where(Run.id == run_id))
    insert_run(conn, header, heartbeat_at=stamp)
    run_dir = Path(header["run_dir"])
    writer = EventWriter(conn, run_id, run_dir, str(header["runner"]),
                         header_coordinator(header))
    writer.apply(events)
    if not writer.finished and not alive:
        interrupt_run(conn, run_id, closed)
    if writer.finished or not alive:
        seal_logs(conn, run_id, writer.attempt_ids(), run_dir)
        return True
    return False
