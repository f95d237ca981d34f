"""Tokens, with GitHub's rule that each token must be legal after the one before it.

Follows the runner's LexicalAnalyzer.cs: numbers may carry a sign (there is no unary minus)
and run to the next token boundary, so ``1+2`` is one bad token; identifiers may contain
``-``; keywords (``true``, ``NaN``…) are case-sensitive; a word directly followed by ``(``
is a function; after ``.`` any word is a property name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

from qmoi.expr.errors import ExpressionError
from qmoi.expr.values import _NOT_DOTNET_SPACE, is_space, parse_number
from qmoi.source import Span


class T(Enum):
    # Enum's own __hash__ is Python code; the lexer hashes kinds ~10 times per token.
    __hash__ = object.__hash__

    START_GROUP = "("
    START_PARAMS = "f("
    START_INDEX = "["
    END_GROUP = ")"
    END_PARAMS = "f)"
    END_INDEX = "]"
    SEPARATOR = ","
    DEREFERENCE = "."
    WILDCARD = "*"
    OPERATOR = "operator"
    NULL = "null"
    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"
    PROPERTY = "property name"
    FUNCTION = "function"
    NAMED = "named value"


@dataclass(frozen=True, slots=True)
class Token:
    """A lexeme of an expression: its kind, its text as written, its offset and, for a literal,
    its value."""

    kind: T
    raw: str
    start: int
    value: object = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.start + len(self.raw))


_BOUNDARY = frozenset("([)],.!><=&|")
_WORD = re.compile(r"[^\s()\[\],.!<>=&|]*")
_WORD_WITH_DOTS = re.compile(r"[^\s()\[\],!<>=&|]*")
_SIMPLE = {"[": T.START_INDEX, "]": T.END_INDEX, ",": T.SEPARATOR, "*": T.WILDCARD}
_OPERATORS_2 = frozenset(("!=", ">=", "<=", "==", "&&", "||"))
_OPERATORS_1 = frozenset("!><")
_KEYWORDS: dict[str, tuple[T, object]] = {
    "null": (T.NULL, None),
    "true": (T.BOOLEAN, True),
    "false": (T.BOOLEAN, False),
    "NaN": (T.NUMBER, math.nan),
    "Infinity": (T.NUMBER, math.inf),
}

_VALUE_END = frozenset((T.END_GROUP, T.END_PARAMS, T.END_INDEX, T.WILDCARD, T.PROPERTY, T.NAMED))
_LITERALS = frozenset((T.NULL, T.BOOLEAN, T.NUMBER, T.STRING))
_OPERAND_START = frozenset((None, T.SEPARATOR, T.START_GROUP, T.START_PARAMS, T.START_INDEX,
                            T.OPERATOR))
# Which previous token kinds each token kind may follow (LexicalAnalyzer.CreateToken).
_FOLLOWS: dict[T, frozenset[T | None]] = {
    T.START_GROUP: _OPERAND_START,
    T.START_INDEX: _VALUE_END,
    T.START_PARAMS: frozenset((T.FUNCTION,)),
    T.END_GROUP: _VALUE_END | _LITERALS,
    T.END_INDEX: _VALUE_END | _LITERALS,
    T.END_PARAMS: _VALUE_END | _LITERALS | {T.START_PARAMS},
    T.SEPARATOR: _VALUE_END | _LITERALS,
    T.DEREFERENCE: _VALUE_END,
    T.WILDCARD: frozenset((T.START_INDEX, T.DEREFERENCE)),
    T.NULL: _OPERAND_START,
    T.BOOLEAN: _OPERAND_START,
    T.NUMBER: _OPERAND_START,
    T.STRING: _OPERAND_START,
    T.PROPERTY: frozenset((T.DEREFERENCE,)),
    T.FUNCTION: _OPERAND_START,
    T.NAMED: _OPERAND_START,
}


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def is_identifier(text: str) -> bool:
    """A legal context, property or function name: [A-Za-z_][A-Za-z0-9_-]*."""
    return _IDENTIFIER.match(text) is not None


_OPENERS = {T.END_GROUP: T.START_GROUP, T.END_INDEX: T.START_INDEX,
            T.END_PARAMS: T.START_PARAMS, T.SEPARATOR: T.START_PARAMS}


def _expected_after(last: Token | None) -> str:
    if last is None or last.kind in _OPERAND_START:
        return "a value, a function call, '(' or '!'"
    if last.kind is T.DEREFERENCE:
        return "a property name or '*'"
    if last.kind is T.START_INDEX:
        return "an index or '*'"
    if last.kind is T.FUNCTION:
        return "'('"
    return "an operator, '.', '[', ')', ']', ',' or the end of the expression"


_OPENS = frozenset((T.START_GROUP, T.START_INDEX, T.START_PARAMS))
_BANG_FOLLOWS = _OPERAND_START
_FOLLOWS[T.OPERATOR] = _VALUE_END | _LITERALS

# The scanner: .NET's spaces (Python's \s but for _NOT_DOTNET_SPACE), then one token.
# Names and numbers run to the next boundary (_until_boundary); a name that is not an
# identifier, an unterminated string and '=', '&' or '|' alone match no group and go to
# the character reader, which words the error.
_ND = re.escape(_NOT_DOTNET_SPACE)
_SPACES = rf"[^\S{_ND}]*+"
_REST = rf"(?:[^\s()\[\],.!<>=&|]|[{_ND}])"
_REST_DOTS = rf"(?:[^\s()\[\],!<>=&|]|[{_ND}])"
_SCAN = re.compile(
    _SPACES + "(?:"
    rf"(?P<name>[A-Za-z_][A-Za-z0-9_-]*+)(?!{_REST})"
    r"|(?P<punct>[()\[\],*])"
    r"|(?P<op>!=|>=|<=|==|&&|\|\||[!<>])"
    r"|(?P<string>'(?:[^']++|'')*+')"
    rf"|(?P<number>[-+.0-9]{_REST_DOTS}*+)"
    ")?")
_CALL = re.compile(_SPACES + r"\(")


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.last: Token | None = None
        self.unclosed: list[Token] = []

    def tokens(self) -> list[Token]:
        """All tokens: common ones from one regex match each, anything unusual (and
        every error) through the character-by-character reader below."""
        text, unclosed = self.text, self.unclosed
        found: list[Token] = []
        append, scan = found.append, _SCAN.match
        last: T | None = None
        pos = 0
        while True:
            match = scan(text, pos)
            assert match is not None  # every part of the pattern may match empty
            group = match.lastgroup
            if group is None:  # the end, or a token the reader must look at itself
                self.index = match.end()
                self.last = found[-1] if found else None
                if self.index >= len(text):
                    return found
                token = self._next()
                assert token is not None
                append(token)
                last, pos = token.kind, self.index
                continue
            start, end = match.span(group)
            raw = match.group(group)
            value: object = None
            if group == "name":
                if last is T.DEREFERENCE:
                    kind = T.PROPERTY
                elif raw in _KEYWORDS:
                    kind, value = _KEYWORDS[raw]
                elif _CALL.match(text, end):
                    kind = T.FUNCTION
                else:
                    kind = T.NAMED
            elif group == "punct":
                if raw == "(":
                    kind = T.START_PARAMS if last is T.FUNCTION else T.START_GROUP
                elif raw == ")":
                    kind = T.END_PARAMS if unclosed and unclosed[-1].kind is T.START_PARAMS \
                        else T.END_GROUP
                else:
                    kind = _SIMPLE[raw]
            elif group == "op":
                kind = T.OPERATOR
            elif group == "string":
                kind, value = T.STRING, raw[1:-1].replace("''", "'")
            elif raw[0] == "." and last not in _OPERAND_START:
                kind, raw, end = T.DEREFERENCE, ".", start + 1
            else:
                value = parse_number(raw)
                if math.isnan(value):  # the reader words the error
                    self.index, self.last = start, found[-1] if found else None
                    self._number()
                kind = T.NUMBER
            token = Token(kind, raw, start, value)
            allowed = _BANG_FOLLOWS if raw == "!" else _FOLLOWS[kind]
            if last not in allowed:
                self.last = found[-1] if found else None
                self._check(token)  # raises, worded by the reader
            if kind in _OPENS:
                unclosed.append(token)
            elif kind in _OPENERS:
                if not unclosed or unclosed[-1].kind is not _OPENERS[kind]:
                    self.last = found[-1] if found else None
                    self._track(token)  # raises, worded by the reader
                if kind is not T.SEPARATOR:
                    unclosed.pop()
            append(token)
            last, pos = kind, end

    def _next(self) -> Token | None:
        text, n = self.text, len(self.text)
        while self.index < n and is_space(text[self.index]):
            self.index += 1
        if self.index >= n:
            return None
        token = self._read(text[self.index])
        self._check(token)
        self.last = token
        return token

    def _read(self, c: str) -> Token:
        start = self.index
        last = self.last.kind if self.last else None
        if c == "(":
            self.index += 1
            return Token(T.START_PARAMS if last is T.FUNCTION else T.START_GROUP, c, start)
        if c == ")":
            self.index += 1
            top = self.unclosed[-1].kind if self.unclosed else None
            return Token(T.END_PARAMS if top is T.START_PARAMS else T.END_GROUP, c, start)
        if c in _SIMPLE:
            self.index += 1
            return Token(_SIMPLE[c], c, start)
        if c == "'":
            return self._string()
        if c in "!><=&|":
            return self._operator()
        if c == "." and last not in _OPERAND_START:
            self.index += 1
            return Token(T.DEREFERENCE, c, start)
        if c in ".-+" or (c.isascii() and c.isdigit()):
            return self._number()
        return self._keyword()

    def _until_boundary(self, start: int, allow_dot: bool = False) -> str:
        text = self.text
        word = (_WORD_WITH_DOTS if allow_dot else _WORD).match(text, start + 1)
        i = word.end() if word else start + 1
        # The pattern stops at every Unicode space; .NET's list is shorter, so go on
        # over the few characters it does not count as spaces.
        while i < len(text) and not is_space(text[i]) and text[i] not in _BOUNDARY and (
                allow_dot or text[i] != "."):
            i += 1
            word = (_WORD_WITH_DOTS if allow_dot else _WORD).match(text, i)
            i = word.end() if word else i
        self.index = i
        return text[start:i]

    def _number(self) -> Token:
        start = self.index
        raw = self._until_boundary(start, allow_dot=True)
        value = parse_number(raw)
        if math.isnan(value):
            arithmetic = raw in ("+", "-") or any(c in raw[1:] for c in "+-*/%")
            why = "is not a number" if not arithmetic else \
                "is not a number or operator (expressions have no arithmetic)"
            raise self._unexpected(Token(T.NUMBER, raw, start), why)
        return Token(T.NUMBER, raw, start, value)

    def _keyword(self) -> Token:
        start = self.index
        raw = self._until_boundary(start)
        if not is_identifier(raw):
            why = "is not a string: strings use single quotes ('like this')" \
                if raw.startswith('"') else ""
            raise self._unexpected(Token(T.NAMED, raw, start), why)
        if self.last is not None and self.last.kind is T.DEREFERENCE:
            return Token(T.PROPERTY, raw, start)
        if raw in _KEYWORDS:
            kind, value = _KEYWORDS[raw]
            return Token(kind, raw, start, value)
        look = self.index
        while look < len(self.text) and is_space(self.text[look]):
            look += 1
        if look < len(self.text) and self.text[look] == "(":
            return Token(T.FUNCTION, raw, start)
        return Token(T.NAMED, raw, start)

    def _string(self) -> Token:
        text, start = self.text, self.index
        i, parts = start + 1, list[str]()
        while (quote := text.find("'", i)) >= 0:
            parts.append(text[i:quote])
            if text.startswith("'", quote + 1):  # '' is an escaped quote
                parts.append("'")
                i = quote + 2
                continue
            self.index = quote + 1
            return Token(T.STRING, text[start : quote + 1], start, "".join(parts))
        raise ExpressionError("unterminated string: expected a closing \"'\"",
                              Span(start, len(text)))

    def _operator(self) -> Token:
        text, start = self.text, self.index
        pair = text[start : start + 2]
        if pair in _OPERATORS_2:
            self.index += 2
            return Token(T.OPERATOR, pair, start)
        if text[start] in _OPERATORS_1:
            self.index += 1
            return Token(T.OPERATOR, text[start], start)
        raw = self._until_boundary(start)
        hint = " (use '==')" if raw == "=" else " (use '&&')" if raw == "&" else \
            " (use '||')" if raw == "|" else ""
        raise self._unexpected(Token(T.OPERATOR, raw, start), "is not an operator" + hint)

    def _check(self, token: Token) -> None:
        kind = token.kind
        if kind is T.OPERATOR:
            allowed = _OPERAND_START if token.raw == "!" else _VALUE_END | _LITERALS
        else:
            allowed = _FOLLOWS.get(kind, frozenset())
        last = self.last.kind if self.last else None
        if last not in allowed:
            raise self._unexpected(token)
        self._track(token)

    def _track(self, token: Token) -> None:
        kind = token.kind
        if kind in (T.START_GROUP, T.START_INDEX, T.START_PARAMS):
            self.unclosed.append(token)
            return
        opener = _OPENERS.get(kind)
        if opener is None:
            return
        if not self.unclosed or self.unclosed[-1].kind is not opener:
            raise self._unexpected(token, "has no matching opening bracket"
                                   if kind is not T.SEPARATOR else "is only allowed between "
                                   "function arguments")
        if kind is not T.SEPARATOR:
            self.unclosed.pop()

    def _unexpected(self, token: Token, why: str = "") -> ExpressionError:
        shown = token.raw if len(token.raw) <= 40 else token.raw[:37] + "..."
        if why:
            return ExpressionError(f"unexpected symbol '{shown}': it {why}", token.span)
        return ExpressionError(
            f"unexpected symbol '{shown}': expected {_expected_after(self.last)}", token.span)
