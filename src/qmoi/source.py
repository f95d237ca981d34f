"""Source text and positions.

Spans are offsets into the *decoded* text (Python ``str`` indices), which is what
the YAML scanner reports and what fixes splice. Line and column are derived only
for display. This deliberately refines ARCHITECTURE.md's "byte spans": workflows
are decoded once, up front, and every later stage works on that one string, so a
str index is the unit that cannot drift between parser, checker and fixer.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import accumulate


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets into a source text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def cover(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column (column counted in characters)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A decoded text with its display path; maps offsets to lines and columns."""

    path: str
    text: str
    # Whether the file began with a UTF-8 byte-order mark, so a rewrite can keep it.
    bom: bool = False
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Each line starts one past the end of the one before; summed in C, as every
        # file of a run is decoded here (a loop of str.find costs twice as much).
        lengths = map(len, self.text.split("\n")[:-1])
        starts = tuple(accumulate(map((1).__add__, lengths), initial=0))
        object.__setattr__(self, "_line_starts", starts)

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(index + 1, offset - self._line_starts[index] + 1)

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column (clamped to the text)."""
        line = max(1, min(line, len(self._line_starts)))
        start = self._line_starts[line - 1]
        return min(start + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line break."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def slice(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def encode(self, text: str | None = None) -> bytes:
        """``text`` (default: this file's text) as bytes the way this file was stored."""
        data = (self.text if text is None else text).encode("utf-8")
        return b"\xef\xbb\xbf" + data if self.bom else data
