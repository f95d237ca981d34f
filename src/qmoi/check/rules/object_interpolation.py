"""X107 object-interpolation."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class ObjectInterpolation(Rule):
    """An object or array written into a string, which prints ``Object`` or ``Array``.

    What:
        Reports an expression of object or array type embedded in text
        (``name: build ${{ matrix.config }}``) or passed to ``format()``.

    Why:
        GitHub converts objects and arrays to the words ``Object`` and ``Array``, not to
        their content (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "runner ${{ runner }}"

    Fix safety:
        No fix: use ``toJSON()`` or pick the property meant.
    """

    code = "X107"
    name = "object-interpolation"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "interpolation")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "interpolation")
