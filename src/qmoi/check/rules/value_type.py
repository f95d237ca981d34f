"""S102 value-type."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import report_findings
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class ValueType(Rule):
    """A value of the wrong YAML type for its key.

    What:
        Reports a value whose type the key does not accept, naming what was expected
        and what was found. A number, boolean or null is accepted where a string is
        expected (GitHub reads it as its text), but a quoted ``"true"`` is not a
        boolean. Where GitHub allows expressions, a ``${{ }}`` string may stand for
        any accepted type (``timeout-minutes``, ``continue-on-error``, ``strategy``,
        ``runs-on``, ``container``, …) but not elsewhere (``needs``, ``permissions``,
        workflow ``defaults``).

    Why:
        GitHub rejects the workflow ("A sequence was expected", "Unexpected value").

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            timeout-minutes: "ten"
            steps:
              - run: make

    Fix safety:
        No fix: the intended value cannot be guessed.
    """

    code = "S102"
    name = "value-type"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "value-type")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "value-type")
