"""The few .NET string and number rules the runner relies on, so the modules that port it
behave the same on edge cases (whitespace sets, split options, ``int.TryParse``, line
reading) instead of approximating them with Python's own, slightly different, rules."""

from __future__ import annotations

import re

# char.IsWhiteSpace: the Unicode separator categories plus U+0009..U+000D, U+0085, U+00A0.
# Python's str.isspace also accepts U+001C..U+001F, which .NET does not, so spell it out.
WHITESPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_INT = re.compile(r"[\t\n\v\f\r ]*([+-]?[0-9]+)[\t\n\v\f\r ]*\Z")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def trim_start(text: str) -> str:
    """``string.TrimStart()``."""
    index = 0
    while index < len(text) and text[index] in WHITESPACE:
        index += 1
    return text[index:]


def trim(text: str) -> str:
    """``string.Trim()``."""
    end = len(text)
    while end > 0 and text[end - 1] in WHITESPACE:
        end -= 1
    return trim_start(text[:end])


def is_null_or_whitespace(text: str) -> bool:
    """``string.IsNullOrWhiteSpace``."""
    return all(char in WHITESPACE for char in text)


def split_remove_empty(text: str, separator: str, count: int | None = None) -> list[str]:
    """``text.Split(separator, count, StringSplitOptions.RemoveEmptyEntries)``.

    With a count, .NET skips empty pieces before the last one, so ``"a==b"`` split in two
    on ``=`` gives ``["a", "b"]`` (not ``["a", "=b"]``) — the runner inherits that quirk
    for workflow command properties.
    """
    if count is None:
        return [piece for piece in text.split(separator) if piece]
    result: list[str] = []
    position = 0
    while len(result) < count - 1:
        found = text.find(separator, position)
        if found < 0:
            break
        if found > position:
            result.append(text[position:found])
        position = found + len(separator)
    # Once count-1 pieces are taken, .NET skips the empty pieces before the remainder.
    while len(result) == count - 1 and text.startswith(separator, position):
        position += len(separator)
    if position < len(text):
        result.append(text[position:])
    return result


def int_try_parse(text: str | None) -> int | None:
    """``int.TryParse`` with the default NumberStyles.Integer on a 32-bit int."""
    if text is None:
        return None
    match = _INT.match(text)
    if match is None:
        return None
    value = int(match.group(1))
    return value if _INT32_MIN <= value <= _INT32_MAX else None


def bool_try_parse(text: str | None) -> bool:
    """``bool.TryParse(text, out value) && value``: only a (trimmed) ``true`` counts."""
    return text is not None and trim(text).lower() == "true"


def convert_to_boolean(text: str | None) -> bool:
    """``StringUtil.ConvertToBoolean`` (R:src/Runner.Sdk/Util/StringUtil.cs)."""
    return text is not None and text.lower() in {"1", "true", "$true"}


def read_lines(text: str) -> list[str]:
    """``TextReader.ReadLine`` until the end: a line ends at CR, LF or CRLF, and a final
    terminator does not start an empty line (this is also ``File.ReadAllLines``)."""
    lines: list[str] = []
    start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in "\r\n":
            lines.append(text[start:index])
            if char == "\r" and index + 1 < length and text[index + 1] == "\n":
                index += 1
            start = index + 1
        index += 1
    if start < length:
        lines.append(text[start:])
    return lines


def decode_text(data: bytes) -> str:
    """``File.ReadAllText``: honour a UTF-8/UTF-16/UTF-32 byte order mark, else UTF-8;
    invalid bytes become U+FFFD rather than failing."""
    boms = (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")
