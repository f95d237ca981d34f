"""Helpers shared by the needs, anchor, event, matrix and runner-label rules.

Spans: a rule points inside a scalar (a column of a cron field, a character of a glob)
through :mod:`qmoi.expr.yamlspan`, and edits replace only the scalar's text, so quotes,
comments and line endings around it stay as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Edit, Fix, FixSafety
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model.values import contains_expression
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    from qmoi.check.base import Context
    from qmoi.model.workflow import WorkflowInput


def text_span(source: SourceFile, span: Span, value: str) -> Span:
    """Where ``value`` is written inside ``span`` (inside the quotes of a quoted scalar).

    Values this is used for (job ids, runner labels) never need escapes, so the text is
    found verbatim; otherwise the whole span is returned.
    """
    index = source.text.find(value, span.start, span.end) if value else -1
    if index < 0:
        return span
    return Span(index, index + len(value))


def replace_text(source: SourceFile, span: Span, value: str, new: str) -> Edit:
    """An edit that rewrites ``value`` where it is written inside ``span``."""
    return Edit(text_span(source, span, value), new)


def inner_span(scalar: Scalar, source: SourceFile, offset: int, length: int = 1) -> Span:
    """The source span of ``scalar.value[offset:offset + length]``."""
    end = max(offset, min(offset + length, len(scalar.value)))
    return value_span_to_source(scalar, source, Span(offset, end))


def one_edit_away(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of two neighbouring
    characters (a single slip of the fingers) turns ``a`` into ``b``."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


def walk_nodes(root: Node) -> Iterator[Node]:
    """Every node under ``root`` once (aliases make the tree a DAG; a shared node is
    visited at its first place only)."""
    stack: list[Node] = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, Mapping):
            for key, value in reversed(node.pairs):
                stack.append(value)
                stack.append(key)
        elif isinstance(node, Sequence):
            stack.extend(reversed(node.items))


def quoted_list(names: Iterable[str]) -> str:
    items = [f'"{name}"' for name in names]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def report_input_type(ctx: Context, type_node: Scalar, event: str, allowed: Iterable[str]) -> None:
    """An input ``type`` that ``event`` does not accept, with an unsafe rename when a
    close one exists (the input's meaning changes with its type)."""
    options = tuple(allowed)
    guess = did_you_mean(type_node.value, options)
    if guess is None and type_node.value.lower() in ("bool", "int", "integer", "float", "str"):
        guess = {"bool": "boolean", "str": "string"}.get(type_node.value.lower(), "number")
        guess = guess if guess in options else None
    message = f'input type "{type_node.value}" is not valid for {event}'
    fix = None
    if guess is None:
        message += f"; use {quoted_list(options)}"
    else:
        message += f'; did you mean "{guess}"?'
        edit = replace_text(ctx.source, type_node.span, type_node.value, guess)
        fix = Fix(f'Change to "{guess}"', FixSafety.UNSAFE, (edit,))
    ctx.report(type_node, message, fix=fix)


def check_input_default(ctx: Context, item: WorkflowInput, type_name: str) -> None:
    """A constant ``default`` that cannot be a value of the input's type."""
    default = item.default
    if not isinstance(default, Scalar) or default.is_null or contains_expression(default.value):
        return
    if type_name == "boolean" and default.kind is not ScalarKind.BOOL and default.value not in (
        "true", "false"
    ):
        ctx.report(default, f'default "{default.value}" of boolean input "{item.name}" must '
                            "be true or false")
    elif type_name == "number" and _not_a_number(default):
        ctx.report(default, f'default "{default.value}" of number input "{item.name}" is not '
                            "a number")


def _not_a_number(node: Scalar) -> bool:
    if node.kind in (ScalarKind.INT, ScalarKind.FLOAT):
        return False
    try:
        float(node.value.strip())
    except ValueError:
        return True
    return False
