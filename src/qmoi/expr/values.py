"""Runtime values and GitHub's coercions.

Values are plain Python: ``None``, ``bool``, ``float`` (GitHub numbers are doubles; ``int``
from JSON contexts is accepted and treated as a number), ``str``, ``list`` and ``dict``.
Rules follow https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
and the runner's EvaluationResult.cs / ExpressionUtility.cs.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Any

Value = Any
"""None | bool | float | str | list[Value] | dict[str, Value] (recursive, so Any for mypy)."""


class Kind(StrEnum):
    NULL = "Null"
    BOOLEAN = "Boolean"
    NUMBER = "Number"
    STRING = "String"
    ARRAY = "Array"
    OBJECT = "Object"


class FilteredArray(list[Any]):
    """The array an object filter (``.*``) yields; later ``.x`` / ``[i]`` map over it."""

    __slots__ = ()


def kind_of(value: Value) -> Kind:
    if value is None:
        return Kind.NULL
    cls = type(value)
    if cls is str:
        return Kind.STRING
    if cls is bool:
        return Kind.BOOLEAN
    if cls is float or cls is int:
        return Kind.NUMBER
    if isinstance(value, list):
        return Kind.ARRAY
    if isinstance(value, str):
        return Kind.STRING
    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, int | float):
        return Kind.NUMBER
    # Anything else (dicts, foreign objects) is an object, as in ConvertToCanonicalValue.
    return Kind.OBJECT


_PRIMITIVE_TYPES = frozenset((str, bool, float, int))


def is_primitive(value: Value) -> bool:
    if value is None or type(value) in _PRIMITIVE_TYPES:
        return True
    return kind_of(value) not in (Kind.ARRAY, Kind.OBJECT)


def canonical(value: Value) -> Value:
    """ints become floats; everything else is returned as is."""
    if type(value) is int:
        return float(value)
    return value


def is_truthy(value: Value) -> bool:
    """Falsy: false, null, 0, -0, NaN and ''. Everything else, even ``[]``, is truthy."""
    if value is None:
        return False
    cls = type(value)
    if cls is bool:
        return bool(value)
    if cls is str:
        return bool(value != "")
    if cls is float or cls is int:
        return bool(value == value and value != 0)
    return True


# ---------------------------------------------------------------------------- numbers

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z", re.ASCII)
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z", re.ASCII)
_OCTAL = re.compile(r"0o[0-7]+\Z", re.ASCII)
# .NET's Char.IsWhiteSpace differs from str.isspace only on the C0 separators.
_NOT_DOTNET_SPACE = "\x1c\x1d\x1e\x1f"
# Every str.isspace character but those (none lies above U+3000): written out, as testing
# 12,289 characters at import took ~2 ms of each start; a test keeps it equal to the rule.
_STRIP = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def is_space(char: str) -> bool:
    return char.isspace() and char not in _NOT_DOTNET_SPACE


def parse_number(text: str) -> float:
    """GitHub's string → number (ExpressionUtility.ParseNumber): NaN when not a number."""
    text = text.strip(_STRIP)
    if not text:
        return 0.0
    if _DECIMAL.match(text):
        try:
            return float(text)
        except (OverflowError, ValueError):  # pragma: no cover - float() saturates to inf
            return math.nan
    if _HEX.match(text):
        return _int32(int(text[2:], 16))
    if _OCTAL.match(text):
        return _int32(int(text[2:], 8))
    if text == "Infinity":
        return math.inf
    if text == "-Infinity":
        return -math.inf
    return math.nan


def _int32(value: int) -> float:
    # .NET parses hex/octal into a 32-bit int: 0xffffffff is -1, wider values fail.
    if value > 0xFFFFFFFF:
        return math.nan
    return float(value - (1 << 32) if value >= 1 << 31 else value)


def to_number(value: Value) -> float:
    kind = kind_of(value)
    if kind is Kind.NUMBER:
        return float(value)
    if kind is Kind.NULL:
        return 0.0
    if kind is Kind.BOOLEAN:
        return 1.0 if value else 0.0
    if kind is Kind.STRING:
        return parse_number(value)
    return math.nan


def format_number(value: float) -> str:
    """.NET's ``ToString("G15", InvariantCulture)``, with -0 printed as 0."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    mantissa, _, exp_text = f"{value:.14e}".partition("e")
    exponent = int(exp_text)
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    # G keeps fixed-point notation while -5 < exponent < precision.
    if -5 < exponent < 15:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1 :]
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        return sign + whole + ("." + fraction if fraction else "")
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"


def to_display_string(value: Value) -> str:
    """GitHub's value → string: null → '', booleans lower-case, numbers as .NET G15,
    arrays and objects as 'Array' / 'Object' (they are never serialised implicitly)."""
    if type(value) is str:
        return value
    kind = kind_of(value)
    if kind is Kind.STRING:
        return str(value)
    if kind is Kind.NULL:
        return ""
    if kind is Kind.BOOLEAN:
        return "true" if value else "false"
    if kind is Kind.NUMBER:
        return format_number(float(value))
    return kind.value


# ---------------------------------------------------------------------------- comparison

def fold(text: str) -> str:
    """Ordinal-ignore-case key: .NET upper-cases char by char (simple case mapping)."""
    if text.isascii():
        return text.upper()
    return "".join(c if len(u := c.upper()) != 1 else u for c in text)


def _coerce(left: Value, right: Value) -> tuple[Kind, Value, Kind, Value]:
    lk, rk = kind_of(left), kind_of(right)
    while lk is not rk:
        if lk is Kind.NUMBER and rk is Kind.STRING:
            right, rk = parse_number(right), Kind.NUMBER
        elif lk is Kind.STRING and rk is Kind.NUMBER:
            left, lk = parse_number(left), Kind.NUMBER
        elif lk in (Kind.BOOLEAN, Kind.NULL):
            left, lk = to_number(left), Kind.NUMBER
        elif rk in (Kind.BOOLEAN, Kind.NULL):
            right, rk = to_number(right), Kind.NUMBER
        else:
            break
    return lk, left, rk, right


def loose_equal(left: Value, right: Value) -> bool:
    """GitHub's ``==`` (JS-like abstract equality; strings compare case-insensitively)."""
    lk, left, rk, right = _coerce(left, right)
    if lk is not rk:
        return False
    if lk is Kind.NULL:
        return True
    if lk is Kind.NUMBER:
        return float(left) == float(right)  # NaN is never equal
    if lk is Kind.STRING:
        return left == right or fold(left) == fold(right)
    if lk is Kind.BOOLEAN:
        return bool(left) == bool(right)
    return left is right  # arrays and objects: same instance only


def loose_compare(left: Value, right: Value) -> int | None:
    """-1/0/1 when the values are ordered (after coercion), None when they are not."""
    lk, left, rk, right = _coerce(left, right)
    if lk is not rk:
        return None
    if lk is Kind.NUMBER:
        a, b = float(left), float(right)
        if a != a or b != b:
            return None
        return (a > b) - (a < b)
    if lk is Kind.STRING:
        x, y = fold(left), fold(right)
        return (x > y) - (x < y)
    if lk is Kind.BOOLEAN:
        return (bool(left) > bool(right)) - (bool(left) < bool(right))
    if lk is Kind.NULL:
        return 0
    return None
