"""S104 empty-value."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import report_findings
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class EmptyValue(Rule):
    """An empty value where GitHub requires content.

    What:
        Reports ``jobs: {}``, an empty matrix or matrix vector, an empty ``on``,
        and empty strings where GitHub needs a name (``runs-on``, ``uses``, ``shell``,
        a step ``id``, a concurrency ``group``, …). ``steps: []`` is accepted, as
        GitHub accepts it.

    Why:
        GitHub rejects these: "The workflow must contain at least one job with no
        dependencies", "Matrix vector 'os' does not contain any values", "Matrix must
        define at least one vector", "Unexpected value ''".

    Example:
        on: push
        jobs: {}

    Fix safety:
        No fix: what belongs there is the author's call.
    """

    code = "S104"
    name = "empty-value"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "empty-value")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "empty-value")
