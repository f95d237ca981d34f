"""Evaluate a tree against contexts, the way the runner does.

A tree is compiled once into nested closures (``compile_expression``) and can then be
evaluated many times; ``evaluate`` caches the compiled form per tree object.
Rules: https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
(operators, falsy values, object filters) and the runner's Sdk/Operators/*.cs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from qmoi.expr import ast
from qmoi.expr import functions as fn
from qmoi.expr.errors import ExpressionError
from qmoi.expr.hashfiles import FOLLOW_SYMLINKS, FileSystem, hash_files
from qmoi.expr.parser import FUNCTIONS, MAX_DEPTH
from qmoi.expr.values import (
    FilteredArray,
    Value,
    canonical,
    fold,
    is_primitive,
    is_truthy,
    loose_compare,
    loose_equal,
    to_display_string,
    to_number,
)
from qmoi.source import Span


class Status(StrEnum):
    """The job (or composite action) status the status functions look at."""

    SUCCESS = "success"
    FAILURE = "failure"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class EvalOptions:
    """What the runner's host changes in evaluation: the case of ``env`` and what ``hashFiles()``
    reads."""

    # The runner keeps ``env`` case-sensitive on Linux and macOS, insensitive on Windows.
    case_sensitive_env: bool = True
    # hashFiles() only: GITHUB_WORKSPACE (absolute) and the injected file access.
    workspace: str | None = None
    files: FileSystem | None = None


@dataclass(slots=True)
class _State:
    """One evaluation's inputs, handed to every compiled closure."""

    contexts: Mapping[str, Value]
    status: Status
    options: EvalOptions
    env: object


Fn = Callable[[_State], Value]
_MISSING = object()


def lookup(obj: Mapping[str, Value], key: str, *, case_sensitive: bool = False) -> Value:
    """A property by name: exact first, then ignoring case; null when absent."""
    found = obj.get(key, _MISSING)
    if found is not _MISSING:
        return found
    if case_sensitive:
        return None
    wanted = fold(key)
    for name, value in obj.items():
        if isinstance(name, str) and fold(name) == wanted:
            return value
    return None


@dataclass(frozen=True, slots=True)
class Compiled:
    """A tree ready to evaluate; keeps the tree for error reporting."""

    tree: ast.Expr
    run: Fn

    def evaluate(self, contexts: Mapping[str, Value], *, status: Status = Status.SUCCESS,
                 options: EvalOptions | None = None) -> Value:
        opts = options or _DEFAULT_OPTIONS
        env = contexts.get("env", _MISSING) if opts.case_sensitive_env else _MISSING
        state = _State(contexts, status, opts, env)
        try:
            return canonical(self.run(state))
        except ExpressionError:
            raise
        except RecursionError:
            raise ExpressionError("a value is nested too deeply to evaluate",
                                  self.tree.span) from None
        except Exception as error:  # the public boundary: nothing else may escape
            raise ExpressionError(f"evaluation failed: {error}", self.tree.span) from error


_DEFAULT_OPTIONS = EvalOptions()


def compile_expression(tree: ast.Expr) -> Compiled:
    if ast.depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested deeper than {MAX_DEPTH} levels",
                              tree.span)
    return Compiled(tree, _compile(tree))


_CACHE: dict[int, Compiled] = {}
_CACHE_LIMIT = 4096


def evaluate(tree: ast.Expr, contexts: Mapping[str, Value], *,
             status: Status = Status.SUCCESS, options: EvalOptions | None = None) -> Value:
    """Evaluate ``tree``; raises ``ExpressionError`` and nothing else."""
    compiled = _CACHE.get(id(tree))
    if compiled is None or compiled.tree is not tree:
        compiled = compile_expression(tree)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[id(tree)] = compiled
    return compiled.evaluate(contexts, status=status, options=options)


# ---------------------------------------------------------------------------- compiler

