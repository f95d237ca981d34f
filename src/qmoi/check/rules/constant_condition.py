"""X110 constant-condition."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class ConstantCondition(Rule):
    """An ``if:`` that reads nothing and so always gives the same answer.

    What:
        Reports an ``if:`` that uses no context and no status function, such as
        ``if: false``, ``if: ${{ 1 == 1 }}`` or ``if: ${{ 'false' }}`` (a non-empty
        string is true).

    Why:
        A condition that is always false leaves dead jobs or steps; one that is always
        true does nothing but the implicit ``success()``. Either is usually a leftover or
        a mistake (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - if: ${{ 'false' }}
                run: make

    Fix safety:
        No fix: removing the step or the condition is a decision for a person.
    """

    code = "X110"
    name = "constant-condition"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "constant-if")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "constant-if")
