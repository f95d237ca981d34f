"""Map an offset in a YAML scalar's *value* back to the exact offset in the source text.

Expressions are parsed from ``Scalar.value`` (after YAML removed quotes, escapes,
indentation and line folding); their errors must still point at the file's line:column.
We decode the scalar's raw source line by line into (character, source offset) pieces, then
align the pieces with the value in order; what lies between pieces in the value (folded
spaces, kept line breaks) maps to the source line breaks between them.
Styles: plain, single-quoted (``''``), double-quoted (backslash escapes, escaped line
breaks), literal ``|`` and folded ``>`` (https://yaml.org/spec/1.2.2/#chapter-7 and 8).
"""

from __future__ import annotations

from qmoi.parse.nodes import Scalar
from qmoi.source import SourceFile, Span

Piece = list[tuple[str, int]]  # decoded characters of one source line, with their offsets

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}


def value_offset_to_source(scalar: Scalar, source: SourceFile, offset: int) -> int:
    """The source offset of ``scalar.value[offset]`` (``offset == len(value)`` is the end)."""
    base = _verbatim(scalar, source.text)
    if base is not None:
        return base + max(0, min(offset, len(scalar.value)))
    table = offset_table(scalar, source)
    return table[max(0, min(offset, len(table) - 1))]


def value_span_to_source(scalar: Scalar, source: SourceFile, span: Span) -> Span:
    base = _verbatim(scalar, source.text)
    if base is not None:
        last = len(scalar.value)
        start = base + max(0, min(span.start, last))
        if span.end <= span.start:
            return Span(start, start)
        return Span(start, max(start, base + max(0, min(span.end - 1, last)) + 1))
    table = offset_table(scalar, source)
    last = len(table) - 1
    start = table[max(0, min(span.start, last))]
    if span.end <= span.start:
        return Span(start, start)
    # The end is just past the last character of the span, wherever that character is.
    end = table[max(0, min(span.end - 1, last))] + 1
    return Span(start, max(start, end))


def _verbatim(scalar: Scalar, text: str) -> int | None:
    """Where the value starts in the text when it is written there character for character
    (one line, no escapes, no properties: most values), else None. The offset table is
    then ``base + i``: the same as :func:`offset_table` builds, without building it."""
    value, style = scalar.value, scalar.style
    start, end = scalar.span.start, scalar.span.end
    if style:
        if style not in ("'", '"'):
            return None
        start, end = start + 1, end - 1
    if value and end - start == len(value) and text.startswith(value, start) \
            and "\n" not in value:
        return start
    return None


def offset_table(scalar: Scalar, source: SourceFile) -> list[int]:
    """``table[i]`` = source offset of value character ``i``; one extra entry for the end."""
    text = source.text
    start = _skip_properties(text, scalar.span.start, scalar.span.end)
    end = min(scalar.span.end, len(text))
    style = scalar.style
    if style in ("'", '"'):
        pieces, breaks = _flow_pieces(text, start + 1, max(start + 1, end - 1), style)
    elif style in ("|", ">"):
        pieces, breaks = _block_pieces(text, start, end, scalar.value)
    else:
        pieces, breaks = _flow_pieces(text, start, end, "")
    return _align(scalar.value, pieces, breaks, end)


