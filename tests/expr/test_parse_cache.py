"""Parses cached by text and moved to another offset are exactly fresh parses there."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.expr.errors import ExpressionError, UnknownFunctionError
from qmoi.expr.parser import _parse_cached, _parse_fresh, parse_expression
from qmoi.source import Span

ATOMS = ["a", "b.c", "x['y']", "x[*]", "a.*.b", "'s'", "1", "NaN", "null", "true", "(", ")",
         "[", "]", ".", "*", ",", "!", "==", "<", "&&", "||", "contains(", "format(",
         "foo(", "case(", "success()", "'{0}'", " ", "=", "-"]


def _outcome(text: str, offset: int) -> str:
    try:
        return repr(parse_expression(text, offset=offset))  # repr shows every span
    except ExpressionError as error:
        return f"{type(error).__name__} {error.message} {error.span}"


def _fresh(text: str, offset: int) -> str:
    result = _parse_fresh(text, offset)
    if isinstance(result, ExpressionError):
        return f"{type(result).__name__} {result.message} {result.span}"
    return repr(result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=16).map("".join),
       st.integers(0, 50), st.integers(0, 50))
def test_a_text_seen_at_one_offset_parses_exactly_at_another(text: str, first: int,
                                                             then: int) -> None:
    _parse_cached.cache_clear()
    assert _outcome(text, first) == _fresh(text, first)
    assert _outcome(text, then) == _fresh(text, then)
    assert _outcome(text, first) == _fresh(text, first)


def test_parser_errors_are_moved_once() -> None:
    _parse_cached.cache_clear()
    for offset in (10, 0, 10):
        try:
            parse_expression("foo(1)", offset=offset)
        except UnknownFunctionError as error:
            assert error.span == Span(offset, offset + 3)
        try:
            parse_expression("contains(1)", offset=offset)
        except ExpressionError as error:
            assert error.span == Span(offset, offset + 11)


def test_the_cache_stays_bounded() -> None:
    _parse_cached.cache_clear()
    for n in range(_parse_cached.size + 5):
        parse_expression(f"a{n}", offset=n % 3)
    assert len(_parse_cached.by_text) <= _parse_cached.size
    assert repr(parse_expression("a1", offset=7)) == "Context(name='a1', span=Span(start=7, end=9))"
