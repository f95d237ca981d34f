"""Small, total readers over parsed nodes: a wrong type gives None or empty, never an error.

The model keeps the original ``Scalar`` for every scalar setting, so a rule knows the text,
the YAML type and the span. Structural rules (elsewhere) report wrong types; these helpers
only make the model tolerant of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import Span

JSON: TypeAlias = "str | int | float | bool | list[JSON] | dict[str, JSON] | None"
"""A plain JSON-like Python value (what a matrix or an evaluated expression holds)."""


def scalar(node: Node | None) -> Scalar | None:
    """The node if it is a scalar, else None."""
    return node if isinstance(node, Scalar) else None


def mapping(node: Node | None) -> Mapping | None:
    return node if isinstance(node, Mapping) else None


def sequence(node: Node | None) -> Sequence | None:
    return node if isinstance(node, Sequence) else None


def as_str(node: Node | None) -> str | None:
    """A scalar's text (null gives ""), or None for a collection or nothing."""
    if not isinstance(node, Scalar):
        return None
    return "" if node.is_null else node.value


def as_bool(node: Node | None) -> bool | None:
    return node.as_bool() if isinstance(node, Scalar) else None


def as_int(node: Node | None) -> int | None:
    return node.as_int() if isinstance(node, Scalar) else None


def as_number(node: Node | None) -> float | None:
    return node.as_number() if isinstance(node, Scalar) else None


def scalars(node: Node | None) -> tuple[Scalar, ...]:
    """A string-or-list setting as its scalars: ``x`` → (x,), ``[a, b]`` → (a, b).

    Non-scalar list items are dropped (a structural rule reports them).
    """
    if isinstance(node, Scalar):
        return () if node.is_null else (node,)
    if isinstance(node, Sequence):
        return tuple(item for item in node.items if isinstance(item, Scalar))
    return ()


def optional_scalars(node: Node | None) -> tuple[Scalar, ...] | None:
    """Like :func:`scalars`, but None when the setting is absent (absent ≠ empty list)."""
    return None if node is None else scalars(node)


def _expression_end(text: str, start: int) -> int:
    """Index just past the ``}}`` closing the expression opened at ``start``, or -1.

    Single-quoted strings are skipped, as GitHub's reader does, so ``'}}'`` inside a
    string literal does not close the expression.
    """
    i, quoted, n = start + 3, False, len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and text.startswith("}}", i):
            return i + 2
        i += 1
    return -1


def contains_expression(text: str) -> bool:
    """Whether the text holds at least one ``${{ … }}``."""
    start = text.find("${{")
    return start != -1 and _expression_end(text, start) != -1


def is_expression(text: str) -> bool:
    """Whether the whole text is exactly one ``${{ … }}`` (surrounding blanks allowed).

    Such a value keeps the expression's type (bool, number, object…) instead of becoming
    a string; see https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
    """
    stripped = text.strip()
    if not stripped.startswith("${{"):
        return False
    return _expression_end(stripped, 0) == len(stripped)


def expression_of(node: Node | None) -> Scalar | None:
    """The scalar if its whole value is one ``${{ }}`` expression (a string-kind scalar)."""
    if isinstance(node, Scalar) and node.kind is ScalarKind.STR and is_expression(node.value):
        return node
    return None


def to_json(node: Node | None) -> JSON:
    """A node as a plain JSON value, typed as GitHub's YAML 1.2 reading types it."""
    if node is None:
        return None
    if isinstance(node, Mapping):
        return {k.value: to_json(v) for k, v in node.pairs}
    if isinstance(node, Sequence):
        return [to_json(item) for item in node.items]
    return _scalar_json(node)


def _scalar_json(node: Scalar) -> JSON:
    if node.kind is ScalarKind.NULL:
        return None
    if node.kind is ScalarKind.BOOL:
        return node.as_bool()
    if node.kind is ScalarKind.INT:
        return node.as_int()
    if node.kind is ScalarKind.FLOAT:
        return node.as_number()
    return node.value


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``name: value`` pair of a mapping setting (env, with, outputs, secrets…).

    ``value`` is the scalar text (null gives ""), or None when the value is a collection;
    ``node`` is the value as written and ``span`` its span (the key's when it has none).
    """

    name: str
    value: str | None
    span: Span
    name_span: Span
    key: Scalar
    node: Node

    @property
    def scalar(self) -> Scalar | None:
        return self.node if isinstance(self.node, Scalar) else None


EnvVar = Entry


@dataclass(frozen=True, slots=True)
class EntryMap:
    """A mapping setting, in file order, or a whole-mapping expression (``env: ${{ … }}``)."""

    entries: tuple[Entry, ...] = ()
    expression: Scalar | None = None
    node: Node | None = None

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, name: str) -> Entry | None:
        """The last entry called ``name`` (YAML's last-wins; names are case-sensitive)."""
        for entry in reversed(self.entries):
            if entry.name == name:
                return entry
        return None

    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.entries)

    @property
    def span(self) -> Span | None:
        return None if self.node is None else self.node.span


EMPTY = EntryMap()


def entry_map(node: Node | None) -> EntryMap:
    """Read a mapping setting; an expression string is kept whole; other types give empty."""
    if node is None:  # most steps and jobs set neither env nor with: share one empty map
        return EMPTY
    if isinstance(node, Mapping):
        return EntryMap(tuple([_entry(k, v) for k, v in node.pairs]), None, node)
    expression = expression_of(node)
    if expression is not None:
        return EntryMap((), expression, node)
    return EntryMap((), None, node)


def _entry(key: Scalar, value: Node) -> Entry:
    return Entry(key.value, as_str(value), value.span, key.span, key, value)
