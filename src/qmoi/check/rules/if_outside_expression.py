"""X106 if-outside-expression."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class IfOutsideExpression(Rule):
    """An ``if:`` with text outside ``${{ }}``, which is always true.

    What:
        Reports an ``if:`` whose value mixes ``${{ }}`` with other text, such as
        ``${{ a }} && ${{ b }}`` or ``${{ x }}`` followed by a line break in a literal
        block: the value is then a string, and a non-empty string is true.

    Why:
        The job or step always runs, whatever the condition says
        (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idif).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            if: ${{ github.ref == 'refs/heads/main' }} && ${{ github.event_name == 'push' }}
            steps:
              - run: make

    Fix safety:
        The fix rewrites the value as one expression (``${{ a && b }}``), keeping the
        scalar's quoting valid. It is safe when only blanks lie outside the single
        ``${{ }}`` (certainly what was meant), and unsafe otherwise: the condition starts
        to decide for real, which a person should review.
    """

    code = "X106"
    name = "if-outside-expression"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "if-text")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "if-text")
