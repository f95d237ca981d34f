"""A run's durable journal: the run's header, then every state event, one JSON line each,
in ``<run_dir>/journal.jsonl``; ``<home>/pending/<run_id>`` marks a journal the SQL store
has not taken in completely yet.

Importing SQLAlchemy and opening the database cost more than a small run (≈0.3 s of CPU
before the first job, for a 10-job chain whose steps take 20 ms). So ``qmoi run`` writes
each event here, handed to the OS before any view sees it: it survives a crash of the
process as a commit in SQLite's WAL mode with ``synchronous = NORMAL`` did
(https://www.sqlite.org/pragma.html#pragma_synchronous). The store takes the journal in
(``qmoi.store.ingest``) whenever it is next opened: by ``qmoi runs``, ``qmoi stats``, the
manager, or recovery. A journal whose coordinator died is taken in as an interrupted run,
as the database sink's crash recovery did. Log lines stay out of it (the logs are files
of their own). Against a power loss, a thread of the journal's own fdatasyncs it soon
after each job boundary (an fdatasync on the scheduler's thread cost ≈6 ms per job start
and end, on the critical path of a chain of jobs), and ``close`` syncs the end of the run
before it returns.

Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qmoi.errors import UsageError
from qmoi.events import (
    Event,
    JobFinished,
    JobQueued,
    JobStarted,
    RunFinished,
    StepFinished,
    StepStarted,
)
from qmoi.store.liveness import HEARTBEAT_SECONDS

JOURNAL = "journal.jsonl"
PENDING = "pending"
CLOSED = "closed"  # the coordinator ended without a RunFinished (it failed): interrupted
DATABASE_ENV = "QMOI_DATABASE_URL"

_STATE = (JobQueued, JobStarted, StepStarted, StepFinished, JobFinished, RunFinished)
# json.dumps with any option builds a new encoder per call; one encoder, the same text
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_BOUNDARY = (JobStarted, JobFinished, RunFinished)  # synced soon after, on the journal's thread


def pending_dir(home: Path) -> Path:
    return home / PENDING


def check_database_url() -> None:
    """The errors ``qmoi.store.engine.make_engine`` gives for a bad ``$QMOI_DATABASE_URL``,
    without SQLAlchemy: a run that could never reach its store does not start."""
    given = os.environ.get(DATABASE_ENV, "").strip()
    if not given:
        return
    scheme, sep, _ = given.partition("://")
    if not sep or not scheme:
        raise UsageError(f"{DATABASE_ENV} is not a database URL: {given!r}")
    backend = scheme.partition("+")[0]
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise UsageError(f"unsupported database {backend!r} in {DATABASE_ENV}; "
                         "use sqlite or postgresql")


class RunJournal:
    """Call it with every event of the run, in order (from one thread); ``start`` names
    where saved events go and what stops the run if saving fails (the failed event is
    never delivered; ``close`` raises the error). ``header`` is
    ``qmoi.store.spec.run_header``'s, written first."""

    def __init__(self, home: Path, run_dir: Path, header: dict[str, Any]) -> None:
        self._path = run_dir / JOURNAL
        self._deliver: Callable[[Event], None] | None = None
        self._on_failure: Callable[[], None] | None = None
        self._error: BaseException | None = None
        self._finished = False
        self._lock = threading.RLock()  # on_failure may cancel, and cancelling emits
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                           0o644)
        try:
            self._write(header, sync=False)  # synced with the first job boundary
            marks = pending_dir(home)
            marks.mkdir(parents=True, exist_ok=True)
            (marks / str(header["run_id"])).write_text(str(run_dir), encoding="utf-8")
        except BaseException:
            os.close(self._fd)
            raise
        self._stop = threading.Event()
        self._sync = threading.Event()
        self._beat = threading.Thread(target=self._background, name="qmoi-journal",
                                      daemon=True)
        self._beat.start()

    @property
    def path(self) -> Path:
        return self._path

    def start(self, deliver: Callable[[Event], None],
              on_failure: Callable[[], None] | None = None) -> None:
        self._deliver, self._on_failure = deliver, on_failure

    def __call__(self, event: Event) -> None:
        with self._lock:
            if self._error is not None:
                return  # never saved, so never shown: the run is being stopped
            if isinstance(event, _STATE):
                try:
                    self._write(event.to_json(), sync=False)
                except OSError as error:
                    self._fail(error)
                    return
                if isinstance(event, _BOUNDARY):
                    self._sync.set()
                self._finished = self._finished or isinstance(event, RunFinished)
            deliver = self._deliver
        if deliver is not None:
            deliver(event)

    def drain(self) -> None:
        """Events are delivered as they are written: nothing waits."""

    def close(self) -> None:
        """Mark a run that ended without its ``RunFinished`` (the coordinator failed) and
        close the file; raises the error that stopped the run, if any."""
        self._stop.set()
        self._sync.set()
        self._beat.join()
        try:
            if not self._finished and self._error is None:
                self._write({"type": CLOSED, "at": time.time()}, sync=False)
            if self._error is None:
                os.fdatasync(self._fd)
        finally:
            os.close(self._fd)
        if self._error is not None:
            raise self._error

    def _write(self, data: dict[str, Any], *, sync: bool) -> None:
        line = _ENCODE(data) + "\n"
        os.write(self._fd, line.encode("utf-8"))  # one write: O_APPEND keeps lines whole
        if sync:
            os.fdatasync(self._fd)

    def _fail(self, error: BaseException) -> None:
        self._error = self._error or error
        if self._on_failure is not None:
            self._on_failure()

    def _background(self) -> None:
        """Sync after job boundaries; touch the file every ``HEARTBEAT_SECONDS``: its mtime
        is the run's heartbeat for a reader on another host (``qmoi.store.liveness``), so
        a long silent step does not look like a dead coordinator."""
        beat = time.monotonic() + HEARTBEAT_SECONDS
        while not self._stop.is_set():
            if self._sync.wait(max(0.0, beat - time.monotonic())):
                self._sync.clear()
                if self._stop.is_set():
                    return
                with contextlib.suppress(OSError):
                    os.fdatasync(self._fd)
            if time.monotonic() >= beat:
                beat = time.monotonic() + HEARTBEAT_SECONDS
                with contextlib.suppress(OSError):
                    os.utime(self._path)


def read_journal(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the records after it; a last line cut short by a crash is dropped."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    whole = lines[:-1]  # after the last newline: empty, or a torn write
    if not whole:
        raise ValueError(f"{path}: no header")
    return json.loads(whole[0]), [json.loads(line) for line in whole[1:] if line]
