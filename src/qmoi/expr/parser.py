"""Tokens → tree, with GitHub's precedence (Token.cs): ``[] . f()`` > ``!`` >
``< <= > >=`` > ``== !=`` > ``&&`` > ``||``; all binary operators associate left.

Limits are GitHub's (ExpressionConstants.cs): 21,000 characters and a tree depth of 50.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qmoi.expr import ast
from qmoi.expr.errors import ArityError, ExpressionError, UnknownFunctionError
from qmoi.expr.lexer import _KEYWORDS, Lexer, T, Token
from qmoi.source import Span

MAX_LENGTH = 21_000
MAX_DEPTH = 50
# Parentheses add no tree level on GitHub, but each costs Python stack here; no real
# expression nests brackets this deep.
MAX_NESTING = 64

FUNCTIONS: dict[str, tuple[str, int, int]] = {
    # lower-case name: (canonical name, min args, max args)
    "contains": ("contains", 2, 2),
    "startswith": ("startsWith", 2, 2),
    "endswith": ("endsWith", 2, 2),
    "format": ("format", 1, 1 << 30),
    "join": ("join", 1, 2),
    "tojson": ("toJSON", 1, 1),
    "fromjson": ("fromJSON", 1, 1),
    "hashfiles": ("hashFiles", 1, 255),
    "case": ("case", 3, 1 << 30),
    "success": ("success", 0, 0),
    "failure": ("failure", 0, 0),
    "cancelled": ("cancelled", 0, 0),
    "always": ("always", 0, 0),
}
STATUS_FUNCTIONS = frozenset(("success", "failure", "cancelled", "always"))

_EQUALITY = frozenset(("==", "!="))
_RELATIONAL = frozenset(("<", "<=", ">", ">="))
_LOGICAL = {"&&": frozenset(("&&",)), "||": frozenset(("||",))}
_NOT = frozenset("!")


def parse_expression(text: str, *, offset: int = 0) -> ast.Expr:
    """Parse one expression (the text between ``${{`` and ``}}``, or a bare ``if:``).

    Spans in the tree and in errors are ``offset`` + positions in ``text``.
    Raises ``ExpressionError`` and nothing else. Trees are immutable, so results are
    cached: real workflows repeat the same expressions many times, often at another
    offset (``${{ matrix.os }}`` alone and inside a longer value); a text is parsed once,
    at offset 0, and moved, which costs a fraction of a parse.
    """
    result = _parse_cached(text, offset)
    if isinstance(result, ExpressionError):
        raise result.with_traceback(None)
    return result


class _Cache:
    """Parse results by text, each with the offset it was first parsed at; the same text
    at another offset is that result moved."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.by_text: dict[str, tuple[int, ast.Expr | ExpressionError]] = {}

    def __call__(self, text: str, offset: int) -> ast.Expr | ExpressionError:
        known = self.by_text.get(text)
        if known is not None:
            at, result = known
            if at == offset:
                return result
            if isinstance(result, ExpressionError):
                return result.shifted(offset - at)
            return _shift(result, offset - at)
        result = _parse_fresh(text, offset)
        if len(self.by_text) >= self.size:
            self.by_text.clear()
        self.by_text[text] = (offset, result)
        return result

    def cache_clear(self) -> None:
        self.by_text.clear()


def _parse_fresh(text: str, offset: int) -> ast.Expr | ExpressionError:
    try:
        return _parse(text, offset)
    except ExpressionError as error:  # spans relative to the text
        return error.shifted(offset)
    except RecursionError:
        return ExpressionError("the expression is nested too deeply",
                               Span(offset, offset + len(text)))


_parse_cached = _Cache(16384)


def _shift(node: ast.Expr, by: int) -> ast.Expr:
    """The same tree with every span moved by ``by``."""
    span = Span(node.span.start + by, node.span.end + by)
    if isinstance(node, ast.Index):
        key = node.key
        moved = ast.Star(Span(key.span.start + by, key.span.end + by)) \
            if isinstance(key, ast.Star) else _shift(key, by)
        return ast.Index(_shift(node.target, by), moved, span)
    if isinstance(node, ast.Context):
        return ast.Context(node.name, span)
    if isinstance(node, ast.String):
        return ast.String(node.value, span)
    if isinstance(node, ast.Call):
        name = Span(node.name_span.start + by, node.name_span.end + by)
        return ast.Call(node.name, tuple(_shift(arg, by) for arg in node.args), span, name)
    if isinstance(node, ast.Compare):
        return ast.Compare(node.op, _shift(node.left, by), _shift(node.right, by), span)
    if isinstance(node, ast.And):
        return ast.And(tuple(_shift(operand, by) for operand in node.operands), span)
    if isinstance(node, ast.Or):
        return ast.Or(tuple(_shift(operand, by) for operand in node.operands), span)
    if isinstance(node, ast.Not):
        return ast.Not(_shift(node.operand, by), span)
    if isinstance(node, ast.Number):
        return ast.Number(node.value, span)
    if isinstance(node, ast.Bool):
        return ast.Bool(node.value, span)
    return ast.Null(span)


