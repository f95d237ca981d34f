"""Diagnostics: what every check reports, and the one JSON shape they serialise to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from qmoi.source import SourceFile, Span


class Severity(StrEnum):
    """``error``: GitHub rejects the file or the run fails; ``warning``: security,
    deprecation or a likely bug; ``info``: style."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class FixSafety(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at ``span`` with ``text`` (an insertion has an empty span)."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A fix is data: edits that splice the original text, and how safe they are.
    ``qmoi.fix`` applies them; rules only describe them."""

    title: str
    safety: FixSafety
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in one file, anchored at an exact span."""

    path: str
    span: Span
    code: str
    rule: str
    severity: Severity
    message: str
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.start, self.span.end, self.code)


@dataclass(frozen=True, slots=True)
class Located:
    """A diagnostic with its display positions resolved against its source."""

    diagnostic: Diagnostic
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, diagnostic: Diagnostic, source: SourceFile) -> Located:
        start = source.position(diagnostic.span.start)
        end = source.position(diagnostic.span.end)
        return cls(diagnostic, start.line, start.column, end.line, end.column)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of ``qmoi lint --format json`` (one array element)."""
        d = self.diagnostic
        fix = None if d.fix is None else {"title": d.fix.title, "safety": d.fix.safety.value}
        return {
            "path": d.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": d.code,
            "rule": d.rule,
            "severity": d.severity.value,
            "message": d.message,
            "fix": fix,
        }
