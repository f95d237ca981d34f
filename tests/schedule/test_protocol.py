"""The runner seam carries only plain data: requests and events survive JSON."""

from __future__ import annotations

import json

import pytest

from qmoi.events import (
    Annotation,
    JobFinished,
    JobQueued,
    LogLine,
    RunFinished,
    StepFinished,
    event_from_json,
)
from qmoi.runners import default_capacity
from qmoi.schedule import JobRequest


@pytest.mark.parametrize("event", [
    JobQueued("b-1", "b", "b (1)", "ci.yml", {"v": 1}, 1.5),
    LogLine("b-1", 0, "hello", 2.0, "group"),
    Annotation("b-1", 0, "error", "boom", 2.5, file="a.py", line=3),
    StepFinished("b-1", 0, "s", "failure", "success", {"x": "1"}, 3.0, "# sum"),
    JobFinished("b-1", "success", {"o": "v"}, 4.0),
    RunFinished("7", "success", 5.0),
])
def test_events_round_trip_through_json(event: object) -> None:
    data = json.loads(json.dumps(event.to_json()))  # type: ignore[attr-defined]
    assert event_from_json(data) == event


def test_unknown_event_type_is_rejected() -> None:
    with pytest.raises(ValueError):
        event_from_json({"type": "nope"})


def test_job_request_round_trips() -> None:
    request = JobRequest("1", "k", "/r/ci.yml", "ci.yml", "j", "J", "/r", "/r/.qmoi/runs/1",
                         {"sha": "abc"}, {"v": 1}, {"job-index": 0}, secrets={"S": "x"})
    assert JobRequest.from_json(json.loads(json.dumps(request.to_json()))) == request


def test_default_capacity_follows_the_cpu_count() -> None:
    assert default_capacity(1) == 4 and default_capacity(2) == 8 and default_capacity(64) == 64
