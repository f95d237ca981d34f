"""Bytes → a decoded ``SourceFile``, with the guards that must run before YAML does."""

from __future__ import annotations

from pathlib import Path

from qmoi.diagnostics import Diagnostic, Severity
from qmoi.source import SourceFile, Span

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Five times the largest real workflow we have seen (424 KB); beyond it we refuse
rather than spend seconds on something that is not a hand-written workflow."""

RULE = "yaml-syntax"


def _error(path: str, span: Span, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, span, code, RULE, Severity.ERROR, message)


Loaded = tuple[SourceFile, tuple[Diagnostic, ...]]
"""A decoded file and the reader's diagnostics. When there are diagnostics the text is
only what could be decoded (for locating them) and must not be parsed."""


def decode_source(data: bytes, path: str) -> Loaded:
    """Decode UTF-8 (a BOM is dropped); report an oversized or undecodable file."""
    if len(data) > MAX_FILE_BYTES:
        return SourceFile(path, ""), (_error(path, Span(0, 0), "P105",
                             f"file is {len(data):,} bytes; QMOI reads workflow files up to "
                             f"{MAX_FILE_BYTES:,} bytes"),)
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8")
        offset = len(good)
        return SourceFile(path, good), (_error(path, Span(offset, offset), "P106",
                             f"file is not valid UTF-8 (byte 0x{data[error.start]:02x} at byte "
                             f"offset {error.start})"),)
    return SourceFile(path, text, bom), ()


def read_source(path: Path, display: str | None = None) -> Loaded:
    """Read and decode one file; an unreadable file is a diagnostic, not an exception."""
    shown = display if display is not None else str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return SourceFile(shown, ""), (_error(shown, Span(0, 0), "P105",
                                 f"file is {size:,} bytes; QMOI reads workflow files up to "
                                 f"{MAX_FILE_BYTES:,} bytes"),)
        data = path.read_bytes()
    except OSError as error:
        return SourceFile(shown, ""), (_error(shown, Span(0, 0), "P100",
                             f"cannot read file: {error.strerror or error}"),)
    return decode_source(data, shown)
