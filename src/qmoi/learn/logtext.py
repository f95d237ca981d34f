"""Log lines as a reader sees them: ANSI colours, timestamps, carriage-return overwrites and
CI fold/group markers removed for matching, while each line keeps its original number.

Handles GitHub job logs (``2024-01-01T00:00:00.0000000Z `` prefixes, ``##[group]``/``##[error]``
markers or their ``::group::`` workflow-command forms), QMOI's own step logs (the same markers)
and Travis logs (``travis_fold:``/``travis_time:`` markers, ``$ command`` echoes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# CSI sequences (colours, erase-line), OSC sequences (titles, hyperlinks), charset selection.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]"
                   r"|\x1b[=>78]")
# GitHub prefixes every line of a downloaded job log with an ISO 8601 UTC timestamp.
_TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?")
_TRAVIS_MARKER = re.compile(r"^(?:travis_(?:fold|time):[a-z]+:\S*\s*)+")
_GITHUB_MARKER = re.compile(r"^##\[([a-z-]+)\]")
_WORKFLOW_COMMAND = re.compile(r"^::([a-z-]+)(?: [^:]*)?::")


class Marker(StrEnum):
    """What a CI marker at the start of a line says about it."""

    NONE = ""
    GROUP = "group"          # a step or fold starts (GitHub ``##[group]``, Travis fold start)
    ENDGROUP = "endgroup"
    ERROR = "error"          # ``##[error]``/``::error::``: the runner or a tool flagged it
    WARNING = "warning"
    COMMAND = "command"      # the runner echoes the command it is about to run
    DEBUG = "debug"


_MARKERS = {"group": Marker.GROUP, "endgroup": Marker.ENDGROUP, "error": Marker.ERROR,
            "warning": Marker.WARNING, "notice": Marker.WARNING, "command": Marker.COMMAND,
            "debug": Marker.DEBUG}


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a log: ``number`` is 1-based in the original file; ``shown`` is what a
    terminal would display (markers kept), ``text`` the same without markers, for matching."""

    number: int
    shown: str
    text: str
    marker: Marker


def split_lines(log: str) -> list[str]:
    """Physical lines: only ``\\n`` ends a line (a bare ``\\r`` overwrites, as in a terminal)."""
    lines = log.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def terminal_view(raw: str) -> str:
    """What a terminal leaves visible: the last non-empty carriage-return segment, no ANSI,
    without Travis fold/timing markers (they precede the real text after ``\\r``)."""
    shown = ""
    for segment in raw.split("\r"):
        segment = _TRAVIS_MARKER.sub("", _ANSI.sub("", segment))
        if segment.strip():
            shown = segment
    return shown.replace("\x1b", "").rstrip()


def read_line(number: int, raw: str) -> LogLine:
    shown = terminal_view(_TIMESTAMP.sub("", raw))
    marker, text = Marker.NONE, shown
    found = _GITHUB_MARKER.match(shown) or _WORKFLOW_COMMAND.match(shown)
    if found and found.group(1) in _MARKERS:
        marker, text = _MARKERS[found.group(1)], shown[found.end():]
    elif shown.startswith("$ "):
        marker = Marker.COMMAND
    elif raw.lstrip("\r").startswith("travis_fold:start:"):
        marker = Marker.GROUP
    return LogLine(number, shown, text.strip(), marker)


def read_log(log: str) -> list[LogLine]:
    """Every physical line of ``log`` as a ``LogLine`` (numbers start at 1)."""
    return [read_line(index, raw) for index, raw in enumerate(split_lines(log), start=1)]
