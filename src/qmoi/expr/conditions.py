"""``if:`` conditions: constant ones, and the rewrite of text outside ``${{ }}``.

"If you wrap only part of an ``if`` in ``${{ }}``, the value is a string, and any
non-empty string is true": ``if: ${{ a }} && ${{ b }}`` always runs
(https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idif,
data/reusables/actions/expression-syntax-if.md). The fix moves the whole condition into one
``${{ }}``, splicing only the scalar's own text (quoting kept valid for its style).
"""

from __future__ import annotations

from qmoi.diagnostics import Edit, Fix, FixSafety
from qmoi.expr import ast
from qmoi.expr.errors import ExpressionError
from qmoi.expr.evaluator import evaluate
from qmoi.expr.parser import parse_expression
from qmoi.expr.template import Embedded, Template
from qmoi.expr.values import is_truthy
from qmoi.parse.nodes import Scalar
from qmoi.source import SourceFile, Span

# Calls whose result depends on the run, so a condition using them is not constant.
_RUNTIME = frozenset(("success", "failure", "cancelled", "always", "hashfiles"))


def constant_condition(tree: ast.Expr, what: str) -> str | None:
    """A message when the condition reads no context and calls no status function, so it
    always gives the same answer; None otherwise."""
    if _reads_the_run(tree):
        return None
    try:
        value = evaluate(tree, {})
    except ExpressionError:
        return None
    if is_truthy(value):
        return (f"this if: is always true, so it only keeps the implicit success() check; "
                f"remove it (the {what} runs when earlier ones succeeded)")
    return f"this if: is always false, so the {what} never runs"


def _reads_the_run(tree: ast.Expr) -> bool:
    """Whether a context or a runtime call occurs anywhere in the tree. Stops at the first
    one: nearly every condition reads a context, often in its first branch."""
    stack: list[ast.Expr | ast.Star] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Context):
            return True
        if isinstance(node, ast.Call) and node.name.lower() in _RUNTIME:
            return True
        stack.extend(ast.children(node))
    return False


def if_text_fix(scalar: Scalar, template: Template, source: SourceFile) -> Fix | None:
    """Rewrite ``${{ a }} && ${{ b }}`` as ``${{ a && b }}``; None when the result would
    not be one valid expression.

    Safe when only blanks lie outside the one ``${{ }}`` (certainly what was meant);
    unsafe otherwise, since the joined condition starts to decide for real.
    """
    if scalar.anchor is not None or scalar.tag is not None:
        return None
    embedded = [s for s in template.segments if isinstance(s, Embedded)]
    condition = _joined(template, len(embedded) > 1)
    if condition is None:
        return None
    try:
        parse_expression(condition)
    except ExpressionError:
        return None
    blank = len(embedded) == 1 and not "".join(
        s.text for s in template.segments if not isinstance(s, Embedded)).strip()
    text = _yaml_scalar("${{ " + condition + " }}", scalar.style)
    span = _edit_span(scalar, source)
    safety = FixSafety.SAFE if blank else FixSafety.UNSAFE
    return Fix("Put the whole condition inside one ${{ }}", safety, (Edit(span, text),))


def _joined(template: Template, several: bool) -> str | None:
    parts: list[str] = []
    for segment in template.segments:
        if isinstance(segment, Embedded):
            start, end = segment.span.start + 3, segment.span.end - 2
            inner = template.text[start:end].strip()
            atomic = isinstance(segment.expr, _ATOMIC)
            parts.append(inner if atomic or not several else f"({inner})")
        else:
            parts.append(segment.text)
    joined = "".join(parts).strip()
    if "\n" in joined or "\r" in joined:
        if "'" in joined:
            return None  # a line break might sit inside a string literal
        joined = " ".join(joined.split())
    return joined or None


_ATOMIC = (ast.Index, ast.Context, ast.Call, ast.Null, ast.Bool, ast.Number, ast.String)
_PLAIN_UNSAFE = (": ", " #", "\t")


def _yaml_scalar(value: str, style: str) -> str:
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "'" or any(bad in value for bad in _PLAIN_UNSAFE) or value.endswith(":"):
        return "'" + value.replace("'", "''") + "'"
    return value


def _edit_span(scalar: Scalar, source: SourceFile) -> Span:
    """The scalar's text; a block scalar's trailing line breaks stay in the file."""
    start, end = scalar.span.start, scalar.span.end
    if scalar.style in ("|", ">"):
        text = source.text
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
    return Span(start, end)