def _skip_properties(text: str, start: int, end: int) -> int:
    """Step over an anchor (``&a``), a tag (``!t``) and the spaces or comment after them."""
    i = start
    while i < end and text[i] in "&!":
        while i < end and text[i] not in " \t\r\n":
            i += 1
        while i < end:
            if text[i] in " \t\r\n":
                i += 1
            elif text[i] == "#":
                while i < end and text[i] != "\n":
                    i += 1
            else:
                break
    return i


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line in [start, end), line breaks excluded."""
    found: list[tuple[int, int]] = []
    i = start
    while True:
        j = text.find("\n", i, end)
        if j < 0:
            found.append((i, end))
            return found
        found.append((i, j))
        i = j + 1


def _flow_pieces(text: str, start: int, end: int, style: str) -> tuple[list[Piece], list[int]]:
    lines = _lines(text, start, end)
    pieces: list[Piece] = []
    breaks: list[int] = []
    for number, (a, b) in enumerate(lines):
        if number:
            breaks.append(a - 1)
        piece = _decode(text, a, b, style)
        first, last = number == 0, number == len(lines) - 1
        pieces.append(_trim(piece, a, b, text, lead=not first, trail=not last))
    return pieces, breaks


def _decode(text: str, a: int, b: int, style: str) -> Piece:
    piece: Piece = []
    i = a
    while i < b:
        c = text[i]
        if style == "'" and c == "'" and i + 1 < b and text[i + 1] == "'":
            piece.append(("'", i))
            i += 2
        elif style == '"' and c == "\\" and i + 1 < b:
            i = _escape(text, i, b, piece)
        elif style == '"' and c == "\\":
            i += 1  # an escaped line break: joins the lines with nothing between them
        else:
            piece.append((c, i))
            i += 1
    return piece


def _escape(text: str, i: int, b: int, piece: Piece) -> int:
    code = text[i + 1]
    if code in _HEX_LENGTH:
        digits = text[i + 2 : i + 2 + _HEX_LENGTH[code]]
        try:
            piece.append((chr(int(digits, 16)), i))
        except (ValueError, OverflowError):
            piece.append((code, i))
        return i + 2 + len(digits)
    piece.append((_ESCAPES.get(code, code), i))
    return i + 2


def _trim(piece: Piece, a: int, b: int, text: str, *, lead: bool, trail: bool) -> Piece:
    """Drop the unescaped spaces and tabs that YAML folding removes at line edges."""
    lo, hi = 0, len(piece)
    if lead:
        while lo < hi and piece[lo][0] in " \t" and text[piece[lo][1]] in " \t":
            lo += 1
    if trail:
        while hi > lo and piece[hi - 1][0] in " \t\r" and text[piece[hi - 1][1]] in " \t\r":
            hi -= 1
    return piece[lo:hi]


def _block_pieces(text: str, start: int, end: int, value: str) -> tuple[list[Piece], list[int]]:
    header_end = text.find("\n", start, end)
    if header_end < 0:
        return [], []
    lines = _lines(text, header_end + 1, end)
    indent = _block_indent(text, lines, value)
    pieces: list[Piece] = []
    breaks: list[int] = [header_end]
    for a, b in lines:
        content = min(a + indent, b)
        line_end = b - 1 if b > content and text[b - 1] == "\r" else b
        pieces.append([(text[i], i) for i in range(content, line_end)])
        breaks.append(b)
    return pieces, breaks


def _block_indent(text: str, lines: list[tuple[int, int]], value: str) -> int:
    for a, b in lines:
        line = text[a:b]
        if line.strip():
            spaces = len(line) - len(line.lstrip(" "))
            first = value.lstrip("\n")
            # An indentation indicator can leave spaces at the start of the value.
            return max(0, spaces - (len(first) - len(first.lstrip(" "))))
    return 0


def _align(value: str, pieces: list[Piece], breaks: list[int], end: int) -> list[int]:
    table: list[int] = []
    v = 0
    gap_sources: list[int] = []  # source offsets available for the next gap characters
    for index, piece in enumerate(pieces):
        if index and index - 1 < len(breaks):
            gap_sources.append(breaks[index - 1])
        if not piece:
            continue
        chunk = "".join(c for c, _ in piece)
        found = value.find(chunk, v)
        if found < 0:
            break
        _fill_gap(table, found - v, gap_sources, piece[0][1])
        table.extend(offset for _, offset in piece)
        v = found + len(chunk)
        gap_sources = []
    remaining = len(value) - v
    gap_sources.extend(breaks[len(pieces) - 1 :] if pieces else breaks)
    _fill_gap(table, remaining, gap_sources, end)
    table.append(min(end, table[-1] + 1) if table else end)
    return table


def _fill_gap(table: list[int], count: int, sources: list[int], fallback: int) -> None:
    for k in range(count):
        table.append(sources[k] if k < len(sources) else sources[-1] if sources else fallback)
