"""X109 invalid-fromjson."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class InvalidFromJson(Rule):
    """A literal ``fromJSON()`` argument that is not JSON.

    What:
        Reports ``fromJSON('...')`` whose literal string does not parse as JSON (single
        quotes inside, a trailing comma, an empty string).

    Why:
        The call fails at run time and the job with it
        (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#fromjson).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                os: ${{ fromJSON('[ubuntu-latest]') }}
            steps:
              - run: make

    Fix safety:
        No fix.
    """

    code = "X109"
    name = "invalid-fromjson"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "fromjson")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "fromjson")
