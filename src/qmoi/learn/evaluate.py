"""Measure a failure-line extractor against a labelled log corpus (LogChunks layout).

The corpus folder holds ``labels.jsonl`` (one record per log: ``log_path``, ``repo``, ``chunk`` —
the exact part of the log that explains the failure) and the logs. For each log we locate the
chunk's lines, run the extractor, and score: *hit* (at least one picked line is in the chunk),
line *precision* (picked lines in the chunk / picked lines) and *recall* (chunk lines picked /
non-blank chunk lines). Two baselines show what "just read the tail" gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qmoi.learn.extract import ERROR_WORDS, extract_lines
from qmoi.learn.logtext import LogLine, read_log, terminal_view

Picker = Callable[[Sequence[LogLine]], list[int]]
"""An extractor under test: the lines of a log → the line numbers it picks."""

# Labels were cut from a rendering that sometimes dropped the ESC of a colour code.
_BARE_COLOUR = re.compile(r"\[[0-9;]*m")


@dataclass(frozen=True, slots=True)
class Labelled:
    """One corpus log and the numbers of its labelled (non-blank) chunk lines."""

    path: Path
    repo: str
    chunk: frozenset[int]


@dataclass(frozen=True, slots=True)
class Score:
    """How the lines picked from one log compare with its labelled chunk."""

    hit: bool
    precision: float
    recall: float


@dataclass(frozen=True, slots=True)
class Summary:
    """Means over the logs (precision of a log that picks nothing counts as 0)."""

    logs: int
    hit_rate: float
    precision: float
    recall: float


def _same(text: str) -> str:
    return _BARE_COLOUR.sub("", text).strip()


def locate_chunk(lines: Sequence[LogLine], chunk: str) -> frozenset[int]:
    """Numbers of the non-blank log lines that the labelled ``chunk`` covers, or empty when
    the chunk cannot be found. The chunk's first line is verbatim in the log; its later lines
    follow in order, blank lines aside."""
    wanted = [_same(terminal_view(part)) for part in chunk.split("\n")]
    wanted = [part for part in wanted if part]
    content = [(line.number, _same(line.shown)) for line in lines if _same(line.shown)]
    if not wanted:
        return frozenset()
    starts = [i for i, (_, text) in enumerate(content) if wanted[0] in text]
    for start in starts:
        window = content[start:start + len(wanted)]
        if len(window) == len(wanted) and all(
                want in text for want, (_, text) in zip(wanted, window, strict=True)):
            return frozenset(number for number, _ in window)
    if starts:
        # Later lines differ (a label cut mid-line): keep the chunk's extent from its start.
        return frozenset(number for number, _ in content[starts[0]:starts[0] + len(wanted)])
    return frozenset()


def load_corpus(folder: Path, stride: int = 1) -> list[tuple[Labelled, list[LogLine]]]:
    """Every ``stride``-th labelled log of ``folder`` whose chunk can be located, with its
    lines (a stride above 1 gives a quick, fixed sample)."""
    loaded: list[tuple[Labelled, list[LogLine]]] = []
    with (folder / "labels.jsonl").open(encoding="utf-8") as labels:
        for index, record in enumerate(map(json.loads, labels)):
            if index % stride:
                continue
            path = folder / record["log_path"]
            lines = read_log(path.read_text(encoding="utf-8", errors="replace"))
            chunk = locate_chunk(lines, record["chunk"])
            if chunk:
                loaded.append((Labelled(path, record["repo"], chunk), lines))
    return loaded


def score(picked: Iterable[int], chunk: frozenset[int]) -> Score:
    chosen = set(picked)
    inside = len(chosen & chunk)
    return Score(hit=inside > 0,
                 precision=inside / len(chosen) if chosen else 0.0,
                 recall=inside / len(chunk) if chunk else 0.0)


def summarise(scores: Sequence[Score]) -> Summary:
    count = len(scores) or 1
    return Summary(logs=len(scores),
                   hit_rate=sum(s.hit for s in scores) / count,
                   precision=sum(s.precision for s in scores) / count,
                   recall=sum(s.recall for s in scores) / count)


def evaluate(corpus: Sequence[tuple[Labelled, list[LogLine]]], picker: Picker) -> Summary:
    return summarise([score(picker(lines), labelled.chunk) for labelled, lines in corpus])


def last_lines(lines: Sequence[LogLine], count: int = 20) -> list[int]:
    """Baseline: the last ``count`` non-blank lines."""
    return [line.number for line in lines if line.shown.strip()][-count:]


def last_error_lines(lines: Sequence[LogLine], count: int = 20) -> list[int]:
    """Baseline: the last ``count`` lines that contain an error word."""
    return [line.number for line in lines if ERROR_WORDS.search(line.text)][-count:]


def qmoi_lines(lines: Sequence[LogLine]) -> list[int]:
    """QMOI's extractor."""
    return [picked.line for picked in extract_lines(lines)]


PICKERS: dict[str, Picker] = {
    "qmoi": qmoi_lines,
    "last 20 lines": last_lines,
    "last 20 error-word lines": last_error_lines,
}
