"""Text and JSON renderings of lint diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from json.encoder import encode_basestring

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
    """``json.dumps([loc.to_json() ...], indent=2, ensure_ascii=False)`` and a newline, to
    the byte. Written out because an indent makes ``json`` use its pure-Python encoder
    (the C one serves only ``indent=None``): ~15 µs a diagnostic, 40 ms of the corpus's
    2,700; strings still go through json's own (C) escaping."""
    entries = [_json_entry(loc) for loc in items]
    return "[\n" + ",\n".join(entries) + "\n]\n" if entries else "[]\n"


def _json_entry(loc: Located) -> str:
    d = loc.diagnostic
    fix = "null" if d.fix is None else (
        f'{{\n      "title": {encode_basestring(d.fix.title)},\n'
        f'      "safety": {encode_basestring(d.fix.safety.value)}\n    }}')
    # int.__repr__: what json writes for an int (a subclass's own __format__ is not asked).
    return (f'  {{\n    "path": {encode_basestring(d.path)},\n'
            f'    "line": {int.__repr__(loc.line)},\n'
            f'    "column": {int.__repr__(loc.column)},\n'
            f'    "end_line": {int.__repr__(loc.end_line)},\n'
            f'    "end_column": {int.__repr__(loc.end_column)},\n'
            f'    "code": {encode_basestring(d.code)},\n'
            f'    "rule": {encode_basestring(d.rule)},\n'
            f'    "severity": {encode_basestring(d.severity.value)},\n'
            f'    "message": {encode_basestring(d.message)},\n'
            f'    "fix": {fix}\n  }}')
