"""Templates and if: conditions (docs: "About expressions", "Status check functions";
runner: TemplateReader.ParseScalar, WorkflowTemplateConverter.ConvertToIfCondition)."""

from __future__ import annotations

from typing import Any

import pytest

from qmoi.expr import (
    ExpressionError,
    Status,
    evaluate,
    parse_condition,
    parse_template,
    render_template,
    to_text,
)
from qmoi.expr.template import Embedded, Text

CTX: dict[str, Any] = {"github": {"run_id": 7, "ref": "refs/heads/main"},
                       "inputs": {"matrix": '{"os": ["a", "b"]}', "flag": True}}


def render(text: str) -> Any:
    return render_template(parse_template(text), CTX)


def test_a_lone_expression_keeps_its_type() -> None:
    assert render("${{ fromJSON(inputs.matrix) }}") == {"os": ["a", "b"]}
    assert render("${{ inputs.flag }}") is True
    assert render("${{ github.run_id }}") == 7.0


def test_mixed_text_becomes_a_string() -> None:
    assert render("run-${{ github.run_id }}-${{ inputs.flag }}") == "run-7-true"
    assert render(" ${{ github.run_id }}") == " 7"
    assert render("${{ null }}x") == "x"
    assert render("${{ fromJSON(inputs.matrix) }}!") == "Object!"


def test_text_without_expressions_is_literal() -> None:
    template = parse_template("plain {0} text")
    assert template.is_literal and render("plain {0} text") == "plain {0} text"
    assert parse_template("").segments == (Text("", template.segments[0].span.__class__(0, 0)),)


def test_closing_braces_inside_string_literals_do_not_end_the_expression() -> None:
    assert render("${{ '}}' }}") == "}}"
    assert render("a ${{ format('{0}}}', 'x') }} b") == "a x} b"
    assert render("${{ 'it''s }}' }}") == "it's }}"


def test_segments_and_spans() -> None:
    text = "a ${{ github.run_id }} b"
    template = parse_template(text)
    first, middle, last = template.segments
    assert isinstance(first, Text) and first.text == "a "
    assert isinstance(middle, Embedded) and text[middle.span.start:middle.span.end] == \
        "${{ github.run_id }}"
    assert text[middle.expr.span.start:middle.expr.span.end] == "github.run_id"
    assert isinstance(last, Text) and last.text == " b"


def test_errors_point_into_the_whole_value() -> None:
    with pytest.raises(ExpressionError, match="not closed") as info:
        parse_template("x ${{ github.ref")
    assert info.value.span is not None and info.value.span.start == 2
    with pytest.raises(ExpressionError, match="expression was expected"):
        parse_template("${{  }}")
    with pytest.raises(ExpressionError) as info:
        parse_template("ok ${{ a == = b }}")
    assert info.value.span is not None and info.value.span.start == 12


def test_to_expression_is_githubs_format_call() -> None:
    template = parse_template("v{1}-${{ github.run_id }}")
    assert to_text(template.to_expression()) == "format('v{{1}}-{0}', github.run_id)"
    assert evaluate(template.to_expression(), CTX) == "v{1}-7"


@pytest.mark.parametrize(("text", "canonical"), [
    (None, "success()"),
    ("", "success()"),
    ("github.ref == 'x'", "success() && github.ref == 'x'"),
    ("${{ github.ref == 'x' }}", "success() && github.ref == 'x'"),
    ("a || b", "success() && (a || b)"),
    ("a && b", "success() && a && b"),
    ("always()", "always()"),
    ("${{ !cancelled() }}", "!cancelled()"),
    ("FAILURE() || x", "FAILURE() || x"),
    ("contains(format('{0}', success()), 'x')", "contains(format('{0}', success()), 'x')"),
    ("true && ${{ false }}", "success() && format('true && {0}', false)"),
])
def test_if_conditions(text: str | None, canonical: str) -> None:
    assert to_text(parse_condition(text)) == canonical


def test_partial_wrapping_makes_a_truthy_string_as_the_docs_warn() -> None:
    assert evaluate(parse_condition("true && ${{ false }}"), {}) == "true && false"
    assert evaluate(parse_condition("${{ false }}"), {}) is False


def test_implicit_success_follows_the_status() -> None:
    condition = parse_condition("github.run_id == 7")
    assert evaluate(condition, CTX, status=Status.SUCCESS) is True
    assert evaluate(condition, CTX, status=Status.FAILURE) is False
    assert evaluate(parse_condition("failure()"), CTX, status=Status.FAILURE) is True
