"""Find the lines of a failed CI log that explain the failure (not just its last lines).

How: every line gets a score from the failure vocabulary (``vocabulary.CUES``), less for false
friends, warnings, downloads, progress bars and lines repeated many times. The command that
exited non-zero (the first exit anchor) bounds the region that matters most: lines inside its
output weigh fully, earlier and later output less. Strong lines close to each other form
windows, which grow by their structure (a traceback down to its exception, the indented details
under a failing test, a header naming the test); the best windows fill a budget of 20 lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qmoi.learn.logtext import LogLine, Marker, read_log
from qmoi.learn.vocabulary import (
    ANCHORED_CUES,
    ANTI_CUES,
    BUILD_VERDICT,
    CUE_GATE,
    CUES,
    ERROR_WORDS,
    EXIT_ANCHOR,
    HEADER,
)

__all__ = ["ERROR_WORDS", "Chunk", "Picked", "extract", "extract_lines", "failing_command"]

LIMIT = 20
SEED = 2.5          # a line this strong (after weighting) can start a window
JOIN_GAP = 3        # seeds at most this many content lines apart share a window
CONTINUATION = 8    # detail lines kept after a window's last seed
LEAD = 3            # introducing lines kept before a window's first seed
KEEP_RATIO = 0.25
NEAR_LINES = 20     # lines before the failing command's exit that get a nearness bonus
NEAR_BONUS = 2.0
NEAR_DECAY = 0.85   # windows weaker than this share of the best one are left out


# Where a command's output begins: its echo, a new group, or the end of the step's header
# group (GitHub prints the script and its env inside the group, the output after it).
_STARTS = (Marker.COMMAND, Marker.GROUP, Marker.ENDGROUP)


@dataclass(frozen=True, slots=True)
class Picked:
    """A line chosen to explain the failure: its 1-based number and the text a reader sees."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Contiguous picked lines (blank lines inside are skipped)."""

    lines: tuple[Picked, ...]
    score: float


def extract(log: str, limit: int = LIMIT) -> tuple[Chunk, ...]:
    """The chunks of ``log`` that explain its failure, in log order, at most ``limit`` lines."""
    return chunks_of(read_log(log), limit)


def extract_lines(lines: Sequence[LogLine], limit: int = LIMIT) -> list[Picked]:
    return [picked for chunk in chunks_of(lines, limit) for picked in chunk.lines]


def chunks_of(lines: Sequence[LogLine], limit: int = LIMIT) -> tuple[Chunk, ...]:
    # Marker lines stay even when empty (``##[endgroup]``): they bound a step's output.
    content = [line for line in lines if line.text or line.marker is not Marker.NONE]
    if not content:
        return ()
    scores = _weighted_scores(content)
    windows = _windows(content, scores)
    return _choose(content, scores, windows, limit)


def failing_command(lines: Sequence[LogLine]) -> LogLine | None:
    """The echo of the command that failed first (``##[group]Run …``, ``$ …``), if shown."""
    anchor = next((i for i, line in enumerate(lines) if _is_anchor(line)), None)
    for i in range(-1 if anchor is None else anchor - 1, -1, -1):
        if lines[i].marker in (Marker.COMMAND, Marker.GROUP) and lines[i].text:
            return lines[i]
    return None


def line_score(line: LogLine) -> float:
    """How strongly one line, on its own, reads as a failure explanation."""
    text, lowered = line.text, line.text.lower()
    score = sum(cue.weight for cue in ANCHORED_CUES if cue.pattern.match(text))
    if CUE_GATE.search(lowered):
        score += sum(cue.weight for cue in CUES if cue.matches(text, lowered))
    if line.marker is Marker.ERROR:
        score += 3.0
    elif line.marker in (Marker.WARNING, Marker.DEBUG, Marker.GROUP, Marker.ENDGROUP):
        score -= 2.0
    if score > 0:
        score += sum(cue.weight for cue in ANTI_CUES if cue.matches(text, lowered))
    return score


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _weighted_scores(content: Sequence[LogLine]) -> list[float]:
    shapes = Counter(_shape(line.text) for line in content)
    region = _region_weights(content)
    near = _nearness(content)
    scores: list[float] = []
    for line, weight, bonus in zip(content, region, near, strict=True):
        score = line_score(line)
        repeats = shapes[_shape(line.text)]
        if repeats > 3 and score > 0:
            # A line printed over and over is a loop's chatter, not the one failure.
            score -= min(3.0, math.log2(repeats) - 1.0)
        scores.append((score * weight if score > 0 else score) + bonus)
    return scores


