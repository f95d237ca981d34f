"""Saving a run under ``.qmoi/runs/<run_id>/`` from its events: ``plan.json``,
``events.jsonl`` (every event), ``logs/<job>/<n>.log`` (one file per step part, named by
index, never by user text), ``summaries/<job>/<n>.md`` and ``result.json``.

Everything written has already been masked by the runner.
"""

from __future__ import annotations

import json
import os
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

from qmoi.events import Annotation, Event, LogLine, LogLines, StepFinished, StepStarted

_PREFIX = {"group": "##[group]", "endgroup": "##[endgroup]", "debug": "##[debug]",
           "command": "", "error": "##[error]", "out": ""}


# A step part's lines are written in pieces of this size and when it ends, as a text
# file object would, through a plain descriptor: the file object's open alone made five
# system calls (open, fstat, ioctl, two lseeks), once per step.
_CHUNK = 8192
# json.dumps with any option builds a new encoder per call; one encoder, the same text
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_APPEND = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC


class _PartLog:
    """One step part's log file (made when the part starts) and its lines not yet written."""

    __slots__ = ("fd", "pending", "size")

    def __init__(self, path: str) -> None:
        self.pending: list[str] = []
        self.size = 0
        self.fd: int | None = os.open(path, _APPEND, 0o666)

    def add(self, line: str) -> None:
        self.pending.append(line)
        self.size += len(line)
        if self.size >= _CHUNK:
            self.flush()

    def add_lines(self, lines: tuple[str, ...]) -> None:
        if lines:
            self.add("\n".join(lines) + "\n")

    def flush(self) -> None:
        if not self.pending:
            return
        data = "".join(self.pending).encode("utf-8", "replace")
        self.pending, self.size = [], 0
        assert self.fd is not None, "a closed part log is never written"
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


class RunRecorder:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self._events: IO[str] = (run_dir / "events.jsonl").open("w", encoding="utf-8")
        self._logs: dict[tuple[str, int], _PartLog] = {}
        self._folders: dict[str, str] = {}  # logs/<key> made already: no mkdir per step

    def write_json(self, name: str, data: Any) -> None:
        # A run record is a log, not state: no fsync (it would cost more than a step).
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (self.run_dir / name).write_text(text, encoding="utf-8")

    def add(self, event: Event) -> None:
        if isinstance(event, LogLines):
            self._events.write(_log_records(event))
            self._part(event.key, event.index).add_lines(event.texts)
            return
        self._events.write(_ENCODE(event.to_json()) + "\n")
        if isinstance(event, StepStarted):
            self._log(event.key, event.index, f"##[step]{event.name}")
        elif isinstance(event, LogLine):
            self._log(event.key, event.index, _PREFIX.get(event.style, "") + event.text)
        elif isinstance(event, Annotation):
            where = f" file={event.file},line={event.line}" if event.file else ""
            self._log(event.key, event.index, f"##[{event.level}{where}]{event.message}")
        elif isinstance(event, StepFinished):
            self._close(event.key, event.index)
            if event.summary:
                folder = self.run_dir / "summaries" / event.key
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{event.index + 1:03d}.md").write_text(event.summary,
                                                                  encoding="utf-8")

    def _part(self, key: str, index: int) -> _PartLog:
        part = self._logs.get((key, index))
        if part is None:
            folder = self._folders.get(key)
            if folder is None:
                made = self.run_dir / "logs" / key
                made.mkdir(parents=True, exist_ok=True)
                folder = self._folders[key] = str(made)
            name = "job.log" if index < 0 else f"{index + 1:03d}.log"
            part = self._logs[(key, index)] = _PartLog(os.path.join(folder, name))
        return part

    def _log(self, key: str, index: int, text: str) -> None:
        self._part(key, index).add(text + "\n")

    def _close(self, key: str, index: int) -> None:
        part = self._logs.pop((key, index), None)
        if part is not None:
            part.close()

    def close(self, result: dict[str, Any] | None = None) -> None:
        try:
            for part in self._logs.values():
                part.close()
        finally:
            self._logs.clear()
            self._events.close()
        if result is not None:
            self.write_json("result.json", result)


def _log_records(event: LogLines) -> str:
    """The ``events.jsonl`` lines of ``event``: one ``log`` record per line, the text its
    ``LogLine`` would have (the record stays one event per line of the log). Only the texts
    differ between them, so the rest is encoded once and the texts joined in C."""
    if not event.texts:
        return ""
    first = LogLine(event.key, event.index, "", event.at).to_json()
    head = _ENCODE({k: first[k] for k in ("type", "key", "index")})[:-1] + ', "text": '
    tail = ", " + _ENCODE({k: first[k] for k in ("at", "style")})[1:] + "\n"
    return head + (tail + head).join(map(encode_basestring, event.texts)) + tail
