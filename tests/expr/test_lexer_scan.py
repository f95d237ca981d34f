"""The regex scanner in ``Lexer.tokens`` against the character-by-character reader it
short-cuts: same tokens, same spans, same brackets left open, same errors at the same
positions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.expr.errors import ExpressionError
from qmoi.expr.lexer import Lexer, Token

Result = tuple[list[Token], list[Token]] | tuple[str, object]


def _by_reader(text: str) -> Result:
    lexer = Lexer(text)
    found: list[Token] = []
    try:
        while (token := lexer._next()) is not None:
            found.append(token)
    except ExpressionError as error:
        return error.message, error.span
    return found, lexer.unclosed


def _by_scanner(text: str) -> Result:
    lexer = Lexer(text)
    try:
        return lexer.tokens(), lexer.unclosed
    except ExpressionError as error:
        return error.message, error.span


PIECES = ["github", ".", "event", "[", "]", "(", ")", ",", "*", " ", "\t", "\n", "\x1c",
          "\u3000", "'", "''", "'a b'", "!", "=", "==", "!=", "<", "<=", ">", ">=", "&", "&&",
          "|", "||", "-", "+", "1", "0x1F", "1.5e3", ".5", "NaN", "Infinity", "true", "null",
          "contains", "format", "x-y", "_a1", "\u0663", '"', "$", "é", "a\x1cb", "1+2"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_scanner_matches_reader_on_token_soup(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _by_scanner(text) == _by_reader(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab1.-+'()[],*!=<>&| \t\x1c\u00a0\u0663\"", max_size=20))
def test_scanner_matches_reader_on_any_text(text: str) -> None:
    assert _by_scanner(text) == _by_reader(text)


def test_scanner_examples() -> None:
    for text in ("github.event.pull_request.labels.*.name", "format('{0}', a[0])",
                 "contains( fromJSON('[1]') , 1 )", "a.true.null", "!(a && b) || c == 'x''y'",
                 "'unterminated''", "a = b", ".5 == -0x10", "a\x1c.b", "f ()", "x.f(1)"):
        assert _by_scanner(text) == _by_reader(text), text
