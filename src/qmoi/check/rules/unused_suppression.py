"""Q901 unused-suppression."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import DocumentKind, FixAvailability, Rule
from qmoi.check.registry import register
from qmoi.check.suppress import SUPPRESS_CODE, SUPPRESS_RULE
from qmoi.diagnostics import Severity


@register
class UnusedSuppression(Rule):
    """An inline ``# qmoi: ignore`` comment that silences nothing.

    What:
        Reports a ``# qmoi: ignore[rule]`` entry (or a bare ``# qmoi: ignore``) on a line
        where no finding of that rule starts, and an entry that names no rule at all.
        Entries for rules that did not run (``--select``, ``rules.ignore``) are not
        reported, since nobody can tell whether they are still needed. The findings come
        from the driver, which reads the comments, not from a hook of this rule.

    Why:
        A stale suppression hides the next real problem on that line, and a misspelt rule
        name suppresses nothing while looking as if it did.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest  # qmoi: ignore[unknown-key]
            steps:
              - run: make

    Fix safety:
        Removing the entry (or the whole comment, when nothing else is left in it) is safe:
        comments do not change what a workflow does.
    """

    code = SUPPRESS_CODE
    name = SUPPRESS_RULE
    severity = Severity.INFO
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability: ClassVar[FixAvailability] = "always"
