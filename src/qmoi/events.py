"""The typed event stream of a run: what every runner produces and every view or store reads.

Only the standard library is used, so a runner in another process or on another machine can
build, send and read these events (``to_json`` / ``event_from_json``). Times are seconds since
the epoch (``time.time()``); every text has been masked by the runner before it is sent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

JSONDict = dict[str, Any]
Result = str
"""``success`` / ``failure`` / ``cancelled`` / ``skipped`` (GitHub's job and step results)."""


@dataclass(frozen=True, slots=True)
class _Event:
    """The base of every event; ``kind`` is the ``type`` its JSON form carries."""

    kind: ClassVar[str] = ""

    def to_json(self) -> JSONDict:
        names = _FIELDS.get(type(self))
        if names is None:  # once per class: dataclasses.fields builds a tuple per call
            names = _FIELDS[type(self)] = tuple(f.name for f in dataclasses.fields(self))
        data: JSONDict = {"type": self.kind}
        for name in names:
            data[name] = _plain(getattr(self, name))
        return data


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class RunStarted(_Event):
    """A run began; ``run_id`` names it in the store and under ``.qmoi/runs/``."""

    kind: ClassVar[str] = "run_started"
    run_id: str
    at: float


@dataclass(frozen=True, slots=True)
class JobQueued(_Event):
    """A job (one matrix leg) entered the queue; ``key`` names it for the rest of the run."""

    kind: ClassVar[str] = "job_queued"
    key: str
    job_id: str
    name: str
    workflow: str
    matrix: JSONDict
    at: float


@dataclass(frozen=True, slots=True)
class JobStarted(_Event):
    """``attempt`` counts from 1 (a runner that lost the job's worker starts it again, and
    says so with ``JobAttemptLost`` first); ``runner`` names the worker when known."""

    kind: ClassVar[str] = "job_started"
    key: str
    at: float
    attempt: int = 1
    runner: str | None = None


@dataclass(frozen=True, slots=True)
class StepStarted(_Event):
    """``index`` counts the job's step parts in the order they run (posts included)."""

    kind: ClassVar[str] = "step_started"
    key: str
    index: int
    step_id: str
    name: str
    at: float


@dataclass(frozen=True, slots=True)
class LogLine(_Event):
    """One line of a step's log. ``group`` / ``endgroup`` lines open and close a fold
    (``text`` is the group title); ``debug`` lines show only with debug logging."""

    kind: ClassVar[str] = "log"
    key: str
    index: int
    text: str
    at: float
    style: str = "out"  # out | group | endgroup | debug | command | error


@dataclass(frozen=True, slots=True)
class LogLines(_Event):
    """Several plain (``out``) lines of a step's log, in order, read from its output at
    ``at``: what one ``LogLine`` per line would say, in one event. A step printing 10^5
    lines made as many events, each paid for by the queue, the wire, the recorder and the
    view; a read of its output now makes one (a workflow command among the lines ends the
    run of lines before it: the command's effects come between)."""

    kind: ClassVar[str] = "logs"
    key: str
    index: int
    texts: tuple[str, ...]
    at: float

    def to_json(self) -> JSONDict:
        return {"type": self.kind, "key": self.key, "index": self.index,
                "texts": list(self.texts), "at": self.at}


@dataclass(frozen=True, slots=True)
class Annotation(_Event):
    """An error, warning or notice a step wrote with a workflow command, placed in a file when it
    said where."""

    kind: ClassVar[str] = "annotation"
    key: str
    index: int
    level: str  # error | warning | notice
    message: str
    at: float
    file: str | None = None
    line: int | None = None
    col: int | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class StepFinished(_Event):
    """``outcome`` is the result before ``continue-on-error``, ``conclusion`` after it."""

    kind: ClassVar[str] = "step_finished"
    key: str
    index: int
    step_id: str
    outcome: Result
    conclusion: Result
    outputs: dict[str, str]
    at: float
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class JobFinished(_Event):
    """A job (one matrix leg) ended with ``result`` and its outputs; ``attempt`` counts from 1."""

    kind: ClassVar[str] = "job_finished"
    key: str
    result: Result
    outputs: dict[str, str]
    at: float
    message: str | None = None
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class JobAttemptLost(_Event):
    """The runner running attempt ``attempt`` of job ``key`` died or hung (``reason``); the
    events of that attempt stay as they were, and ``retry`` tells whether a new attempt
    follows (with its own ``JobStarted``) or the job ends failed."""

    kind: ClassVar[str] = "job_attempt_lost"
    key: str
    attempt: int
    reason: str
    retry: bool
    at: float


@dataclass(frozen=True, slots=True)
class JobDiverged(_Event):
    """A job run redundantly on two runners ended differently (a flakiness signal):
    ``results`` and ``outputs`` are the primary's and then the second run's."""

    kind: ClassVar[str] = "job_diverged"
    key: str
    results: tuple[Result, ...]
    outputs: tuple[dict[str, str], ...]
    at: float


@dataclass(frozen=True, slots=True)
class RunFinished(_Event):
    """The run ended with ``result``; no event of it follows."""

    kind: ClassVar[str] = "run_finished"
    run_id: str
    result: Result
    at: float


Event = (
    RunStarted | JobQueued | JobStarted | StepStarted | LogLine | LogLines | Annotation
    | StepFinished | JobFinished | RunFinished | JobAttemptLost | JobDiverged
)
_TYPES: dict[str, type[_Event]] = {
    cls.kind: cls
    for cls in (RunStarted, JobQueued, JobStarted, StepStarted, LogLine, LogLines, Annotation,
                StepFinished, JobFinished, RunFinished, JobAttemptLost, JobDiverged)
}
# Each type's field names, for reading events (a pool's coordinator reads every event its
# workers send; dataclasses.fields builds a tuple per call)
_NAMES: dict[str, frozenset[str]] = {
    kind: frozenset(f.name for f in dataclasses.fields(cls)) for kind, cls in _TYPES.items()}


# JSON arrays that are tuples in the events
_TUPLES = frozenset({"results", "outputs", "texts"})


def event_from_json(data: JSONDict) -> Event:
    """The event ``to_json`` produced (unknown keys are ignored; a bad type raises
    ``ValueError``)."""
    kind = str(data.get("type"))
    cls = _TYPES.get(kind)
    if cls is None:
        raise ValueError(f"unknown event type {data.get('type')!r}")
    names = _NAMES[kind]
    values = {k: tuple(v) if isinstance(v, list) and k in _TUPLES else v
              for k, v in data.items() if k in names}
    event = cls(**values)
    return event  # type: ignore[return-value]
