"""The expression tree. One tree serves the evaluator and (later) the static type checker.

Nodes mirror GitHub's parser (https://github.com/actions/runner, src/Sdk/Expressions):
``a.b`` and ``a['b']`` are the same ``Index`` node, parentheses leave no node, and ``&&``/``||``
chains are flattened into one n-ary node, so tree depth is counted as GitHub counts it.
Spans are offsets into the parsed text and are ignored by ``==``, so a re-parsed tree
compares equal to the original.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from qmoi.source import Span

_NOWHERE = Span(0, 0)


@dataclass(frozen=True, slots=True)
class Null:
    """The ``null`` literal."""

    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Bool:
    """The ``true`` or ``false`` literal."""

    value: bool
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True, eq=False)
class Number:
    """A number literal; GitHub's expression numbers are all doubles."""

    value: float
    span: Span = field(default=_NOWHERE, compare=False)

    # NaN is a legal literal; two NaN literals are the same literal.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Number):
            return NotImplemented
        if math.isnan(self.value):
            return math.isnan(other.value)
        return self.value == other.value

    def __hash__(self) -> int:
        return hash(("Number", "nan" if math.isnan(self.value) else self.value))


@dataclass(frozen=True, slots=True)
class String:
    """A single-quoted string literal, unescaped (``''`` stands for one quote)."""

    value: str
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Context:
    """A named value such as ``github`` or ``env`` (looked up case-insensitively)."""

    name: str
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Star:
    """The object-filter key ``*`` of ``a.*`` / ``a[*]``."""

    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``target[key]``; ``target.name`` is ``Index(target, String(name))``."""

    target: Expr
    key: Expr | Star
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call, ``name(args…)``; ``name_span`` covers the name alone."""

    name: str
    args: tuple[Expr, ...]
    span: Span = field(default=_NOWHERE, compare=False)
    name_span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """``!operand``."""

    operand: Expr
    span: Span = field(default=_NOWHERE, compare=False)


COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right``, ``op`` one of ``COMPARISONS``."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """``a && b && …``, the whole chain as one node."""

    operands: tuple[Expr, ...]
    span: Span = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    """``a || b || …``, the whole chain as one node."""

    operands: tuple[Expr, ...]
    span: Span = field(default=_NOWHERE, compare=False)


Literal = Null | Bool | Number | String
Expr = Null | Bool | Number | String | Context | Index | Call | Not | Compare | And | Or


def children(node: Expr | Star) -> tuple[Expr | Star, ...]:
    """The direct children, in source order (for walkers such as the type checker)."""
    if isinstance(node, Index):
        return (node.target, node.key)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, And | Or):
        return node.operands
    return ()


def depth(node: Expr | Star) -> int:
    """Tree depth as GitHub counts it (a leaf is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Expr | Star, int]] = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def walk(node: Expr | Star) -> list[Expr | Star]:
    """Every node, pre-order, without recursion."""
    found: list[Expr | Star] = []
    stack: list[Expr | Star] = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found
