"""What the manager shows: a live Rich table in a terminal (workflows, state, attempts,
repairs, success rate, durations, updating as jobs move), plain lines otherwise."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from qmoi import events as ev
from qmoi.manager.stats import StatsLine


@dataclass(slots=True)
class Row:
    """One workflow's line in the manager's table, updated as events arrive."""

    state: str = "pending"
    attempt: int = 0
    failure: str = ""
    repairs: list[str] = field(default_factory=list)
    duration: float | None = None
    jobs_done: int = 0
    jobs: int = 0


class PlainView:
    """One line per state change and per finished job, for pipes, files and CI logs."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.rows: dict[str, Row] = {}
        self.lines: list[StatsLine] = []
        self._jobs: dict[str, tuple[str, str]] = {}  # job key → (workflow, job name)
        self._lock = threading.Lock()

    def note(self, text: str) -> None:
        self._print(text)

    def workflow(self, path: str, state: str, attempt: int | None = None,
                 detail: str = "") -> None:
        with self._lock:
            row = self.rows.setdefault(path, Row())
            row.state = state
            if attempt is not None:
                row.attempt = attempt
            if state == "running":
                row.jobs = row.jobs_done = 0
        self._print(f"[{path}] {state}" + (f" (attempt {attempt})" if attempt else "")
                    + (f": {detail}" if detail else ""))

    def attempt_done(self, line: StatsLine) -> None:
        with self._lock:
            self.lines.append(line)
            row = self.rows.setdefault(line.workflow, Row())
            row.duration = line.duration_s
            row.failure = line.failure_class or row.failure  # the last failure stays shown
            if line.repair:
                row.repairs.append(line.repair)

    def run_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.JobQueued):
            with self._lock:
                self._jobs[event.key] = (event.workflow, event.name)
                self.rows.setdefault(event.workflow, Row()).jobs += 1
        elif isinstance(event, ev.JobFinished):
            with self._lock:
                workflow, name = self._jobs.get(event.key, ("?", event.key))
                self.rows.setdefault(workflow, Row()).jobs_done += 1
            self._job_line(workflow, name, event)

    def _job_line(self, workflow: str, name: str, event: ev.JobFinished) -> None:
        extra = f" — {event.message}" if event.message else ""
        self._print(f"[{workflow}]   job {name}: {event.result}{extra}")

    def summary(self) -> str:
        passed = sum(1 for line in self.lines if line.result == "success")
        total = len(self.lines)
        rate = f"{100 * passed / total:.0f}%" if total else "n/a"
        return f"{total} attempt(s), {passed} passed, success rate {rate}"

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


_STYLE = {"success": "green", "flaky": "yellow", "failure": "red", "invalid": "red",
          "gave up": "red", "running": "cyan", "repairing": "magenta", "waiting": "yellow"}


class RichView(PlainView):
    """A live table under the scrolling notes; job lines stay out of the scroll."""

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live

        super().__init__(out)
        self.started = time.time()
        self.console = Console(file=out, highlight=False)
        self.live = Live(self._table(), console=self.console, refresh_per_second=4,
                         get_renderable=self._table)
        self.live.start()

    def _print(self, text: str) -> None:
        self.live.console.print(text, markup=False)

    def _job_line(self, workflow: str, name: str, event: ev.JobFinished) -> None:
        if event.result != "success":
            super()._job_line(workflow, name, event)

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title="QMOI manager", caption=self._caption(), expand=False)
        for column in ("workflow", "state", "attempt", "jobs", "failure", "repairs",
                       "duration"):
            table.add_column(column)
        with self._lock:
            rows = list(self.rows.items())
        for path, row in rows:
            took = "" if row.duration is None else f"{row.duration:.1f}s"
            jobs = f"{row.jobs_done}/{row.jobs}" if row.jobs else ""
            state = f"[{_STYLE.get(row.state, 'white')}]{row.state}[/]"
            table.add_row(path.removeprefix(".github/workflows/"), state,
                          str(row.attempt or ""), jobs, row.failure,
                          ", ".join(row.repairs), took)
        return table

    def _caption(self) -> str:
        return f"{self.summary()} · {time.time() - self.started:.0f}s"

    def close(self) -> None:
        self.live.stop()