def _parse(text: str, offset: int) -> ast.Expr:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
            Span(0, len(text)))
    path = _PATH.match(text)
    if path is not None and path[1] not in _KEYWORDS and text.count(".") < MAX_DEPTH // 2:
        return _path_tree(path, offset)
    return _parse_tokens(text, offset)


# ``github.event.issue.title``: over half the distinct expressions of real workflows are a
# context and property names, which the lexer and the nine levels of the descent would
# only turn into the same Context and Index nodes (short: no depth limit can apply).
_PATH = re.compile(r"[ \t]*+([A-Za-z_][A-Za-z0-9_-]*+)((?:\.[A-Za-z_][A-Za-z0-9_-]*+)++)[ \t]*+\Z")


def _path_tree(path: re.Match[str], offset: int) -> ast.Expr:
    start, at = path.span(1)
    node: ast.Expr = ast.Context(path[1], Span(start + offset, at + offset))
    for name in path[2].split(".")[1:]:
        at += 1
        key = ast.String(name, Span(at + offset, at + len(name) + offset))
        node = ast.Index(node, key, Span(node.span.start, key.span.end))
        at += len(name)
    return node


def _parse_tokens(text: str, offset: int) -> ast.Expr:
    lexer = Lexer(text)
    tokens = lexer.tokens()
    if not tokens:
        raise ExpressionError("expected an expression, found nothing", Span(0, len(text)))
    if lexer.unclosed:
        opener = lexer.unclosed[-1]
        closer = "]" if opener.kind is T.START_INDEX else ")"
        raise ExpressionError(
            f"unexpected end of expression: '{opener.raw}' is not closed (expected '{closer}')",
            Span(len(text), len(text)))
    tree = _Parser(tokens, len(text), offset).parse()
    # Each tree level needs a token of its own, so short expressions cannot be too deep.
    if len(tokens) > MAX_DEPTH and ast.depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested deeper than {MAX_DEPTH} levels",
                              Span(0, len(text)))
    return tree


