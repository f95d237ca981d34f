"""``KEY=VALUE`` files for ``--secret-file``, ``--env-file`` and ``--var-file`` (the dotenv
format act reads): ``#`` comments, blank lines, an optional ``export``, values in single
quotes (literal) or double quotes (``\\n``, ``\\t``, ``\\"``, ``\\\\`` escapes, may span lines)."""

from __future__ import annotations

import re
from pathlib import Path

from qmoi.errors import InputError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def parse_dotenv(text: str, path: str = "<dotenv>") -> dict[str, str]:
    values: dict[str, str] = {}
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number].strip()
        number += 1
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        name, equals, rest = line.partition("=")
        name = name.strip()
        if not equals or not _NAME.fullmatch(name):
            raise InputError("expected NAME=VALUE", location=f"{path}:{number}")
        rest = rest.strip()
        if rest.startswith('"'):
            value, number = _double_quoted(rest[1:], lines, number, path)
        elif rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                raise InputError("the ' quote is not closed", location=f"{path}:{number}")
            value = rest[1:end]
        else:
            value = re.sub(r"\s+#.*$", "", rest)
        values[name] = value
    return values


def _double_quoted(text: str, lines: list[str], number: int, path: str) -> tuple[str, int]:
    out: list[str] = []
    start = number
    while True:
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                out.append(_ESCAPES.get(text[i + 1], "\\" + text[i + 1]))
                i += 2
                continue
            if char == '"':
                return "".join(out), number
            out.append(char)
            i += 1
        if number >= len(lines):
            raise InputError('the " quote is not closed', location=f"{path}:{start}")
        out.append("\n")
        text = lines[number]
        number += 1


def read_dotenv(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", location=str(path)) from None
    return parse_dotenv(text, str(path))
