"""Untrusted input paths and where their text flows."""

from __future__ import annotations

import pytest

from qmoi.expr import parse_expression
from qmoi.expr.taint import is_untrusted, is_untrusted_path, untrusted_paths


@pytest.mark.parametrize("text", [
    "github.event.issue.title", "github.event.issue.body", "github.event.pull_request.title",
    "github.event.pull_request.head.ref", "github.head_ref", "github.event.comment.body",
    "github.event.review.body", "github.event.commits[0].message",
    "github.event.commits.*.author.email", "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch", "github.event.pages.*.page_name",
    "GITHUB.EVENT.ISSUE.TITLE", "github['head_ref']", "github.event.discussion.body",
])
def test_documented_untrusted_inputs(text: str) -> None:
    assert is_untrusted(parse_expression(text))


@pytest.mark.parametrize("text", [
    "github.sha", "github.ref", "github.event.issue.number", "github.event.pull_request.head.sha",
    "contains(github.event.issue.title, 'x')", "github.event.issue.title == 'x'",
    "!github.head_ref", "github.event.issue", "toJSON(github.sha)",
    "startsWith(github.head_ref, 'a')",
])
def test_trusted_or_boolean_values(text: str) -> None:
    assert not is_untrusted(parse_expression(text))


def test_text_flows_through_format_join_and_logical_operators() -> None:
    tree = parse_expression(
        "format('{0}', github.event.issue.title) || join(github.event.commits.*.message) "
        "|| github.sha")
    assert [path for path, _ in untrusted_paths(tree)] == [
        "github.event.issue.title", "github.event.commits.*.message"]
    spans = [span for _, span in untrusted_paths(tree)]
    assert spans[0].start == len("format('{0}', ")


def test_to_json_of_a_parent_object_serialises_untrusted_fields() -> None:
    assert is_untrusted(parse_expression("toJSON(github.event.pull_request)"))
    assert is_untrusted(parse_expression("toJSON(github.event)"))
    assert not is_untrusted(parse_expression("toJSON(github.event.pull_request.number)"))


def test_case_values_but_not_predicates() -> None:
    assert not is_untrusted(parse_expression("case(github.head_ref == 'x', 'a', 'b')"))
    assert is_untrusted(parse_expression("case(github.sha == 'x', github.head_ref, 'b')"))


def test_paths_with_wildcards() -> None:
    assert is_untrusted_path("github.event.commits.*.message")
    assert is_untrusted_path("github.event.workflow_run.pull_requests.*.head.ref")
    assert not is_untrusted_path("github.event.commits.*.id")
