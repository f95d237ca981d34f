"""Group commit: a run's events persisted by a writer thread, many per transaction.

A commit per event cost more than the step it recorded (≈1.5 s of a 100-step job), and
opening the store (importing SQLAlchemy, migrating, recovering dead runs) held up the start
of every run. Here the caller only queues an event; the writer thread opens the store
meanwhile, then writes whatever has queued up in one transaction and, once it is
committed, hands those events in order to ``deliver`` (the views, the run record). So a
state change is still committed before anyone is told about it — the store's promise —
while the jobs run on. Groups form by themselves: while one commits, the next queues.

This module imports no SQLAlchemy: the opener does, on the writer thread.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from qmoi.events import Event

Deliver = Callable[[Event], None]
_MOST = 1024  # events in one transaction at most (a long group would delay the view)


class BatchSink(Protocol):
    """``qmoi.store.StoreSink``: ``write`` commits a group of events."""

    def write(self, events: Sequence[Event]) -> None: ...

    def close(self) -> None: ...


class GroupCommitSink:
    """Call it with every event of the run, in order; ``start`` names where committed
    events go and what to call if the store fails (the run is then stopped: events that
    cannot be committed are never delivered, and ``close`` raises the store's error);
    ``drain`` waits until every event so far is handled; ``close`` drains and closes the
    store's sink. ``opener`` runs on the writer thread."""

    def __init__(self, opener: Callable[[], BatchSink]) -> None:
        self._opener = opener
        self._queue: deque[Event] = deque()
        self._cond = threading.Condition()
        self._deliver: Deliver | None = None
        self._on_failure: Callable[[], None] | None = None
        self._queued = self._handled = 0
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="qmoi-store", daemon=True)
        self._thread.start()

    def start(self, deliver: Deliver, on_failure: Callable[[], None] | None = None) -> None:
        with self._cond:
            self._deliver, self._on_failure = deliver, on_failure
            failed = self._error is not None
            self._cond.notify_all()
        if failed and on_failure is not None:
            on_failure()

    def __call__(self, event: Event) -> None:
        with self._cond:
            if self._error is not None:
                return  # never committed, so never shown: the run is being stopped
            self._queue.append(event)
            self._queued += 1
            self._cond.notify_all()

    def drain(self) -> None:
        """Wait until every event queued so far is committed and delivered (or the store
        failed: ``close`` raises that)."""
        with self._cond:
            target = self._queued
            while self._handled < target and self._error is None:
                self._cond.wait()

    def close(self) -> None:
        """Drain, close the store's sink, stop the writer; raises what the writer met."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
        with self._cond:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _main(self) -> None:
        try:
            sink = self._opener()
        except BaseException as error:  # handed to the caller's next call
            self._fail(error)
            return
        try:
            while (batch := self._next()) is not None:
                sink.write(batch)
                self._hand_on(batch)
        except BaseException as error:
            self._fail(error)
        finally:
            try:
                sink.close()
            except BaseException as error:
                self._fail(error)

    def _next(self) -> list[Event] | None:
        """The next group (all that queued up, up to ``_MOST``), or None once closing and
        everything is handled; waits for ``start`` before the first group."""
        with self._cond:
            while not (self._queue and self._deliver is not None) and not self._closing:
                self._cond.wait()
            if not self._queue:
                return None
            return [self._queue.popleft() for _ in range(min(len(self._queue), _MOST))]

    def _hand_on(self, batch: list[Event]) -> None:
        deliver = self._deliver
        if deliver is not None:
            for event in batch:
                deliver(event)
        with self._cond:
            self._handled += len(batch)
            self._cond.notify_all()

    def _fail(self, error: BaseException) -> None:
        with self._cond:
            first = self._error is None
            if first:
                self._error = error
                self._queue.clear()
            self._cond.notify_all()
            on_failure = self._on_failure
        if first and on_failure is not None:
            on_failure()
