"""The worker's outbox: events in the order they happened, runs of them in one message,
and a job's ``done`` never ahead of its events."""

from __future__ import annotations

from multiprocessing import Pipe
from typing import Any

from qmoi.events import LogLine, LogLines, event_from_json
from qmoi.runners.pool.wire import Channel, Outbox


def _messages(receiver: Channel) -> list[dict[str, Any]]:
    found = []
    while receiver.conn.poll(0.5):
        found.append(receiver.receive())
    return found


def test_events_keep_their_order_and_done_comes_after_them() -> None:
    ours, theirs = Pipe()
    outbox, receiver = Outbox(Channel(ours)), Channel(theirs)
    for n in range(2000):
        outbox.event("a" if n % 2 else "b", {"type": "log", "n": n})
    outbox.message({"op": "done", "key": "a"})
    outbox.event("b", {"type": "log", "n": 2000})
    outbox.close()
    messages = _messages(receiver)
    flat: list[Any] = []
    for message in messages:
        if message["op"] == "events":
            flat.extend((key, event["n"]) for key, event in message["items"])
        else:
            flat.append(message["op"])
    expected = [("a" if n % 2 else "b", n) for n in range(2000)] + ["done", ("b", 2000)]
    assert flat == expected
    assert len(messages) < 100  # the burst went as a few messages, not 2002
    assert all(len(m.get("items", ())) <= Outbox.BATCH for m in messages)


def test_a_lone_event_goes_at_once() -> None:
    ours, theirs = Pipe()
    outbox, receiver = Outbox(Channel(ours)), Channel(theirs)
    outbox.event("a", {"type": "job_started"})
    assert receiver.conn.poll(2.0)  # no waiting for company
    assert receiver.receive() == {"op": "events", "items": [["a", {"type": "job_started"}]]}
    outbox.close()


def test_closing_after_the_other_end_went_away_does_not_hang() -> None:
    ours, theirs = Pipe()
    outbox = Outbox(Channel(ours))
    theirs.close()
    outbox.event("a", {"type": "log"})
    outbox.close()  # the send fails quietly; the thread still ends


def test_lines_read_together_cross_the_pipe_as_they_were() -> None:
    ours, theirs = Pipe()
    outbox, receiver = Outbox(Channel(ours)), Channel(theirs)
    sent = [LogLines("a", 0, tuple(f"line {n} ü\n?" for n in range(5000)), 1.5),
            LogLine("a", 0, "alone", 1.6)]
    for event in sent:
        outbox.event("a", event.to_json())
    outbox.close()
    got = [event_from_json(item[1]) for message in _messages(receiver)
           for item in message["items"]]
    assert got == sent
