"""Stage 3: rules over parsed workflows and action metadata."""

from qmoi.check.base import Context, Document, Project, Rule
from qmoi.check.driver import check_document, check_source
from qmoi.check.registry import all_rules, select_rules

__all__ = [
    "Context",
    "Document",
    "Project",
    "Rule",
    "all_rules",
    "check_document",
    "check_source",
    "select_rules",
]
