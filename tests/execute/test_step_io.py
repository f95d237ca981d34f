"""A step's output read in pieces: the plain lines of one read travel as one event, and a
workflow command among them splits them — its effects (masks, groups, annotations,
``stop-commands``) land between the lines before and after it, exactly as when every line
is handled on its own."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.events import Annotation, Event, LogLine, LogLines
from qmoi.execute.command_processor import _PAUSED
from qmoi.execute.job_state import JobState
from qmoi.execute.jobdirs import FILE_COMMANDS
from qmoi.execute.process import Grace
from qmoi.execute.step_io import StepIO
from qmoi.execute.workspace import JobFolders
from qmoi.model import Job, build_workflow
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping
from qmoi.runners.base import CancelToken
from qmoi.schedule.protocol import JobRequest
from qmoi.source import SourceFile

_WORKFLOW = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"


def _job_state(folder: Path, events: list[Event]) -> JobState:
    source = SourceFile("ci.yml", _WORKFLOW)
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    workflow = build_workflow(root, source)
    job = workflow.job("j")
    assert isinstance(job, Job)
    request = JobRequest(run_id="1", key="j", workflow_path="ci.yml", workflow_display="ci.yml",
                         job_id="j", name="j", root=str(folder), run_dir=str(folder),
                         github={"repository": "o/r"})
    folders = JobFolders(root=folder, workspace=folder / "w", temp=folder / "t",
                         tool_cache=folder / "c", repository=folder / "r")
    (folders.temp / FILE_COMMANDS).mkdir(parents=True, exist_ok=True)
    return JobState(request, workflow, job, folders, events.append, CancelToken(), Grace())


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="qmoi-step-io-") as made:
        yield Path(made)


def _feed(folder: Path, chunks: list[list[str]]) -> list[Event]:
    events: list[Event] = []
    io = StepIO(_job_state(folder, events), 0, {})
    for chunk in chunks:
        io.on_lines(chunk)
    return events


def _flat(events: list[Event]) -> list[tuple[Any, ...]]:
    """What the events say, one entry per line or annotation (times left out)."""
    flat: list[tuple[Any, ...]] = []
    for event in events:
        if isinstance(event, LogLines):
            flat += [("out", text) for text in event.texts]
        elif isinstance(event, LogLine):
            flat.append((event.style, event.text))
        elif isinstance(event, Annotation):
            flat.append((event.level, event.message))
    return flat


def test_the_plain_lines_of_one_read_are_one_event(folder: Path) -> None:
    events = _feed(folder, [["a", "b", "", "c d"], ["e"]])
    assert [type(e) for e in events] == [LogLines, LogLine]
    first, second = events
    assert isinstance(first, LogLines) and isinstance(second, LogLine)
    assert first.texts == ("a", "b", "", "c d") and (first.key, first.index) == ("j", 0)
    assert (second.text, second.style) == ("e", "out")


def test_a_command_in_a_read_splits_it_in_order(folder: Path) -> None:
    events = _feed(folder, [["one", "two", "::warning file=x.py::careful", "three", "four",
                             "::group::Build", "in 1", "in 2", "::endgroup::", "after"]])
    assert [type(e).__name__ for e in events] == [
        "LogLines", "Annotation", "LogLines", "LogLine", "LogLines", "LogLine", "LogLine"]
    assert _flat(events) == [
        ("out", "one"), ("out", "two"), ("warning", "careful"), ("out", "three"),
        ("out", "four"), ("group", "Build"), ("out", "in 1"), ("out", "in 2"),
        ("endgroup", ""), ("out", "after")]


def test_add_mask_takes_effect_from_the_next_line_of_the_same_read(folder: Path) -> None:
    events = _feed(folder, [["token s3cr3t", "::add-mask::s3cr3t", "s3cr3t", "a s3cr3t b"],
                            ["s3cr3t again", "not secret"]])
    assert _flat(events) == [("out", "token s3cr3t"), ("out", "***"), ("out", "a *** b"),
                             ("out", "*** again"), ("out", "not secret")]


def test_stop_commands_turns_later_commands_of_the_read_into_output(folder: Path) -> None:
    events = _feed(folder, [["::stop-commands::pause", "::warning::not one",
                             "::add-mask::visible", "visible", "::pause::",
                             "::warning::one", "visible"]])
    assert _flat(events) == [
        ("command", "::stop-commands::pause"), ("debug", _PAUSED),
        ("out", "::warning::not one"), ("out", "::add-mask::visible"), ("out", "visible"),
        ("command", "::pause::"), ("debug", "Resume processing commands"),
        ("warning", "one"), ("out", "visible")]


def test_a_failing_command_in_a_read_fails_the_step(folder: Path) -> None:
    events: list[Event] = []
    io = StepIO(_job_state(folder, events), 0, {})
    io.on_lines(["before", "::set-env name=A::1", "after"])
    assert io.failed
    assert _flat(events)[0] == ("out", "before") and _flat(events)[-1] == ("out", "after")


_LINES = st.one_of(
    st.sampled_from(["", "plain", "s3cr3t here", "x::y", "##[notcommand", "::endgroup::",
                     "::group::G", "::add-mask::s3cr3t", "::add-mask::here",
                     "::warning::w", "::error file=a.py,line=3::e", "::stop-commands::tok123",
                     "::tok123::", "::debug::d", "::echo::on", "::set-output name=o::v",
                     "  ::warning::indented", "\u00a0::add-mask::here", "x ##[warning]legacy",
                     "##[group]L", "\t::endgroup::", "std::vector<int>::push_back"]),
    st.text(alphabet="ab:#[ \u00e9", max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_LINES, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=6))
def test_any_reads_say_what_the_lines_one_by_one_say(folder: Path, lines: list[str],
                                                     cuts: list[int]) -> None:
    bounds = sorted({0, len(lines), *(min(c, len(lines)) for c in cuts)})
    chunks = [lines[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    one_by_one = _feed(folder, [[line] for line in lines])
    assert all(not isinstance(e, LogLines) for e in one_by_one)
    assert _flat(_feed(folder, chunks)) == _flat(one_by_one)
