"""S105 unknown-event."""

from __future__ import annotations

from collections.abc import Iterator

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.schema_events import EVENTS
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence


def _event_names(on: Node) -> Iterator[Scalar]:
    if isinstance(on, Scalar):
        yield on
    elif isinstance(on, Sequence):
        yield from (item for item in on.items if isinstance(item, Scalar))
    elif isinstance(on, Mapping):
        yield from (key for key, _ in on.pairs)


@register
class UnknownEvent(Rule):
    """An event in ``on:`` that GitHub does not know.

    What:
        Checks every event name in ``on:`` — a single name, a list, or the keys of a
        mapping — against the events that trigger workflows, and suggests the closest
        one. Event names are case-sensitive.

    Why:
        GitHub rejects the workflow; a misspelt event would otherwise never fire.

    Example:
        on: [push, pull-request]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        When a close event name exists, renaming to it is an unsafe fix: the workflow
        starts to run on that event.
    """

    code = "S105"
    name = "unknown-event"
    severity = Severity.ERROR
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        on = root.get("on")
        if on is None:
            return
        for name in _event_names(on):
            if name.kind is ScalarKind.STR and name.value and name.value not in EVENTS:
                self._report(ctx, name)

    def _report(self, ctx: Context, name: Scalar) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
        message = f'unknown event "{name.value}"'
        guess = did_you_mean(name.value, EVENTS)
        fix = None
        if guess is None:
            guess = did_you_mean(name.value.replace("-", "_"), EVENTS)
        if guess is not None:
            message += f'; did you mean "{guess}"?'
            fix = Fix(f'Rename to "{guess}"', FixSafety.UNSAFE, (Edit(name.span, guess),))
        ctx.report(name, message, fix=fix)
