"""Stage 3: rules over parsed workflows and action metadata.

The names below load on first use (PEP 562), so that importing one light module of the
package — ``qmoi.check.base`` for ``Project``, say — does not import the driver, the
configuration reader and the expression engine behind them. A ``qmoi lint`` answered
from the result cache never needs those.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.check.base import Context, Document, Project, Rule
    from qmoi.check.driver import check_document, check_source
    from qmoi.check.registry import all_rules, select_rules

_HOME = {
    "Context": "qmoi.check.base",
    "Document": "qmoi.check.base",
    "Project": "qmoi.check.base",
    "Rule": "qmoi.check.base",
    "check_document": "qmoi.check.driver",
    "check_source": "qmoi.check.driver",
    "all_rules": "qmoi.check.registry",
    "select_rules": "qmoi.check.registry",
}

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value