def _nearness(content: Sequence[LogLine]) -> list[float]:
    """A bonus for the last lines a failing command printed before it exited: whatever the
    tool's wording, that is where it says why it stopped."""
    bonus = [0.0] * len(content)
    anchors = [i for i, line in enumerate(content) if _is_anchor(line)]
    if not anchors:
        return bonus
    first = anchors[0]
    for distance, i in enumerate(range(first - 1, max(-1, first - 1 - NEAR_LINES), -1)):
        if content[i].marker in _STARTS:
            break
        bonus[i] = NEAR_BONUS * NEAR_DECAY ** distance
    return bonus


def _is_anchor(line: LogLine) -> bool:
    return bool(EXIT_ANCHOR.search(line.text)) and not BUILD_VERDICT.search(line.text)


def _region_weights(content: Sequence[LogLine]) -> list[float]:
    """1 inside the output of the first command that failed, less elsewhere."""
    count = len(content)
    anchors = [i for i, line in enumerate(content) if _is_anchor(line)]
    if not anchors:
        # No exit marker (a truncated or odd log): the failure is most likely near the end.
        return [0.4 + 0.6 * (i / max(1, count - 1)) ** 2 for i in range(count)]
    first = anchors[0]
    start = _block_start(content, first)
    weights = [0.35] * start + [1.0] * (first + 1 - start) + [0.3] * (count - first - 1)
    for anchor in anchors[1:3]:
        for i in range(max(first + 1, _block_start(content, anchor)), anchor + 1):
            weights[i] = 0.6
    return weights


def _block_start(content: Sequence[LogLine], anchor: int) -> int:
    for i in range(anchor - 1, -1, -1):
        if content[i].marker in _STARTS or _is_anchor(content[i]):
            return i
    return 0


def _windows(content: Sequence[LogLine], scores: Sequence[float]) -> list[tuple[int, int]]:
    """Index ranges [first, last] over ``content`` around runs of strong lines."""
    seeds = [i for i, score in enumerate(scores) if score >= SEED]
    if not seeds:
        top = max(range(len(scores)), key=lambda i: (scores[i], i))
        seeds = [top] if scores[top] > 0 else []
    windows: list[tuple[int, int]] = []
    for i in seeds:
        if windows and i - windows[-1][1] <= JOIN_GAP:
            windows[-1] = (windows[-1][0], i)
        else:
            windows.append((i, i))
    grown: list[tuple[int, int]] = []
    for first, last in (_grow(content, scores, *window) for window in windows):
        if grown and first <= grown[-1][1] + 1:
            grown[-1] = (grown[-1][0], max(last, grown[-1][1]))
        else:
            grown.append((first, last))
    return grown


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _grow(content: Sequence[LogLine], scores: Sequence[float],
          first: int, last: int) -> tuple[int, int]:
    """Add what introduces the window (a header naming the test, a line ending in ":", a
    related line) before it, and its details (indented lines, the rest of a traceback, more
    failure lines) after it."""
    for _ in range(LEAD):
        if first == 0 or _is_boundary(content[first - 1]):
            break
        above = content[first - 1].text
        related = _related(content[first - 1], scores[first - 1])
        if not (HEADER.search(above) or above.endswith(":") or related):
            break
        first -= 1
    base = _indent(content[last].shown)
    tracing = any("Traceback" in content[i].text for i in range(first, last + 1))
    end = last
    for i in range(last + 1, min(len(content), last + 1 + CONTINUATION)):
        line = content[i]
        if _is_boundary(line):
            break
        deeper = _indent(line.shown) > base or line.text.startswith(("at ", "^", "|", "~"))
        if not (deeper or tracing or _related(line, scores[i])):
            break
        end = i
        if tracing and _indent(line.shown) == 0:
            break
    return first, end


def _related(line: LogLine, score: float) -> bool:
    """A neighbour that counts (by its words or its nearness to the failing exit) and that
    does not read as good news ("ok", "passed", "0 errors")."""
    return score > 0 and line_score(line) >= 0


def _is_boundary(line: LogLine) -> bool:
    return line.marker in (Marker.COMMAND, Marker.GROUP, Marker.ENDGROUP) or _is_anchor(line)


def _choose(content: Sequence[LogLine], scores: Sequence[float],
            windows: Sequence[tuple[int, int]], limit: int) -> tuple[Chunk, ...]:
    def worth(window: tuple[int, int]) -> float:
        return sum(max(0.0, scores[i]) for i in range(window[0], window[1] + 1))

    ranked = sorted(windows, key=lambda w: (-worth(w), -w[0]))
    if not ranked:
        return ()
    best = worth(ranked[0])
    taken: list[tuple[int, int, float]] = []
    budget = limit
    for first, last in ranked:
        if budget <= 0 or worth((first, last)) < KEEP_RATIO * best:
            break
        last = min(last, first + budget - 1)
        taken.append((first, last, worth((first, last))))
        budget -= last - first + 1
    taken.sort()
    return tuple(
        Chunk(tuple(Picked(content[i].number, content[i].shown) for i in range(first, last + 1)),
              score)
        for first, last, score in taken)
