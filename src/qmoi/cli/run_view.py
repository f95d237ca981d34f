"""``qmoi run``'s live views: prefixed lines for pipes and files, a live job table on a
terminal (Rich, imported only when a terminal shows it)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from qmoi.events import Event
    from qmoi.plan import Plan

_MARK = {"success": "✓", "failure": "✗", "cancelled": "⊘", "skipped": "–"}
_LEVEL = {"error": "Error", "warning": "Warning", "notice": "Notice"}


class PlainView:
    """Prefixed lines, for pipes and files (and stderr under --json)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.names: dict[str, str] = {}
        self.started: dict[str, float] = {}
        self.gone = False  # the output's reader went away: the run goes on unseen

    def __call__(self, event: Event) -> None:
        line = self.render(event)
        if line is not None and not self.gone:
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except BrokenPipeError:
                # `qmoi run | head -3`: the view is a window on the run, not the run.
                # The jobs go on to their end and the run is saved as always (stopping
                # here would leave steps half done and the record without a result).
                from qmoi.cli.guard import silence

                self.gone = True
                silence(self.out)

    def render(self, event: Event) -> str | None:
        from qmoi import events as ev

        if isinstance(event, ev.JobQueued):
            self.names[event.key] = event.name
            return None
        name = self.names.get(getattr(event, "key", ""), "")
        if isinstance(event, ev.JobStarted):
            self.started[event.key] = event.at
            return f"[{name}] started"
        if isinstance(event, ev.StepStarted):
            return f"[{name}] > {event.name}"
        if isinstance(event, ev.LogLines):
            # one write for the lines of one read of the step's output (a write and a
            # flush per line cost more than the rest of the run, printing 10^5 lines)
            prefix = f"[{name}]   | "
            return prefix + ("\n" + prefix).join(event.texts) if event.texts else None
        if isinstance(event, ev.LogLine):
            return self._log(name, event)
        if isinstance(event, ev.Annotation):
            return f"[{name}]   {_LEVEL.get(event.level, event.level)}: {event.message}"
        if isinstance(event, ev.StepFinished) and event.outcome == "skipped":
            return None
        if isinstance(event, ev.StepFinished):
            note = "" if event.outcome == event.conclusion else f" (outcome {event.outcome})"
            return f"[{name}]   {_MARK.get(event.conclusion, '?')} {event.conclusion}{note}"
        if isinstance(event, ev.JobFinished):
            took = event.at - self.started.get(event.key, event.at)
            extra = f" — {event.message}" if event.message else ""
            return f"[{name}] {_MARK.get(event.result, '?')} job {event.result} " \
                   f"in {took:.1f}s{extra}"
        return None

    def _log(self, name: str, event: Any) -> str | None:
        if event.style == "debug":
            return None
        if event.style == "group":
            return f"[{name}]   ▸ {event.text}"
        if event.style == "endgroup":
            return None
        return f"[{name}]   | {event.text}"

    def close(self) -> None:
        self.out.flush()


class RichView(PlainView):
    """A live line per job (state and duration) under the scrolling, prefixed log; group
    contents are folded into their title line."""

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live

        super().__init__(out)
        self.console = Console(file=out, highlight=False)
        self.state: dict[str, str] = {}
        self.done: dict[str, float] = {}
        self.in_group: dict[str, list[str]] = {}
        self.live = Live(self._table(), console=self.console, refresh_per_second=8,
                         transient=True)
        self.live.start()

    def __call__(self, event: Event) -> None:
        from qmoi import events as ev

        key = getattr(event, "key", "")
        if isinstance(event, ev.JobQueued):
            self.state[key] = "queued"
        elif isinstance(event, ev.JobStarted):
            self.state[key] = "running"
        elif isinstance(event, ev.JobFinished):
            self.state[key], self.done[key] = event.result, event.at
        if isinstance(event, ev.LogLines) and key in self.in_group:
            self.in_group[key].extend(event.texts)
            return
        if isinstance(event, ev.LogLine) and self._folded(key, event):
            return
        line = self.render(event)
        if line is not None:
            if isinstance(event, ev.LogLines):
                _print_lines(self.live.console, line)
            else:
                self.live.console.print(line, style=self._style(event), markup=False)
        self.live.update(self._table())

    def _folded(self, key: str, event: Any) -> bool:
        if event.style == "group":
            self.in_group[key] = [event.text]
            return True
        if event.style == "endgroup" and key in self.in_group:
            lines = self.in_group.pop(key)
            name = self.names.get(key, key)
            self.live.console.print(f"[{name}]   ▸ {lines[0]} ({len(lines) - 1} lines folded)",
                                    style="dim", markup=False)
            return True
        if key in self.in_group and event.style != "debug":
            self.in_group[key].append(event.text)
            return True
        return False

    def _style(self, event: Event) -> str | None:
        from qmoi import events as ev

        if isinstance(event, ev.Annotation):
            return {"error": "bold red", "warning": "yellow"}.get(event.level, "cyan")
        if isinstance(event, ev.JobFinished):
            return "green" if event.result == "success" else "red"
        return None

    def _table(self) -> Any:
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        now = time.time()
        for key, state in self.state.items():
            start = self.started.get(key)
            end = self.done.get(key, now)
            took = f"{end - start:.1f}s" if start is not None else ""
            table.add_row(_MARK.get(state, "…"), self.names.get(key, key), state, took)
        return table

    def close(self) -> None:
        self.live.stop()
        self.console.print(self._table())


def _print_lines(console: Any, text: str) -> None:
    """``console.print(text, markup=False)`` for unstyled lines, without Rich's word
    wrapping when no line needs it (most of the time of printing a line): ASCII without
    tabs takes at most one cell per character, so a line no longer than the console is
    wide is printed as it is either way."""
    if text.isascii() and "\t" not in text and \
            max(map(len, text.split("\n"))) <= console.width:
        console.print(text, markup=False, no_wrap=True, overflow="ignore", crop=False)
    else:
        console.print(text, markup=False)


def _view(out: TextIO, plan: Plan) -> PlainView:
    if out.isatty() and plan.job_count:
        return RichView(out)
    return PlainView(out)
