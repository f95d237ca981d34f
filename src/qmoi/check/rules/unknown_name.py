"""X102 unknown-name."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class UnknownName(Rule):
    """A context, property, step, job or function that does not exist.

    What:
        Reports an unknown context (``gihtub``), a property that a fully known object lacks
        (``github.refname``, ``runner.OS_name``), ``inputs.x`` not declared by
        ``workflow_dispatch``/``workflow_call``, ``matrix.x`` not in the job's matrix,
        ``steps.x`` that is not an earlier step with an id, ``needs.x`` for a job not in
        ``needs:``, an output that the needed job does not declare, and an unknown
        function, with a "did you mean" when a known name is close.

    Why:
        An unknown context or function makes GitHub reject the workflow; an unknown
        property is silently null at run time, so the condition or value is wrong.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.refname }}"

    Fix safety:
        No fix: which name was meant is for a person to decide.
    """

    code = "X102"
    name = "unknown-name"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "unknown")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "unknown")
