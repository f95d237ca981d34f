"""YAML nodes that remember where they came from.

Keys are always the raw scalar text (``on`` stays the string ``"on"``); a scalar's
``kind`` records how GitHub's YAML 1.2 reading would type it, without converting it.
Aliases resolve to the very node object that carries the anchor, so a tree is a DAG:
walkers that might expand it are protected by the parser's expansion bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from qmoi.source import Span


class ScalarKind(StrEnum):
    STR = "str"
    NULL = "null"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A YAML scalar: its text as loaded, its YAML 1.2 type and how it was written."""

    value: str
    span: Span
    kind: ScalarKind = ScalarKind.STR
    # PyYAML's style char: "" plain, "'" single, '"' double, "|" literal, ">" folded.
    style: str = ""
    tag: str | None = None
    anchor: str | None = None

    @property
    def is_null(self) -> bool:
        return self.kind is ScalarKind.NULL

    def as_bool(self) -> bool | None:
        if self.kind is not ScalarKind.BOOL:
            return None
        return self.value.lower() == "true"

    def as_int(self) -> int | None:
        if self.kind is not ScalarKind.INT:
            return None
        text = self.value.lstrip("+-")
        return int(self.value, 0) if text[:2] in ("0x", "0o") else int(self.value)

    def as_number(self) -> float | None:
        if self.kind is ScalarKind.INT:
            value = self.as_int()
            return None if value is None else float(value)
        if self.kind is ScalarKind.FLOAT:
            return _float(self.value)
        return None


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


@dataclass(frozen=True, slots=True)
class Mapping:
    """A YAML mapping, its pairs in document order (duplicate keys kept; the last one wins)."""

    pairs: tuple[tuple[Scalar, Node], ...]
    span: Span
    flow: bool = False
    anchor: str | None = None
    tag: str | None = None
    # Key → value of the last pair with that key; the parser passes the one it builds while
    # checking for duplicate keys, so lookups are O(1) on the hot path of every rule.
    index: dict[str, Node] | None = field(default=None, compare=False, repr=False)

    def get(self, key: str) -> Node | None:
        """The value of the last pair whose key is ``key`` (YAML keys are case-sensitive)."""
        index = self.index
        if index is not None:
            return index.get(key)
        for k, v in reversed(self.pairs):
            if k.value == key:
                return v
        return None

    def key(self, key: str) -> Scalar | None:
        for k, _ in reversed(self.pairs):
            if k.value == key:
                return k
        return None

    def keys(self) -> Iterator[str]:
        return (k.value for k, _ in self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


@dataclass(frozen=True, slots=True)
class Sequence:
    """A YAML sequence, block or flow (``[a, b]``)."""

    items: tuple[Node, ...]
    span: Span
    flow: bool = False
    anchor: str | None = None
    tag: str | None = None

    def __len__(self) -> int:
        return len(self.items)


Node = Scalar | Mapping | Sequence


def kind_name(node: Node) -> str:
    """How a message names a node's type: "string", "mapping", "sequence", …"""
    if isinstance(node, Mapping):
        return "mapping"
    if isinstance(node, Sequence):
        return "sequence"
    return {
        ScalarKind.STR: "string",
        ScalarKind.NULL: "null",
        ScalarKind.BOOL: "boolean",
        ScalarKind.INT: "number",
        ScalarKind.FLOAT: "number",
    }[node.kind]
