"""The one factory that turns a step into its kind.

Adding a kind for an action is one registration::

    register_action("actions/checkout", lambda step, ref: CheckoutStep(step, ref))
    register_action(lambda ref: ref.kind == "local", LocalActionStep)

The most recent registration that matches wins. QMOI's own kinds (local and cached
actions, the built-in offline actions of ``qmoi.execute.actions``) are registered on first
use, below any registration made by then, so a test or plug-in can replace them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from qmoi.execute.run_step import RunStep
from qmoi.execute.step_kinds import StepKind, UnavailableAction, UnsupportedStep
from qmoi.model import ActionRef, Step

Matcher = Callable[[ActionRef], bool]
Factory = Callable[[Step, ActionRef], StepKind]
_ACTIONS: list[tuple[Matcher, Factory]] = []
_DEFAULTS: list[bool] = []
_LOCK = threading.Lock()


def named(name: str) -> Matcher:
    """A matcher for ``owner/repo[/path]`` at any ref (compared case-insensitively)."""
    wanted = name.casefold()

    def by_name(ref: ActionRef) -> bool:
        return ref.kind == "remote" and ref.name.casefold() == wanted

    return by_name


def register_action(match: str | Matcher, factory: Factory) -> None:
    """Make ``factory`` handle the ``uses:`` steps ``match`` selects: an ``owner/repo[/path]``
    name (any ref, compared case-insensitively) or a predicate over the parsed reference."""
    _ACTIONS.append((named(match) if isinstance(match, str) else match, factory))


def _load_defaults() -> None:
    # Jobs run on threads: the first steps of parallel jobs get here at once, and none may
    # see the flag set before the defaults are in place.
    if _DEFAULTS:
        return
    with _LOCK:
        if not _DEFAULTS:
            from qmoi.execute.actions import default_actions

            _ACTIONS[:0] = default_actions()
            _DEFAULTS.append(True)


def unregister_action(factory: Factory) -> None:
    _ACTIONS[:] = [(m, f) for m, f in _ACTIONS if f is not factory]


def step_kind_for(step: Step) -> StepKind:
    """The kind that runs ``step``."""
    if step.kind == "run":
        return RunStep(step)
    if step.kind == "uses":
        ref = step.action
        if ref is not None:
            _load_defaults()
            for match, factory in reversed(_ACTIONS):
                if match(ref):
                    return factory(step, ref)
        return UnavailableAction(step, ref)
    return UnsupportedStep(step)
