"""Saving a run under ``.qmoi/runs/<run_id>/`` from its events: ``plan.json``,
``events.jsonl`` (every event), ``logs/<job>/<n>.log`` (one file per step part, named by
index, never by user text), ``summaries/<job>/<n>.md`` and ``result.json``.

Everything written has already been masked by the runner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from qmoi.events import Annotation, Event, LogLine, StepFinished, StepStarted

_PREFIX = {"group": "##[group]", "endgroup": "##[endgroup]", "debug": "##[debug]",
           "command": "", "error": "##[error]", "out": ""}


class RunRecorder:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self._events: IO[str] = (run_dir / "events.jsonl").open("w", encoding="utf-8")
        self._logs: dict[tuple[str, int], IO[str]] = {}
        self._folders: set[str] = set()  # logs/<key> made already: no mkdir per step

    def write_json(self, name: str, data: Any) -> None:
        # A run record is a log, not state: no fsync (it would cost more than a step).
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (self.run_dir / name).write_text(text, encoding="utf-8")

    def add(self, event: Event) -> None:
        self._events.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        if isinstance(event, StepStarted):
            self._open(event.key, event.index).write(f"##[step]{event.name}\n")
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

    def _open(self, key: str, index: int) -> IO[str]:
        handle = self._logs.get((key, index))
        if handle is None:
            folder = self.run_dir / "logs" / key
            if key not in self._folders:
                folder.mkdir(parents=True, exist_ok=True)
                self._folders.add(key)
            name = "job.log" if index < 0 else f"{index + 1:03d}.log"
            handle = self._logs[(key, index)] = (folder / name).open("a", encoding="utf-8")
        return handle

    def _log(self, key: str, index: int, text: str) -> None:
        self._open(key, index).write(text + "\n")

    def _close(self, key: str, index: int) -> None:
        handle = self._logs.pop((key, index), None)
        if handle is not None:
            handle.close()

    def close(self, result: dict[str, Any] | None = None) -> None:
        for handle in self._logs.values():
            handle.close()
        self._logs.clear()
        self._events.close()
        if result is not None:
            self.write_json("result.json", result)
