"""X108 format-string."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class FormatString(Rule):
    """A ``format()`` string with a bad placeholder, or an argument it never uses.

    What:
        Reports a literal ``format()`` string that refers to an argument that is not
        given (``format('{1}', a)``), has an unbalanced brace (``'{0'``, ``'}'``) or a
        format specifier (``{0:x}``) — errors at run time — and, as a warning, an
        argument that no placeholder uses.

    Why:
        GitHub fails the step with "The following format string references more
        arguments than were supplied" or "The format string is invalid"
        (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#format).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ format('{0}-{1}', github.sha) }}"

    Fix safety:
        No fix.
    """

    code = "X108"
    name = "format-string"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "format")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "format")
