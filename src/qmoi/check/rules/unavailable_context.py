"""X103 unavailable-context."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class UnavailableContext(Rule):
    """A context or special function used at a key that does not allow it.

    What:
        Each workflow key allows only some contexts and special functions: ``secrets``
        is not available in ``jobs.<job_id>.if`` or a step's ``if``, ``matrix`` not in
        ``runs-on``'s ``needs``-only siblings such as ``strategy``, ``env`` not in
        ``runs-on``, ``hashFiles()`` only in steps, status functions only in ``if``.
        The table is the runner's workflow schema (see ``qmoi.expr.availability``).

    Why:
        GitHub rejects the workflow: "Unrecognized named-value: 'secrets'".

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            if: secrets.TOKEN != ''
            steps:
              - run: make

    Fix safety:
        No fix: the value must come from somewhere else (for a secret in ``if:``, set
        it in ``env:`` and test ``env.X``).
    """

    code = "X103"
    name = "unavailable-context"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "availability")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "availability")
