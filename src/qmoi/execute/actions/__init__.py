"""Actions a ``uses:`` step can run: local and cached remote actions (composite, node,
Docker) and Docker images, and QMOI's built-in offline versions of the most used
``actions/*`` actions. ``default_actions`` lists their factory registrations.
"""

from __future__ import annotations

from qmoi.execute.actions.step import ActionStep
from qmoi.execute.factory import Factory, Matcher
from qmoi.model import ActionRef


def _any_action(ref: ActionRef) -> bool:
    return True


def default_actions() -> list[tuple[Matcher, Factory]]:
    """Lowest priority first: any reference (local, cached or missing remote, docker),
    then the built-ins by name (any ref of them)."""
    from qmoi.execute.actions.builtin import builtin_actions

    return [(_any_action, ActionStep), *builtin_actions()]
