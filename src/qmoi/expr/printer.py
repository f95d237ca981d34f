"""Tree → canonical text: ``parse_expression(to_text(tree)) == tree``.

Property access prints as ``a.b`` when the key is a legal name and ``a['b c']`` otherwise,
as GitHub's ConvertToExpression does; parentheses appear only where precedence needs them.
"""

from __future__ import annotations

import math

from qmoi.expr import ast
from qmoi.expr.errors import ExpressionError
from qmoi.expr.lexer import is_identifier
from qmoi.expr.parser import MAX_DEPTH

_PRECEDENCE = {"||": 5, "&&": 6, "==": 10, "!=": 10, "<": 11, "<=": 11, ">": 11, ">=": 11}
_NOT, _POSTFIX = 16, 19


def to_text(tree: ast.Expr) -> str:
    if ast.depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested deeper than {MAX_DEPTH} levels",
                              tree.span)
    return _print(tree)


def number_text(value: float) -> str:
    """A literal that parses back to exactly ``value``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value)) if value or math.copysign(1, value) > 0 else "-0"
    return repr(value)


def string_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _precedence(node: ast.Expr) -> int:
    if isinstance(node, ast.Or):
        return 5
    if isinstance(node, ast.And):
        return 6
    if isinstance(node, ast.Compare):
        return _PRECEDENCE[node.op]
    if isinstance(node, ast.Not):
        return _NOT
    return _POSTFIX + 1


def _wrap(node: ast.Expr, needs: bool) -> str:
    text = _print(node)
    return f"({text})" if needs else text


def _print(node: ast.Expr) -> str:
    if isinstance(node, ast.Null):
        return "null"
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.Number):
        return number_text(node.value)
    if isinstance(node, ast.String):
        return string_text(node.value)
    if isinstance(node, ast.Context):
        return node.name
    if isinstance(node, ast.Index):
        return _print_index(node)
    if isinstance(node, ast.Call):
        return f"{node.name}({', '.join(_print(arg) for arg in node.args)})"
    if isinstance(node, ast.Not):
        return "!" + _wrap(node.operand, _precedence(node.operand) < _NOT)
    if isinstance(node, ast.Compare):
        own = _PRECEDENCE[node.op]
        left = _wrap(node.left, _precedence(node.left) < own)
        right = _wrap(node.right, _precedence(node.right) <= own)
        return f"{left} {node.op} {right}"
    op = " && " if isinstance(node, ast.And) else " || "
    own = _precedence(node)
    return op.join(_wrap(part, _precedence(part) <= own) for part in node.operands)


def _print_index(node: ast.Index) -> str:
    target = node.target
    # GitHub's lexer allows '.' and '[' only after a name, a call or a closing bracket.
    literal = isinstance(target, ast.Null | ast.Bool | ast.Number | ast.String)
    base = _wrap(target, literal or _precedence(target) <= _POSTFIX)
    key = node.key
    if isinstance(key, ast.Star):
        return base + ".*"
    if isinstance(key, ast.String) and is_identifier(key.value):
        return f"{base}.{key.value}"
    return f"{base}[{_print(key)}]"
