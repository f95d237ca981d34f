"""Text and JSON renderings of lint diagnostics."""

from __future__ import annotations

import json
from collections.abc import Iterable

from qmoi.diagnostics import Located
from qmoi.source import SourceFile


def locate(pairs: Iterable[tuple[SourceFile, list[Located]]]) -> list[Located]:
    return [loc for _, locs in pairs for loc in locs]


def headline(loc: Located) -> str:
    d = loc.diagnostic
    return f"{d.path}:{loc.line}:{loc.column}: {d.message} [{d.rule}]"


def snippet(loc: Located, source: SourceFile) -> list[str]:
    """The offending source line and a caret underline of the exact range on it."""
    if loc.line > source.line_count or not source.text:
        return []
    text = source.line_text(loc.line).replace("\t", " ")
    if loc.line == loc.end_line:
        width = max(1, loc.end_column - loc.column)
    else:
        width = max(1, len(text) - loc.column + 1)
    pad = " " * (loc.column - 1)
    return [f"  {loc.line:>4} | {text}", f"       | {pad}^{'~' * (width - 1)}"]


def render_text(items: Iterable[tuple[Located, SourceFile]], *, context: bool = True) -> str:
    lines: list[str] = []
    for loc, source in items:
        lines.append(headline(loc))
        if context:
            lines.extend(snippet(loc, source))
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(items: Iterable[Located]) -> str:
    return json.dumps([loc.to_json() for loc in items], indent=2, ensure_ascii=False) + "\n"
