"""S101 unknown-key."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, FixAvailability, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import report_findings
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class UnknownKey(Rule):
    """A key that the workflow or action-metadata syntax does not define.

    What:
        Reports a mapping key GitHub does not know at that place (a misspelt
        ``runs_on``, ``with`` at the wrong level, …), suggesting the closest known key.
        Free-keyed mappings (``env``, ``with``, ``outputs``, inputs, matrix rows) are
        not checked. Where GitHub itself ignores extra keys (event filters, the top
        level of ``action.yml``) the finding is a warning.

    Why:
        GitHub rejects a workflow with an unexpected key, so nothing runs at all.

    Example:
        on: push
        jobs:
          build:
            runs_on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        When a close key exists, renaming to it is offered. The rename is safe when the
        key is one slip away from a known key (``runs_on``, ``continue-on-eror``), that
        key is not already present, and GitHub would reject the file as it is: the author
        certainly meant it. Otherwise (GitHub ignores the key, or the match is loose) the
        rename changes what runs and is unsafe.
    """

    code = "S101"
    name = "unknown-key"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "unknown-key")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "unknown-key")
