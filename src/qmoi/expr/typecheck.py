"""The static checker: walks a parsed expression and infers its type, collecting problems.

Rules follow GitHub's evaluator (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions):
a missing property is null rather than an error, so property checks only apply to strict
objects (contexts whose every property is known); comparisons between an object or array
and a primitive are never equal (EvaluationResult.cs, "any other mismatch"); functions
coerce as functions.py does. The checker never raises: odd trees give ``any``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from qmoi.expr import ast
from qmoi.expr.availability import CONTEXTS, Availability
from qmoi.expr.functions import FunctionError, _parse_format, from_json
from qmoi.expr.parser import FUNCTIONS
from qmoi.expr.printer import string_text
from qmoi.expr.suggest import closest
from qmoi.expr.types import (
    ANY,
    BOOL,
    NULL,
    NUMBER,
    STRING,
    AnyType,
    ArrayType,
    NullType,
    ObjectType,
    Type,
    is_collection,
    is_primitive,
    join,
    type_of_value,
)
from qmoi.source import Span

ProblemKind = Literal["unknown", "availability", "arguments", "comparison", "interpolation",
                      "format", "fromjson"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem the static checker found in an expression."""

    kind: ProblemKind
    span: Span
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True, slots=True)
class Scope:
    """What an expression can see: the types of contexts (by lower-case name; a missing
    one is ``any``), the key's availability (None: anything), and notes that explain an
    unknown property better, keyed by lower-case path (``steps.deploy``)."""

    contexts: Mapping[str, Type] = field(default_factory=dict)
    available: Availability | None = None
    notes: Mapping[str, str] = field(default_factory=dict)


def check(tree: ast.Expr, scope: Scope) -> tuple[Type, list[Problem]]:
    """The expression's type and its problems, in source order."""
    checker = _Checker(scope)
    try:
        result = checker.visit(tree)
    except RecursionError:
        return ANY, checker.problems
    return result, sorted(checker.problems, key=lambda p: (p.span.start, p.span.end))


def property_path(node: ast.Expr | ast.Star) -> tuple[str, ...] | None:
    """``github.event['issue'].title`` → (github, event, issue, title), lower-case; ``.*``
    and ``[n]`` become ``*``. None when a key is computed or the base is not a context."""
    parts: list[str] = []
    while isinstance(node, ast.Index):
        key = node.key
        if isinstance(key, ast.String):
            parts.append(key.value.lower())
        elif isinstance(key, ast.Star | ast.Number):
            parts.append("*")
        else:
            return None
        node = node.target
    if not isinstance(node, ast.Context):
        return None
    parts.append(node.name.lower())
    return tuple(reversed(parts))


def path_of(node: ast.Expr | ast.Star) -> str | None:
    """``github.event.issue.title`` for a chain of literal property accesses, else None."""
    path = property_path(node)
    return None if path is None else ".".join(path)


