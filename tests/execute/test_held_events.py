"""Step boundaries held back while a run step's process is prepared: the order of the
events and their times are those of events sent at once."""

from __future__ import annotations

from pathlib import Path

from qmoi.events import (
    Annotation,
    Event,
    JobFinished,
    JobStarted,
    LogLine,
    StepFinished,
    StepStarted,
)
from qmoi.execute.step_io import HeldEvents
from run_helpers import make_repo, run_repo


def test_held_events_go_out_before_the_next_event_in_order() -> None:
    sent: list[Event] = []
    held = HeldEvents(sent.append)
    first = StepFinished("k", 0, "", "success", "success", {}, 1.0)
    second = StepStarted("k", 1, "", "two", 2.0)
    held.hold(first)
    held.hold(second)
    assert sent == []
    line = LogLine("k", 1, "out", 3.0)
    held(line)
    assert sent == [first, second, line]
    held.flush()
    assert sent == [first, second, line]


def test_flush_sends_what_is_held_once() -> None:
    sent: list[Event] = []
    held = HeldEvents(sent.append)
    event = StepStarted("k", 0, "", "one", 1.0)
    held.hold(event)
    held.flush()
    held.flush()
    assert sent == [event]


def _step_events(events: list[Event]) -> list[tuple[str, int]]:
    kinds = {StepStarted: "start", StepFinished: "end", LogLine: "log", Annotation: "note"}
    return [(kinds[type(e)], e.index) for e in events if type(e) in kinds]  # type: ignore[attr-defined]


def test_a_job_sends_every_step_event_in_order_before_its_end(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: echo one
              - name: with ${{ github.event_name }}
                run: echo two
              - run: exit 3
              - run: echo skipped
              - if: always()
                run: echo three
              - run: echo four
                working-directory: missing
                if: always()
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    assert any(isinstance(e, JobStarted) for e in out.events)
    job_end = max(i for i, e in enumerate(out.events) if isinstance(e, JobFinished))
    assert all(i < job_end for i, e in enumerate(out.events)
               if isinstance(e, (StepStarted, StepFinished)))
    assert _step_events(out.events) == [
        ("start", 0), ("log", 0), ("end", 0),
        ("start", 1), ("log", 1), ("end", 1),
        ("start", 2), ("note", 2), ("end", 2),
        ("start", 3), ("end", 3),
        ("start", 4), ("log", 4), ("end", 4),
        ("start", 5), ("note", 5), ("end", 5),
    ]
    times = [e.at for e in out.events if isinstance(e, (StepStarted, StepFinished))]
    assert times == sorted(times)
    names = [e.name for e in out.events if isinstance(e, StepStarted)]
    assert names[1] == "with push"
