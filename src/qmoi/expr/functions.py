"""The built-in functions that need no runner state, on evaluated values.

Semantics follow https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#functions
and the runner's src/Sdk/Expressions/Sdk/Functions/*.cs (quirks included: ``contains`` on a
primitive is a case-insensitive substring test, ``join`` ignores a non-primitive separator,
``toJSON`` prints numbers the way GitHub prints them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from qmoi.expr.values import (
    Kind,
    Value,
    fold,
    format_number,
    is_primitive,
    kind_of,
    loose_equal,
    to_display_string,
)

Thunk = Callable[[], Value]


class FunctionError(Exception):
    """A function rejected its arguments; the evaluator adds the call's span."""


def contains(search: Value, item: Thunk) -> bool:
    if is_primitive(search):
        needle = item()
        if not is_primitive(needle):
            return False
        return fold(to_display_string(needle)) in fold(to_display_string(search))
    if isinstance(search, list) and search:
        wanted = item()
        return any(loose_equal(wanted, element) for element in search)
    return False


def starts_with(text: Value, prefix: Value) -> bool:
    if not (is_primitive(text) and is_primitive(prefix)):
        return False
    return fold(to_display_string(text)).startswith(fold(to_display_string(prefix)))


def ends_with(text: Value, suffix: Value) -> bool:
    if not (is_primitive(text) and is_primitive(suffix)):
        return False
    return fold(to_display_string(text)).endswith(fold(to_display_string(suffix)))


def join(items: Value, separator: Thunk | None) -> str:
    if isinstance(items, list) and items:
        sep = ","
        if len(items) > 1 and separator is not None:
            chosen = separator()
            if is_primitive(chosen):
                sep = to_display_string(chosen)
        return sep.join(to_display_string(item) for item in items)
    if is_primitive(items):
        return to_display_string(items)
    return ""


def format_string(template: str, args: Sequence[Thunk]) -> str:
    """``format('{0} {{x}}', v)``: ``{N}`` placeholders, doubled braces for literal ones."""
    parts = _FORMATS.get(template)
    if parts is None:
        parts = _parse_format(template)
        if len(_FORMATS) > 1024:
            _FORMATS.clear()
        _FORMATS[template] = parts
    # Like the runner, check every placeholder before evaluating any argument.
    highest = max((part for part in parts if isinstance(part, int)), default=-1)
    if highest >= len(args):
        raise FunctionError(
            f"format string '{template}' refers to argument {{{highest}}}, but only "
            f"{len(args)} argument(s) follow it")
    out: list[str] = []
    cache: dict[int, str] = {}
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if part not in cache:  # arguments are evaluated once, and only when used
            cache[part] = to_display_string(args[part]())
        out.append(cache[part])
    return "".join(out)


_FORMATS: dict[str, list[str | int]] = {}


def _parse_format(template: str) -> list[str | int]:
    out: list[str | int] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == "{" and template.startswith("{{", i):
            out.append("{")
            i += 2
        elif c == "}" and template.startswith("}}", i):
            out.append("}")
            i += 2
        elif c == "{":
            index, i = _placeholder(template, i)
            out.append(index)
        elif c == "}":
            raise FunctionError(f"invalid format string '{template}': a lone '}}' at "
                                f"position {i} (write '}}}}' for a literal brace)")
        else:
            j = min((k for k in (template.find("{", i), template.find("}", i)) if k >= 0),
                    default=n)
            out.append(template[i:j])
            i = j
    return out


def _placeholder(template: str, start: int) -> tuple[int, int]:
    j = start + 1
    while j < len(template) and template[j].isdecimal():
        j += 1
    digits = template[start + 1 : j]
    bad = f"invalid format string '{template}': "
    if j < len(template) and template[j] == ":" and digits:
        raise FunctionError(bad + "format specifiers such as '{0:x}' are not supported")
    if not digits or j >= len(template) or template[j] != "}":
        raise FunctionError(bad + f"'{{' at position {start} must start a placeholder like "
                            "'{0}' (write '{{' for a literal brace)")
    if not digits.isascii() or int(digits) > 255:
        raise FunctionError(bad + f"'{{{digits}}}' is not a valid argument index")
    return int(digits), j + 1


# ---------------------------------------------------------------------------- JSON

_EXTRA_ESCAPES = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_string(text: str) -> str:
    """Newtonsoft's JsonConvert.ToString: non-ASCII stays, control characters are escaped."""
    out = json.dumps(text, ensure_ascii=False)
    if any(c in out for c in _EXTRA_ESCAPES):
        out = "".join(_EXTRA_ESCAPES.get(c, c) for c in out)
    return out


def to_json(value: Value) -> str:
    parts: list[str] = []
    _write_json(value, 0, parts)
    return "".join(parts)


def _write_json(value: Value, level: int, out: list[str]) -> None:
    kind = kind_of(value)
    if kind is Kind.ARRAY:
        _write_items(value, level, out, "[", "]", None)
    elif kind is Kind.OBJECT:
        if isinstance(value, dict):
            _write_items(list(value.values()), level, out, "{", "}", list(value.keys()))
        else:
            out.append("{}")  # an object GitHub cannot traverse
    elif kind is Kind.STRING:
        out.append(json_string(value))
    elif kind is Kind.NUMBER:
        out.append(format_number(float(value)))
    else:
        out.append("null" if value is None else "true" if value else "false")


def _write_items(items: list[Any], level: int, out: list[str], opening: str, closing: str,
                 keys: list[Any] | None) -> None:
    if not items:
        out.append(opening + closing)
        return
    inner = "  " * (level + 1)
    out.append(opening)
    for position, item in enumerate(items):
        out.append(("," if position else "") + "\n" + inner)
        if keys is not None:
            out.append(json_string(to_display_string(keys[position])) + ": ")
        _write_json(item, level + 1, out)
    out.append("\n" + "  " * level + closing)


def _reject_constant(name: str) -> float:
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


def from_json(text: str) -> Value:
    if not text.strip():
        raise FunctionError("fromJSON(): the input is empty, which is not valid JSON")
    try:
        return json.loads(text, parse_int=float, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise FunctionError(f"fromJSON(): invalid JSON: {error.msg} at line {error.lineno}, "
                            f"column {error.colno}") from None
    except RecursionError:
        raise FunctionError("fromJSON(): the JSON is nested too deeply") from None
