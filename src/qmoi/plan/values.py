"""Evaluating workflow values that may hold ``${{ }}``, with errors located in the file.

A scalar that is exactly one expression keeps the expression's type; text mixed with
expressions becomes a string (``qmoi.expr.render_template``); a scalar without expressions
keeps its YAML 1.2 type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qmoi.errors import QmoiError
from qmoi.expr import (
    EvalOptions,
    ExpressionError,
    Status,
    Template,
    parse_condition,
    parse_expression,
    parse_template,
    render_template,
    to_display_string,
)
from qmoi.expr import evaluate as evaluate_tree
from qmoi.expr.template import uses_status_function
from qmoi.expr.values import is_truthy
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model.values import to_json
from qmoi.parse.nodes import Mapping as MappingNode
from qmoi.parse.nodes import Node, Scalar, ScalarKind, Sequence
from qmoi.source import SourceFile

Contexts = Mapping[str, Any]


class EvaluationError(QmoiError):
    """An expression in a workflow failed; ``location`` is ``path:line:col``."""


def locate(source: SourceFile | None, scalar: Scalar | None,
           error: ExpressionError | None = None) -> str | None:
    if source is None or scalar is None:
        return None
    offset = scalar.span.start
    if error is not None and error.span is not None:
        try:
            offset = value_span_to_source(scalar, source, error.span).start
        except (ValueError, IndexError):
            offset = scalar.span.start
    position = source.position(offset)
    return f"{source.path}:{position.line}:{position.column}"


_TEMPLATES: dict[tuple[int, str], Template] = {}


def _template(scalar: Scalar) -> Template:
    key = (id(scalar), scalar.value)
    found = _TEMPLATES.get(key)
    if found is None:
        if len(_TEMPLATES) > 8192:
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = parse_template(scalar.value)
    return found


def render_scalar(scalar: Scalar, contexts: Contexts, source: SourceFile | None = None, *,
                  status: Status = Status.SUCCESS, options: EvalOptions | None = None) -> Any:
    """The value of one scalar; a failing expression raises :class:`EvaluationError`."""
    if scalar.kind is not ScalarKind.STR or "${{" not in scalar.value:
        return to_json(scalar)
    try:
        return render_template(_template(scalar), contexts, status=status, options=options)
    except ExpressionError as error:
        raise EvaluationError(error.message, location=locate(source, scalar, error)) from None


def render_text(scalar: Scalar | None, contexts: Contexts, source: SourceFile | None = None,
                *, options: EvalOptions | None = None) -> str:
    """A scalar as the string GitHub passes on (numbers and booleans printed its way)."""
    if scalar is None or scalar.is_null:
        return ""
    if "${{" not in scalar.value:
        return scalar.value
    return to_display_string(render_scalar(scalar, contexts, source, options=options))


def render_node(node: Node | None, contexts: Contexts, source: SourceFile | None = None, *,
                options: EvalOptions | None = None) -> Any:
    """A whole subtree as plain values, every string scalar rendered."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return render_scalar(node, contexts, source, options=options)
    if isinstance(node, MappingNode):
        return {k.value: render_node(v, contexts, source, options=options) for k, v in node.pairs}
    assert isinstance(node, Sequence)
    return [render_node(item, contexts, source, options=options) for item in node.items]


def condition_holds(scalar: Scalar | None, contexts: Contexts, source: SourceFile | None,
                    status: Status, *, options: EvalOptions | None = None) -> bool:
    """An ``if:`` with GitHub's implicit ``success() &&`` when it calls no status function."""
    text = None if scalar is None or scalar.is_null else scalar.value
    if scalar is not None and scalar.kind is ScalarKind.BOOL:
        text = scalar.value.lower()
    try:
        tree = parse_condition(text)
        value = evaluate_tree(tree, contexts, status=status, options=options)
    except ExpressionError as error:
        raise EvaluationError(error.message, location=locate(source, scalar)) from None
    return is_truthy(value)


def uses_status_check(scalar: Scalar | None) -> bool:
    """Whether an ``if:`` calls a status function (then no implicit ``success()``)."""
    if scalar is None or scalar.kind is not ScalarKind.STR:
        return False
    try:
        text = scalar.value
        tree = parse_template(text).to_expression() if "${{" in text else parse_expression(text)
        return uses_status_function(tree)
    except ExpressionError:
        return False
