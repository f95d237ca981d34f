"""Typed values out of ``.github/qmoi.yml``'s YAML nodes. A value that cannot be used becomes
a :class:`ConfigProblem` with its place in the file, never an exception, so the rest of the
file still applies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qmoi.parse import Mapping, Scalar
from qmoi.parse.nodes import Node
from qmoi.source import Span

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)$")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT])(?:i?B?)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """Something in the configuration that cannot be used as written."""

    span: Span
    message: str


class ValueReader:
    """Reads values, collecting problems instead of failing on the first."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems

    def problem(self, at: Node, message: str) -> None:
        self.problems.append(ConfigProblem(at.span, message))

    def strings(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return ()
        if isinstance(node, Scalar):
            return tuple(part.strip() for part in node.value.split(",") if part.strip())
        if isinstance(node, Mapping):
            self.problem(node, f"{what} must be a list of strings, not a mapping")
            return ()
        values = []
        for item in node.items:
            if isinstance(item, Scalar) and not item.is_null:
                values.append(item.value)
            else:
                self.problem(item, f"{what} must be a list of strings")
        return tuple(values)

    def number(self, node: Node | None, what: str, *, size: bool = False,
               whole: bool = False) -> float | None:
        """A non-negative number (a size with a unit when ``size``), or None."""
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return None
        text = node.value.strip() if isinstance(node, Scalar) else ""
        match = _SIZE.match(text) if size else _NUMBER.match(text)
        if match is None or (whole and "." in match.group(1)):
            kind = "a size such as 512M or 2G" if size else \
                "a whole number" if whole else "a number"
            self.problem(node, f"{what} must be {kind}")
            return None
        scale = 1024 ** ("KMGT".index(match.group(2).upper()) + 1) if size else 1
        return float(match.group(1)) * scale