def _compile(node: ast.Expr) -> Fn:
    if isinstance(node, ast.Null | ast.Bool | ast.Number | ast.String):
        constant: Value = None if isinstance(node, ast.Null) else node.value
        return lambda _state: constant
    if isinstance(node, ast.Context):
        return _compile_context(node)
    if isinstance(node, ast.Index):
        return _compile_index(node)
    if isinstance(node, ast.Call):
        return _compile_call(node)
    if isinstance(node, ast.Not):
        operand = _compile(node.operand)
        return lambda state: not is_truthy(operand(state))
    if isinstance(node, ast.Compare):
        return _compile_compare(node)
    return _compile_logical(node)


def _compile_context(node: ast.Context) -> Fn:
    name, span = node.name, node.span

    def run(state: _State) -> Value:
        found = state.contexts.get(name, _MISSING)
        if found is _MISSING:
            wanted = fold(name)
            for key, value in state.contexts.items():
                if fold(key) == wanted:
                    return canonical(value)
            raise ExpressionError(f"unrecognized named-value '{name}': no such context here",
                                  span)
        return canonical(found)

    return run


def _compile_index(node: ast.Index) -> Fn:
    target = _compile(node.target)
    if isinstance(node.key, ast.Star):
        return lambda state: _star(target(state))
    if isinstance(node.key, ast.String):
        return _compile_property(target, node.key.value)
    key_fn = _compile(node.key)

    def run(state: _State) -> Value:
        left = target(state)
        key = key_fn(state)
        if type(left) is FilteredArray:
            return _map_filtered(left, key)
        if isinstance(left, dict):
            if not is_primitive(key):
                return None
            sensitive = left is state.env
            return canonical(lookup(left, to_display_string(key), case_sensitive=sensitive))
        if isinstance(left, list):
            position = _array_index(key)
            return canonical(left[position]) if position is not None and \
                position < len(left) else None
        return None

    return run


def _compile_property(target: Fn, name: str) -> Fn:
    """``a.name``: the common case, with the key known at compile time."""

    def run(state: _State) -> Value:
        left = target(state)
        if isinstance(left, dict):
            found = left.get(name, _MISSING)
            if found is _MISSING:
                found = lookup(left, name, case_sensitive=left is state.env)
            return canonical(found)
        if type(left) is FilteredArray:
            return _map_filtered(left, name)
        if isinstance(left, list):
            position = _array_index(name)
            return canonical(left[position]) if position is not None and \
                position < len(left) else None
        return None

    return run


def _star(left: Value) -> FilteredArray:
    if isinstance(left, dict):
        return FilteredArray(canonical(v) for v in left.values())
    if type(left) is FilteredArray:
        # ``.*`` on a filtered array flattens its children one level.
        return _map_filtered(left, None, star=True)
    if isinstance(left, list):
        return FilteredArray(canonical(v) for v in left)
    return FilteredArray()


def _array_index(key: Value) -> int | None:
    number = to_number(key)
    if math.isnan(number) or number < 0:
        return None
    number = math.floor(number)
    return int(number) if number <= 2**31 - 1 else None


def _map_filtered(items: FilteredArray, key: Value, *, star: bool = False) -> FilteredArray:
    out = FilteredArray()
    name = to_display_string(key) if is_primitive(key) and not star else None
    position = None if star else _array_index(key)
    for item in items:
        if isinstance(item, dict):
            if star:
                out.extend(canonical(v) for v in item.values())
            elif name is not None:
                found = lookup(item, name)
                if found is not None or _has_key(item, name):
                    out.append(canonical(found))
        elif isinstance(item, list):
            if star:
                out.extend(canonical(v) for v in item)
            elif position is not None and position < len(item):
                out.append(canonical(item[position]))
    return out


def _has_key(obj: dict[str, Value], name: str) -> bool:
    wanted = fold(name)
    return name in obj or any(isinstance(k, str) and fold(k) == wanted for k in obj)


