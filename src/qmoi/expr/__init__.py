"""Stage 2: the ``${{ }}`` expression language — one implementation for checking and running.

Public API: ``parse_expression``, ``parse_template``, ``parse_condition``, ``evaluate``,
``compile_expression``, ``render_template``, ``to_display_string``, ``to_text`` (printer),
``ExpressionError``, ``EvalOptions``, ``Status``; span mapping into YAML lives in
``qmoi.expr.yamlspan``.
"""

from qmoi.expr.ast import Expr
from qmoi.expr.errors import ExpressionError
from qmoi.expr.evaluator import Compiled, EvalOptions, Status, compile_expression, evaluate
from qmoi.expr.hashfiles import FileSystem
from qmoi.expr.parser import MAX_DEPTH, MAX_LENGTH, parse_expression
from qmoi.expr.printer import to_text
from qmoi.expr.template import Template, parse_condition, parse_template, render_template
from qmoi.expr.values import FilteredArray, Value, to_display_string

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Compiled",
    "EvalOptions",
    "Expr",
    "ExpressionError",
    "FileSystem",
    "FilteredArray",
    "Status",
    "Template",
    "Value",
    "compile_expression",
    "evaluate",
    "parse_condition",
    "parse_expression",
    "parse_template",
    "render_template",
    "to_display_string",
    "to_text",
]
