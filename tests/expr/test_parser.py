"""Parsing: literals, precedence, spans and GitHub's syntax errors.

Cases from https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
(literals, operators) and the runner's lexer rules (src/Sdk/Expressions/Tokens).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.expr import ExpressionError, parse_expression
from qmoi.expr import ast as a
from qmoi.expr.parser import MAX_DEPTH, MAX_LENGTH
from qmoi.source import Span


@pytest.mark.parametrize(("text", "tree"), [
    ("null", a.Null()),
    ("true", a.Bool(True)),
    ("false", a.Bool(False)),
    ("711", a.Number(711.0)),
    ("-9.2", a.Number(-9.2)),
    ("+3", a.Number(3.0)),
    ("0xff", a.Number(255.0)),
    ("0o17", a.Number(15.0)),
    ("-2.99e-2", a.Number(-0.0299)),
    (".5", a.Number(0.5)),
    ("Infinity", a.Number(math.inf)),
    ("-Infinity", a.Number(-math.inf)),
    ("NaN", a.Number(math.nan)),
    ("'Mona the Octocat'", a.String("Mona the Octocat")),
    ("'It''s open source!'", a.String("It's open source!")),
    ("''", a.String("")),
])
def test_literals_from_the_docs(text: str, tree: a.Expr) -> None:
    assert parse_expression(text) == tree


def ctx(name: str) -> a.Context:
    return a.Context(name)


def test_property_and_index_are_the_same_node() -> None:
    dotted = parse_expression("github.event.pull-request")
    assert dotted == parse_expression("github['event']['pull-request']")
    assert dotted == a.Index(a.Index(ctx("github"), a.String("event")), a.String("pull-request"))


def test_keywords_after_a_dot_are_property_names() -> None:
    assert parse_expression("a.true.null") == a.Index(a.Index(ctx("a"), a.String("true")),
                                                      a.String("null"))


def test_object_filters() -> None:
    tree = parse_expression("github.event.issue.labels.*.name")
    assert isinstance(tree, a.Index) and tree.key == a.String("name")
    assert isinstance(tree.target, a.Index) and isinstance(tree.target.key, a.Star)
    assert parse_expression("a[*]") == parse_expression("a.*")


def test_precedence_not_compare_equality_and_or() -> None:
    tree = parse_expression("!a == b < c && d || e")
    expected = a.Or((
        a.And((a.Compare("==", a.Not(ctx("a")), a.Compare("<", ctx("b"), ctx("c"))), ctx("d"))),
        ctx("e"),
    ))
    assert tree == expected


def test_binary_operators_associate_left_and_groups_leave_no_node() -> None:
    assert parse_expression("a == b == c") == a.Compare("==", a.Compare("==", ctx("a"),
                                                                        ctx("b")), ctx("c"))
    assert parse_expression("((a))") == ctx("a")


def test_logical_chains_are_flattened_like_github() -> None:
    assert parse_expression("a && (b && c)") == a.And((ctx("a"), ctx("b"), ctx("c")))
    assert parse_expression("(a || b) && c") == a.And((a.Or((ctx("a"), ctx("b"))), ctx("c")))


def test_function_names_are_case_insensitive_and_keep_their_spelling() -> None:
    tree = parse_expression("toJson(fromJSON('1'))")
    assert isinstance(tree, a.Call) and tree.name == "toJson"
    assert parse_expression("format ('x')") == a.Call("format", (a.String("x"),))


def test_spans_point_into_the_text() -> None:
    text = "contains(github.ref, 'x') && !cancelled()"
    tree = parse_expression(text)
    assert isinstance(tree, a.And)
    call, negation = tree.operands
    assert text[call.span.start:call.span.end] == "contains(github.ref, 'x')"
    assert isinstance(call, a.Call) and text[call.name_span.start:call.name_span.end] == "contains"
    assert text[negation.span.start:negation.span.end] == "!cancelled()"
    ref = call.args[0]
    assert isinstance(ref, a.Index) and text[ref.key.span.start:ref.key.span.end] == "ref"


def test_offset_shifts_spans_and_errors() -> None:
    assert parse_expression("x", offset=10).span == Span(10, 11)
    with pytest.raises(ExpressionError) as info:
        parse_expression("a ==", offset=4)
    assert info.value.span is not None and info.value.span.start >= 4


@pytest.mark.parametrize(("text", "where", "fragment"), [
    ('"double"', 0, "single quotes"),
    ("a + b", 2, "arithmetic"),
    ("1+2", 0, "arithmetic"),
    ("a - b", 2, "arithmetic"),
    ("a * b", 2, "expected an operator"),
    ("a = b", 2, "use '=='"),
    ("a & b", 2, "use '&&'"),
    ("a ==", 4, "unexpected end"),
    ("(a", 2, "not closed"),
    ("a)", 1, "no matching"),
    ("a]", 1, "no matching"),
    ("f(", 2, "not closed"),
    ("nope(1)", 0, "unrecognized function 'nope'"),
    ("contains('a')", 0, "too few arguments"),
    ("toJSON(1, 2)", 0, "too many arguments"),
    ("success(1)", 0, "too many"),
    ("case(true, 1)", 0, "too few"),
    ("case(true, 1, false, 2)", 0, "odd number"),
    ("'abc", 0, "unterminated string"),
    ("a b", 2, "expected an operator"),
    ("a.5", 2, "expected a property name"),
    ("'x'.y", 3, "expected an operator"),
    ("'x'[0]", 3, "expected an operator"),
    ("[1]", 0, "expected a value"),
    ("contains(a,)", 11, "expected a value"),
    ("(a, b)", 2, "between function arguments"),
    ("a[b, c]", 3, "between function arguments"),
    ("1.2.3", 0, "not a number"),
    ("0x", 0, "not a number"),
    ("True", 0, "named"),  # keywords are case-sensitive: True is a context name ...
    ("", 0, "expected an expression"),
    ("   ", 0, "expected an expression"),
    ("a.b(1)", 3, "expected an operator"),
    ("é", 0, "unexpected symbol"),
])
def test_syntax_errors_say_what_and_where(text: str, where: int, fragment: str) -> None:
    if fragment == "named":
        assert parse_expression(text) == a.Context("True")
        return
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert fragment in info.value.message
    assert info.value.span is not None and info.value.span.start == where


def test_length_limit() -> None:
    parse_expression("'" + "x" * (MAX_LENGTH - 2) + "'")
    with pytest.raises(ExpressionError, match="limit is 21000"):
        parse_expression("'" + "x" * (MAX_LENGTH - 1) + "'")


def test_depth_limit_counts_tree_levels_like_github() -> None:
    # a.b.c... : each property adds one level; the literal key is a level too.
    ok = "a" + ".b" * (MAX_DEPTH - 1)
    assert a.depth(parse_expression(ok)) == MAX_DEPTH
    with pytest.raises(ExpressionError, match="deeper than 50"):
        parse_expression(ok + ".b")


def test_redundant_parentheses_do_not_count_but_absurd_nesting_is_refused() -> None:
    assert parse_expression("(" * 60 + "a" + ")" * 60) == ctx("a")
    with pytest.raises(ExpressionError, match="nests more than"):
        parse_expression("(" * 5000 + "a" + ")" * 5000)
    with pytest.raises(ExpressionError):
        parse_expression("!" * 5000 + "a")


_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,5}", fullmatch=True) | st.sampled_from(
    ["true", "null", "NaN", "Infinity", "false", "github", "a-b"])
_GAP = st.sampled_from(["", " ", "\t", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAME, min_size=1, max_size=30), _GAP, _GAP, st.integers(0, 50))
def test_property_paths_parse_as_the_token_parser_does(names: list[str], lead: str,
                                                       trail: str, offset: int) -> None:
    """Dotted paths skip the lexer: the tree (or the error) must be the same, spans
    included (trees compare without their spans, so their reprs are compared)."""
    from qmoi.expr.parser import _parse, _parse_tokens

    text = lead + ".".join(names) + trail

    def outcome(parse):  # type: ignore[no-untyped-def]
        try:
            return repr(parse(text, offset))
        except ExpressionError as error:
            return (error.message, error.span)

    assert outcome(_parse) == outcome(_parse_tokens)