class _Parser:
    """Recursive descent; the lexer has already rejected every illegal token sequence."""

    def __init__(self, tokens: list[Token], length: int, offset: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.length = length
        self.offset = offset
        self.nesting = 0

    # -- helpers
    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> Token:
        token = self._peek()
        if token is None:
            raise ExpressionError("unexpected end of expression: expected a value",
                                  Span(self.length, self.length))
        self.pos += 1
        return token

    def _span(self, start: int, end: int) -> Span:
        return Span(start + self.offset, end + self.offset)

    def _is_op(self, ops: frozenset[str]) -> bool:
        if self.pos >= len(self.tokens):
            return False
        token = self.tokens[self.pos]
        return token.kind is T.OPERATOR and token.raw in ops

    def _enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(f"the expression nests more than {MAX_NESTING} levels",
                                  token.span)

    # -- grammar
    def parse(self) -> ast.Expr:
        tree = self._or()
        extra = self._peek()
        if extra is not None:
            raise ExpressionError(f"unexpected symbol '{extra.raw}': expected the end of the "
                                  "expression", extra.span)
        return tree

    def _or(self) -> ast.Expr:
        return self._logical("||", self._and, ast.Or)

    def _and(self) -> ast.Expr:
        return self._logical("&&", self._equality, ast.And)

    def _logical(self, op: str, read: Callable[[], ast.Expr],
                 node: type[ast.And] | type[ast.Or]) -> ast.Expr:
        first = read()
        parts = [first]
        while self._is_op(_LOGICAL[op]):
            self.pos += 1
            parts.append(read())
        if len(parts) == 1:
            return first
        flat: list[ast.Expr] = []
        for part in parts:  # GitHub flattens a && (b && c) into one node
            flat.extend(part.operands if isinstance(part, node) else (part,))
        return node(tuple(flat), Span(parts[0].span.start, parts[-1].span.end))

    def _equality(self) -> ast.Expr:
        return self._binary(_EQUALITY, self._relational)

    def _relational(self) -> ast.Expr:
        return self._binary(_RELATIONAL, self._unary)

    def _binary(self, ops: frozenset[str], read: Callable[[], ast.Expr]) -> ast.Expr:
        left = read()
        while self._is_op(ops):
            op = self._take().raw
            right = read()
            left = ast.Compare(op, left, right, Span(left.span.start, right.span.end))
        return left

    def _unary(self) -> ast.Expr:
        if self._is_op(_NOT):
            bang = self._take()
            self._enter(bang)
            operand = self._unary()
            self.nesting -= 1
            return ast.Not(operand, Span(bang.start + self.offset, operand.span.end))
        return self._postfix(self._primary())

    def _postfix(self, node: ast.Expr) -> ast.Expr:
        while (token := self._peek()) is not None:
            if token.kind is T.DEREFERENCE:
                self.pos += 1
                name = self._take()
                key: ast.Expr | ast.Star = (
                    ast.Star(self._span(name.start, name.start + 1)) if name.kind is T.WILDCARD
                    else ast.String(name.raw, self._span(name.start, name.start + len(name.raw))))
                node = ast.Index(node, key, Span(node.span.start, key.span.end))
            elif token.kind is T.START_INDEX:
                self.pos += 1
                self._enter(token)
                inner = self._peek()
                if inner is not None and inner.kind is T.WILDCARD:
                    self.pos += 1
                    key = ast.Star(self._span(inner.start, inner.start + 1))
                else:
                    key = self._or()
                self.nesting -= 1
                close = self._take()
                node = ast.Index(node, key, Span(node.span.start, close.start + 1 + self.offset))
            else:
                return node
        return node

    def _primary(self) -> ast.Expr:
        token = self._take()
        span = self._span(token.start, token.start + len(token.raw))
        kind = token.kind
        if kind is T.NULL:
            return ast.Null(span)
        if kind is T.BOOLEAN:
            return ast.Bool(bool(token.value), span)
        if kind is T.NUMBER:
            assert isinstance(token.value, float)
            return ast.Number(token.value, span)
        if kind is T.STRING:
            assert isinstance(token.value, str)
            return ast.String(token.value, span)
        if kind is T.NAMED:
            return ast.Context(token.raw, span)
        if kind is T.FUNCTION:
            return self._call(token, span)
        if kind is T.START_GROUP:
            self._enter(token)
            inner = self._or()
            self.nesting -= 1
            self._take()  # ")" — the lexer guarantees it
            return inner
        raise ExpressionError(f"unexpected symbol '{token.raw}': expected a value",
                              token.span)  # pragma: no cover - the lexer rejects this first

    def _call(self, name: Token, name_span: Span) -> ast.Call:
        known = FUNCTIONS.get(name.raw.lower())
        if known is None:
            raise UnknownFunctionError(f"unrecognized function '{name.raw}'{_suggest(name.raw)}",
                                       name.span)
        open_paren = self._take()
        self._enter(open_paren)
        args: list[ast.Expr] = []
        token = self._peek()
        if token is not None and token.kind is T.END_PARAMS:
            close = self._take()
        else:
            args.append(self._or())
            while (token := self._take()).kind is T.SEPARATOR:
                args.append(self._or())
            close = token
        self.nesting -= 1
        call = ast.Call(name.raw, tuple(args), self._span(name.start, close.start + 1), name_span)
        _check_arity(call, known, Span(name.start, close.start + 1))
        return call


def _check_arity(call: ast.Call, known: tuple[str, int, int], span: Span) -> None:
    """Raises with ``span``, the call's position in the parsed text (errors are moved
    to the offset once, with the lexer's)."""
    canonical, low, high = known
    count = len(call.args)
    if count < low:
        raise ArityError(
            f"too few arguments for {canonical}(): expected at least {low}, got {count}",
            span)
    if count > high:
        limit = "no arguments" if high == 0 else f"at most {high}"
        raise ArityError(f"too many arguments for {canonical}(): expected {limit}, "
                              f"got {count}", span)
    if canonical == "case" and count % 2 == 0:
        raise ArityError(
            "case() needs an odd number of arguments: predicate/value pairs and a default",
            span)


def _suggest(name: str) -> str:
    from qmoi.expr.suggest import closest

    guess = closest(name, [canonical for canonical, _, _ in FUNCTIONS.values()])
    return f"; did you mean '{guess}'?" if guess else ""
