"""``${{ }}`` inside YAML string values, and ``if:`` conditions.

Mirrors the runner's TemplateReader.ParseScalar: the closing ``}}`` is searched outside
single-quoted strings; a value that is exactly one ``${{ }}`` keeps the expression's type;
text mixed with expressions is a string, GitHub's ``format()`` of the parts.
``if:`` may omit ``${{ }}`` and gets an implicit ``success() &&`` unless it calls a status
function (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from qmoi.expr import ast
from qmoi.expr.errors import ExpressionError
from qmoi.expr.evaluator import EvalOptions, Status, evaluate
from qmoi.expr.parser import STATUS_FUNCTIONS, parse_expression
from qmoi.expr.values import Value, to_display_string
from qmoi.source import Span

OPEN, CLOSE = "${{", "}}"


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text of a value, outside every ``${{ }}``."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Embedded:
    """One ``${{ … }}``; ``span`` covers the delimiters, the tree's spans the inside."""

    expr: ast.Expr
    span: Span


Segment = Text | Embedded


@dataclass(frozen=True, slots=True)
class Template:
    """A string value split into literal text and ``${{ }}`` expressions."""

    text: str
    segments: tuple[Segment, ...]

    @property
    def is_literal(self) -> bool:
        return not any(isinstance(s, Embedded) for s in self.segments)

    @property
    def single(self) -> ast.Expr | None:
        """The expression when the value is exactly one ``${{ }}`` (and keeps its type)."""
        if len(self.segments) == 1 and isinstance(self.segments[0], Embedded):
            return self.segments[0].expr
        return None

    @property
    def expressions(self) -> tuple[ast.Expr, ...]:
        return tuple(s.expr for s in self.segments if isinstance(s, Embedded))

    def to_expression(self) -> ast.Expr:
        """The template as one expression, as GitHub compiles it (a ``format()`` call)."""
        single = self.single
        if single is not None:
            return single
        whole = Span(0, len(self.text))
        if self.is_literal:
            return ast.String(self.text, whole)
        pattern: list[str] = []
        args: list[ast.Expr] = []
        for segment in self.segments:
            if isinstance(segment, Text):
                pattern.append(segment.text.replace("{", "{{").replace("}", "}}"))
            else:
                pattern.append("{" + str(len(args)) + "}")
                args.append(segment.expr)
        return ast.Call("format", (ast.String("".join(pattern), whole), *args), whole,
                        Span(0, 0))


def find_end(text: str, start: int) -> int:
    """Index just past the ``}}`` closing the ``${{`` at ``start``, or -1 when unclosed."""
    i = start + len(OPEN)
    while True:
        close = text.find(CLOSE, i)
        quote = text.find("'", i, close if close >= 0 else len(text))
        if quote < 0:
            return -1 if close < 0 else close + len(CLOSE)
        # Skip a quoted string ('' escapes are two strings back to back, same result).
        end = text.find("'", quote + 1)
        if end < 0:
            return -1
        i = end + 1


def parse_template(text: str) -> Template:
    """Split a YAML string value into literal text and parsed expressions.

    Cached by text (templates are immutable); raises ``ExpressionError`` only.
    """
    result = _template_cached(text)
    if isinstance(result, ExpressionError):
        raise result.with_traceback(None)
    return result


@functools.lru_cache(maxsize=8192)
def _template_cached(text: str) -> Template | ExpressionError:
    try:
        return _parse_template(text)
    except ExpressionError as error:
        return error


def _parse_template(text: str) -> Template:
    segments: list[Segment] = []
    position = 0
    start = text.find(OPEN)
    while start >= 0:
        if start > position:
            segments.append(Text(text[position:start], Span(position, start)))
        end = find_end(text, start)
        if end < 0:
            raise ExpressionError("the expression is not closed: '${{' has no matching '}}'",
                                  Span(start, len(text)))
        inner = text[start + len(OPEN) : end - len(CLOSE)]
        if not inner.strip():
            raise ExpressionError("an expression was expected between '${{' and '}}'",
                                  Span(start, end))
        segments.append(Embedded(parse_expression(inner, offset=start + len(OPEN)),
                                 Span(start, end)))
        position = end
        start = text.find(OPEN, position)
    if position < len(text) or not segments:
        segments.append(Text(text[position:], Span(position, len(text))))
    return Template(text, tuple(segments))


def render_template(template: Template, contexts: Mapping[str, Value], *,
                    status: Status = Status.SUCCESS, options: EvalOptions | None = None
                    ) -> Value:
    """The value: typed for a lone ``${{ }}``, else the string of all parts joined."""
    single = template.single
    if single is not None:
        return evaluate(single, contexts, status=status, options=options)
    parts: list[str] = []
    for segment in template.segments:
        if isinstance(segment, Text):
            parts.append(segment.text)
        else:
            value = evaluate(segment.expr, contexts, status=status, options=options)
            parts.append(to_display_string(value))
    return "".join(parts)


def uses_status_function(tree: ast.Expr) -> bool:
    return any(isinstance(node, ast.Call) and node.name.lower() in STATUS_FUNCTIONS
               for node in ast.walk(tree))


def parse_condition(text: str | None) -> ast.Expr:
    """An ``if:`` value as the expression GitHub evaluates, implicit ``success()`` included.

    ``None`` or blank means ``success()``. Without ``${{`` the whole value is the
    expression; a value mixing text and ``${{ }}`` is a string, truthy unless empty.
    """
    if text is None or not text.strip():
        return ast.Call("success", (), Span(0, 0), Span(0, 0))
    tree = parse_template(text).to_expression() if OPEN in text else parse_expression(text)
    if uses_status_function(tree):
        return tree
    implicit = ast.Call("success", (), Span(tree.span.start, tree.span.start),
                        Span(tree.span.start, tree.span.start))
    operands = tree.operands if isinstance(tree, ast.And) else (tree,)
    return ast.And((implicit, *operands), tree.span)
