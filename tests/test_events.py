"""Events as data: every type survives its JSON form (what a pool worker or a Ray node
sends), ``LogLines`` included, and unknown keys are ignored."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qmoi.events import (
    JobAttemptLost,
    JobDiverged,
    JobStarted,
    LogLines,
    RunStarted,
    StepStarted,
    event_from_json,
)


@pytest.mark.parametrize("event", [
    RunStarted("7", 1.0),
    JobStarted("k", 1.5, 2, "w3"),
    StepStarted("k", 1, "id", "Run x", 1.6),
    LogLines("k", 1, ("a", "", "ü \u2028 \"q\"", "::not-a-command::"), 2.0),
    JobAttemptLost("k", 1, "killed by SIGKILL", True, 2.5),
    JobDiverged("k", ("success", "failure"), ({"o": "1"}, {}), 3.0),
])
def test_events_round_trip_through_json(event: object) -> None:
    data = json.loads(json.dumps(event.to_json()))  # type: ignore[attr-defined]
    assert event_from_json(data) == event


def test_log_lines_keep_their_texts_as_a_tuple_and_carry_no_style() -> None:
    event = LogLines("k", 0, ("one", "two"), 1.0)
    data = event.to_json()
    assert data == {"type": "logs", "key": "k", "index": 0, "texts": ["one", "two"], "at": 1.0}
    back = event_from_json({**data, "extra": "ignored"})
    assert isinstance(back, LogLines) and back.texts == ("one", "two")
    assert [f.name for f in dataclasses.fields(LogLines)] == ["key", "index", "texts", "at"]
