"""X105 constant-comparison."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class ConstantComparison(Rule):
    """A comparison that GitHub always answers the same way.

    What:
        Reports ``==``, ``!=``, ``<``… between an object or array and a string, number
        or boolean (``matrix.config == 'linux'`` when ``config`` is a mapping,
        ``github.event.pull_request.labels.*.name == 'bug'``).

    Why:
        GitHub never converts an object or array for a comparison: the result is always
        false (``!=`` always true), which hides a bug
        (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#operators).

    Example:
        on: pull_request
        jobs:
          build:
            runs-on: ubuntu-latest
            if: github.event.pull_request.labels.*.name == 'deploy'
            steps:
              - run: make

    Fix safety:
        No fix: the intent (``contains()``, a property) is for a person to choose.
    """

    code = "X105"
    name = "constant-comparison"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "comparison")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "comparison")
