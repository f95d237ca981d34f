"""Group commit: events are written many per transaction by a writer thread and handed on
only once committed; the store opens on that thread; a store that fails stops the run and
``close`` raises its error; a whole run through it is stored as with the plain sink."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qmoi.events import (
    Event,
    JobFinished,
    JobQueued,
    JobStarted,
    LogLine,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
)
from qmoi.store import GroupCommitSink, RunSpec, Store, StoreSink, open_store
from qmoi.store.models import JobRow, Run, StepRow
from qmoi.store.runs import run_document

WF = ".github/workflows/ci.yml"


def _events(run_id: str, steps: int = 3) -> list[Event]:
    events: list[Event] = [RunStarted(run_id, 100.0),
                           JobQueued("b", "build", "build", WF, {}, 100.5),
                           JobStarted("b", 101.0)]
    for index in range(steps):
        events += [StepStarted("b", index, f"s{index}", f"Step {index}", 101.0 + index),
                   LogLine("b", index, f"line {index}", 101.1 + index),
                   StepFinished("b", index, f"s{index}", "success", "success", {},
                                101.5 + index)]
    return [*events, JobFinished("b", "success", {}, 110.0), RunFinished(run_id, "success",
                                                                           111.0)]


class _Counting:
    """A StoreSink that counts its transactions and can hold the writer back."""

    def __init__(self, sink: StoreSink, gate: threading.Event | None = None) -> None:
        self.sink, self.gate = sink, gate
        self.groups: list[int] = []

    def write(self, events: Sequence[Event]) -> None:
        if self.gate is not None:
            self.gate.wait(10)
        self.groups.append(len(events))
        self.sink.write(events)

    def close(self) -> None:
        self.sink.close()


def test_events_are_delivered_in_order_only_once_committed(
        store: Store, home: Path, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    other = open_store(home, recover=False)  # another connection, as another process
    gate = threading.Event()
    counting: list[_Counting] = []

    def opener() -> _Counting:
        counting.append(_Counting(StoreSink(store, spec), gate))
        return counting[0]

    seen: list[tuple[str, bool]] = []

    def deliver(event: Event) -> None:
        if isinstance(event, StepStarted):
            with other.read() as session:
                stored = session.scalars(select(StepRow.name)).all()
            seen.append((event.name, event.name in stored))
        else:
            seen.append((type(event).__name__, True))

    journal = GroupCommitSink(opener)
    journal.start(deliver)
    events = _events(run_id)
    try:
        for event in events:
            journal(event)  # never waits for the database
        assert seen == []  # nothing shown before it is committed
        gate.set()
        journal.drain()
        assert [name for name, _ in seen] == [
            e.name if isinstance(e, StepStarted) else type(e).__name__ for e in events]
        assert all(stored for _, stored in seen)
        # The writer was held back while everything queued: it wrote far fewer groups.
        assert sum(counting[0].groups) == len(events)
        assert len(counting[0].groups) < len(events) / 2
    finally:
        journal.close()
        other.close()
    doc = run_document(store, run_id)
    assert doc["result"] == "success"
    assert [s["conclusion"] for s in doc["jobs"][0]["steps"]] == ["success"] * 3


def test_a_store_that_cannot_open_stops_the_run_and_close_raises(
        make_spec: Callable[..., RunSpec]) -> None:
    from qmoi.store import StoreError

    stopped = threading.Event()
    shown: list[Event] = []

    def opener() -> StoreSink:
        raise StoreError("cannot open the store: disk on fire", location="sqlite:///x")

    journal = GroupCommitSink(opener)
    journal.start(shown.append, stopped.set)
    assert stopped.wait(10)
    journal(RunStarted("1", 1.0))
    journal.drain()  # returns: nothing can be committed any more
    assert shown == []
    with pytest.raises(StoreError, match="disk on fire"):
        journal.close()


def test_a_failing_write_stops_the_run(store: Store, make_spec: Callable[..., RunSpec]
                                       ) -> None:
    spec = make_spec()

    class Broken(_Counting):
        def write(self, events: Sequence[Event]) -> None:
            if any(isinstance(e, JobStarted) for e in events):
                raise RuntimeError("the database went away")
            super().write(events)

    stopped = threading.Event()
    shown: list[Event] = []
    journal = GroupCommitSink(lambda: Broken(StoreSink(store, spec)))
    journal.start(shown.append, stopped.set)
    for event in _events(spec.plan.run.run_id):
        journal(event)
    assert stopped.wait(10)
    journal.drain()
    assert not any(isinstance(e, JobStarted) for e in shown)
    with pytest.raises(RuntimeError, match="went away"):
        journal.close()
    with store.read() as session:  # the sink was closed: the run is marked interrupted
        assert session.get(Run, spec.plan.run.run_id).result == "interrupted"  # type: ignore[union-attr]


def test_a_plain_write_of_a_group_is_one_transaction(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    sink = StoreSink(store, spec)
    try:
        sink.write(_events(spec.plan.run.run_id)[:4])
        sink.write([LogLine("b", 0, "only a log line", 102.0)])  # nothing to store
        with store.read() as session:
            assert session.scalar(select(func.count()).select_from(JobRow)) == 1
            assert session.scalar(select(func.count()).select_from(StepRow)) == 1
    finally:
        sink.close()