_LITERAL_TYPES: dict[type, Type] = {ast.Null: NULL, ast.Bool: BOOL, ast.Number: NUMBER,
                                    ast.String: STRING}


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.problems: list[Problem] = []

    def add(self, kind: ProblemKind, span: Span, message: str,
            severity: Literal["error", "warning"] = "error") -> None:
        self.problems.append(Problem(kind, span, message, severity))

    def visit(self, node: ast.Expr) -> Type:
        # Literals by one dictionary look-up and the commonest nodes first: this runs
        # for every node of every expression (node classes have no subclasses).
        literal = _LITERAL_TYPES.get(type(node))
        if literal is not None:
            return literal
        if isinstance(node, ast.Index):
            return self.index(node)
        if isinstance(node, ast.Context):
            return self.context(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Not):
            self.visit(node.operand)
            return BOOL
        if isinstance(node, ast.Compare):
            return self.compare(node)
        assert isinstance(node, ast.And | ast.Or), node  # literals returned above
        result: Type | None = None
        for operand in node.operands:
            t = self.visit(operand)
            result = t if result is None else join(result, t)
        return ANY if result is None else result

    # -- contexts and properties
    def context(self, node: ast.Context) -> Type:
        name = node.name.lower()
        if name not in CONTEXTS:
            guess = closest(node.name, sorted(CONTEXTS))
            hint = f"; did you mean '{guess}'?" if guess else ""
            self.add("unknown", node.span, f"unknown context '{node.name}'{hint}")
            return ANY
        available = self.scope.available
        if available is not None and name not in available.contexts:
            self.add("availability", node.span,
                     f"context '{node.name}' is not available in {available.where}; "
                     f"available: {', '.join(sorted(available.contexts))}")
            return ANY
        return self.scope.contexts.get(name, ANY)

    def index(self, node: ast.Index) -> Type:
        target = self.visit(node.target)
        key = node.key
        if isinstance(key, ast.Star):
            return _star(target)
        if isinstance(key, ast.String):
            return self.prop(node, target, key)
        self.visit(key)
        if isinstance(target, ArrayType):
            return target.item
        if isinstance(target, ObjectType):
            return target.values()
        return NULL if isinstance(target, NullType) else ANY

    def prop(self, node: ast.Index, target: Type, key: ast.String) -> Type:
        if isinstance(target, ArrayType) and target.filtered:
            inner = self.prop(node, target.item, key)
            return ArrayType(inner, filtered=True)
        if not isinstance(target, ObjectType):
            return NULL if isinstance(target, NullType) else ANY
        found = target.prop(key.value)
        if found is not None:
            return found
        self.unknown_property(node, target, key)
        return ANY

    def unknown_property(self, node: ast.Index, target: ObjectType, key: ast.String) -> None:
        owner = path_of(node.target)
        note = self.scope.notes.get(f"{owner}.{key.value.lower()}") if owner else None
        if note is not None:
            self.add("unknown", key.span, note)
            return
        where = f"'{owner}'" if owner else "the object"
        guess = closest(key.value, target.names)
        if guess:
            hint = f"; did you mean '{guess}'?"
        elif not target.names:
            hint = f"; {where} has no properties here"
        else:
            shown = ", ".join(target.names[:12]) + (", ..." if len(target.names) > 12 else "")
            hint = f"; known: {shown}"
        self.add("unknown", key.span, f"property '{key.value}' is not defined in {where}{hint}")

    # -- comparisons
    def compare(self, node: ast.Compare) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        for one, other in ((left, right), (right, left)):
            if is_collection(one) and is_primitive(other) and not isinstance(other, NullType):
                always = "true" if node.op == "!=" else "false"
                kind = "an object" if isinstance(one, ObjectType) else "an array"
                self.add("comparison", node.span,
                         f"comparing {kind} ({one}) with a {other} is always {always}: "
                         "GitHub never converts objects or arrays for a comparison",
                         "warning")
                break
        return BOOL

    # -- functions
    def call(self, node: ast.Call) -> Type:
        types = [self.visit(arg) for arg in node.args]
        name = node.name.lower()
        available = self.scope.available
        if available is not None and not available.allows_function(name):
            canonical = FUNCTIONS.get(name, (node.name,))[0]
            self.add("availability", node.name_span,
                     f"function {canonical}() is not available in {available.where}")
        known = FUNCTIONS.get(name)
        if known is None:
            self.add("unknown", node.name_span, f"unknown function '{node.name}'")
            return ANY
        canonical, low, high = known
        if not low <= len(node.args) <= high:
            self.add("arguments", node.span,
                     f"{canonical}() takes {low if low == high else f'{low} to {high}'} "
                     f"argument(s), not {len(node.args)}")
            return _RETURNS.get(name, ANY)
        handler = _HANDLERS.get(name)
        return handler(self, node, types) if handler else _RETURNS.get(name, ANY)

    def _contains(self, node: ast.Call, types: list[Type]) -> Type:
        if isinstance(types[0], ObjectType):
            self.add("arguments", node.args[0].span,
                     f"contains() on an object ({types[0]}) is always false; search an "
                     "array or a string", "warning")
        return BOOL

    def _starts(self, node: ast.Call, types: list[Type]) -> Type:
        canonical = FUNCTIONS[node.name.lower()][0]
        for arg, t in zip(node.args, types, strict=True):
            if is_collection(t):
                self.add("arguments", arg.span,
                         f"{canonical}() with {t} is always false: it takes strings", "warning")
        return BOOL

    def _join(self, node: ast.Call, types: list[Type]) -> Type:
        if isinstance(types[0], ObjectType):
            self.add("arguments", node.args[0].span,
                     f"join() of an object ({types[0]}) is always ''; join an array "
                     "(an object filter such as x.* gives one)", "warning")
        return STRING

    def _case(self, node: ast.Call, types: list[Type]) -> Type:
        result: Type | None = None
        for position, (arg, t) in enumerate(zip(node.args, types, strict=True)):
            if position % 2 == 0 and position < len(node.args) - 1:
                if not isinstance(t, AnyType) and t != BOOL:
                    self.add("arguments", arg.span,
                             f"case() predicate {position // 2 + 1} is {t}, but it must be "
                             "a boolean (GitHub fails the run otherwise)")
            else:
                result = t if result is None else join(result, t)
        return ANY if result is None else result

    def _format(self, node: ast.Call, types: list[Type]) -> Type:
        for arg, t in zip(node.args[1:], types[1:], strict=True):
            if is_collection(t):
                what = "Object" if isinstance(t, ObjectType) else "Array"
                self.add("interpolation", arg.span,
                         f"format() prints {t} as '{what}'; use toJSON() to print its content",
                         "warning")
        template = node.args[0]
        if isinstance(template, ast.String):
            self.format_template(node, template)
        return STRING

    def format_template(self, node: ast.Call, template: ast.String) -> None:
        try:
            parts = _parse_format(template.value)
        except FunctionError as error:
            self.add("format", template.span, str(error))
            return
        used = {part for part in parts if isinstance(part, int)}
        count = len(node.args) - 1
        for index in sorted(used):
            if index >= count:
                self.add("format", template.span,
                         f"format string {string_text(template.value)} refers to {{{index}}}, "
                         f"but only {count} argument(s) follow it")
                return
        for index in range(count):
            if index not in used:
                self.add("format", node.args[index + 1].span,
                         f"format() argument {index} is never used: the format string has "
                         f"no {{{index}}}", "warning")

    def _from_json(self, node: ast.Call, types: list[Type]) -> Type:
        arg = node.args[0]
        if not isinstance(arg, ast.String):
            return ANY
        try:
            value = from_json(arg.value)
        except FunctionError as error:
            self.add("fromjson", arg.span, f"{error}: {string_text(arg.value)}")
            return ANY
        return type_of_value(value)


def _star(target: Type) -> Type:
    if isinstance(target, ArrayType):
        return ArrayType(target.item, filtered=True)
    if isinstance(target, ObjectType):
        return ArrayType(target.values(), filtered=True)
    return ArrayType(ANY, filtered=True)


_HANDLERS = {
    "contains": _Checker._contains,
    "startswith": _Checker._starts,
    "endswith": _Checker._starts,
    "join": _Checker._join,
    "case": _Checker._case,
    "format": _Checker._format,
    "fromjson": _Checker._from_json,
}
_RETURNS: Mapping[str, Type] = {
    "contains": BOOL, "startswith": BOOL, "endswith": BOOL, "join": STRING, "format": STRING,
    "tojson": STRING, "hashfiles": STRING, "success": BOOL, "failure": BOOL,
    "cancelled": BOOL, "always": BOOL,
}
