"""Q902 invalid-config."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import DocumentKind, FixAvailability, Rule
from qmoi.check.config import CONFIG_CODE, CONFIG_PATH, CONFIG_RULE
from qmoi.check.registry import register
from qmoi.diagnostics import Severity


@register
class InvalidConfig(Rule):
    """A part of ``.github/qmoi.yml`` that QMOI cannot use.

    What:
        Reports unknown keys, values of the wrong type, unknown rule names or codes in
        ``rules.select`` / ``rules.ignore`` / ``rules.severity`` / ``paths.*.ignore``,
        severities other than error / warning / info, and an ``actions.pinning`` other than
        none / tag / sha. ``qmoi lint`` checks the file whenever it lints the repository's
        workflows (or is given the file); YAML syntax errors keep their own codes.

    Why:
        A misspelt rule name or key is silently without effect: the rule you meant to turn
        off keeps reporting, or the policy you meant to enforce is never applied. The rest
        of the file still applies.

    Example:
        rules:
          ignore: [unknwn-key]
        actions:
          pinning: strict

    Fix safety:
        No fix: only you know which rule or value was meant.
    """

    code = CONFIG_CODE
    name = CONFIG_RULE
    severity = Severity.ERROR
    # Not walked like a workflow: the driver checks the config file as a document of its own.
    targets: ClassVar[frozenset[DocumentKind]] = frozenset()
    fix_availability: ClassVar[FixAvailability] = "never"
    example_path: ClassVar[str] = CONFIG_PATH
