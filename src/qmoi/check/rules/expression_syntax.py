"""X101 expression-syntax."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class ExpressionSyntax(Rule):
    """A ``${{ }}`` expression that GitHub cannot parse.

    What:
        Reports the exact line and column of a syntax error inside ``${{ }}`` (or a bare
        ``if:``), also inside quoted, folded and literal scalars: double-quoted strings,
        arithmetic, unclosed brackets or ``${{``, a missing operand, an expression over
        GitHub's 21,000-character or 50-level limits.

    Why:
        GitHub rejects the whole workflow file when an expression does not parse
        (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.ref == "main" }}"

    Fix safety:
        No fix: the intended expression cannot be guessed.
    """

    code = "X101"
    name = "expression-syntax"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "syntax")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "syntax")