def _compile_compare(node: ast.Compare) -> Fn:
    left, right, op = _compile(node.left), _compile(node.right), node.op
    if op == "==":
        return lambda s: loose_equal(left(s), right(s))
    if op == "!=":
        return lambda s: not loose_equal(left(s), right(s))

    def run(state: _State) -> bool:
        a, b = left(state), right(state)
        order = loose_compare(a, b)
        if op == "<":
            return order == -1
        if op == ">":
            return order == 1
        # GitHub defines <= and >= as "equal or ordered", which matters for objects.
        return loose_equal(a, b) or order == (-1 if op == "<=" else 1)

    return run


def _compile_logical(node: ast.And | ast.Or) -> Fn:
    parts = tuple(_compile(part) for part in node.operands)
    want_truthy = isinstance(node, ast.Or)

    def run(state: _State) -> Value:
        # && returns the first falsy operand, || the first truthy one, else the last.
        value: Value = None
        for part in parts:
            value = part(state)
            if is_truthy(value) is want_truthy:
                return value
        return value

    return run


# ---------------------------------------------------------------------------- functions

def _compile_call(node: ast.Call) -> Fn:
    known = FUNCTIONS.get(node.name.lower())
    if known is None:
        raise ExpressionError(f"unrecognized function '{node.name}'", node.name_span)
    args = tuple(_compile(arg) for arg in node.args)
    body = _BUILTINS[known[0]]
    span = node.span

    def run(state: _State) -> Value:
        try:
            return body(state, args, span)
        except fn.FunctionError as error:
            raise ExpressionError(str(error), span) from None

    return run


Builtin = Callable[[_State, tuple[Fn, ...], Span], Value]


def _contains(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.contains(a[0](s), lambda: a[1](s))


def _starts_with(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.starts_with(a[0](s), a[1](s))


def _ends_with(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.ends_with(a[0](s), a[1](s))


def _format(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    thunks = [_thunk(f, s) for f in a[1:]]
    return fn.format_string(to_display_string(a[0](s)), thunks)


def _thunk(f: Fn, s: _State) -> fn.Thunk:
    return lambda: f(s)


def _join(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.join(a[0](s), (lambda: a[1](s)) if len(a) > 1 else None)


def _to_json(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.to_json(a[0](s))


def _from_json(s: _State, a: tuple[Fn, ...], _: Span) -> Value:
    return fn.from_json(to_display_string(a[0](s)))


def _case(s: _State, a: tuple[Fn, ...], span: Span) -> Value:
    for i in range(0, len(a) - 1, 2):
        predicate = a[i](s)
        if type(predicate) is not bool:
            raise ExpressionError(
                f"case() predicate {i // 2 + 1} must be a boolean, got "
                f"{to_display_string(predicate)!r}", span)
        if predicate:
            return a[i + 1](s)
    return a[-1](s)


def _hash_files(s: _State, a: tuple[Fn, ...], span: Span) -> Value:
    options = s.options
    if options.workspace is None or options.files is None:
        raise ExpressionError("hashFiles() needs a workspace, which is not available here",
                              span)
    patterns = [to_display_string(f(s)) for f in a]
    follow = bool(patterns) and patterns[0] == FOLLOW_SYMLINKS
    if follow:
        patterns = patterns[1:]
    try:
        return hash_files("\n".join(patterns), options.workspace, options.files,
                          follow_symlinks=follow)
    except ExpressionError as error:
        raise ExpressionError(error.message, span) from None
    except OSError as error:
        raise ExpressionError(f"hashFiles() could not read the workspace: {error}",
                              span) from None


_BUILTINS: dict[str, Builtin] = {
    "contains": _contains,
    "startsWith": _starts_with,
    "endsWith": _ends_with,
    "format": _format,
    "join": _join,
    "toJSON": _to_json,
    "fromJSON": _from_json,
    "case": _case,
    "hashFiles": _hash_files,
    "success": lambda s, a, _: s.status is Status.SUCCESS,
    "failure": lambda s, a, _: s.status is Status.FAILURE,
    "cancelled": lambda s, a, _: s.status is Status.CANCELLED,
    "always": lambda s, a, _: True,
}
