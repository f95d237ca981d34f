"""E301 unknown-activity-type."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, FixAvailability, Rule
from qmoi.check.events_util import quoted_list, replace_text
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Fix, FixSafety, Severity
from qmoi.model.events import EventSpec, event_spec
from qmoi.parse.nodes import Mapping, Scalar


@register
class UnknownActivityType(Rule):
    """An activity type that the event does not have.

    What:
        Checks each value of ``on.<event>.types`` against the event's activity types
        (``model/events.py``, from GitHub's "Events that trigger workflows" page) and
        suggests the closest one. ``repository_dispatch`` takes any type. Events that
        take no ``types`` at all are reported by ``unknown-key``.

    Why:
        GitHub's schema lists the allowed types of each event, so it rejects the
        workflow; and a misspelt type would never fire anyway.

    Example:
        on:
          pull_request:
            types: [opened, synchronise]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        Renaming to the suggested type is unsafe: the workflow starts to run on it.
    """

    code = "E301"
    name = "unknown-activity-type"
    severity = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
        for trigger in ctx.workflow.on:
            spec = event_spec(trigger.name)
            if spec is None or trigger.types is None or not spec.activity_types:
                continue
            for activity in trigger.types:
                if activity.value and not spec.is_known_type(activity.value):
                    _report(ctx, spec, activity)


def _report(ctx: Context, spec: EventSpec, activity: Scalar) -> None:
    message = f'"{activity.value}" is not an activity type of "{spec.name}"'
    guess = did_you_mean(activity.value, spec.activity_types)
    fix = None
    if guess is not None:
        message += f'; did you mean "{guess}"?'
        edit = replace_text(ctx.source, activity.span, activity.value, guess)
        fix = Fix(f'Change to "{guess}"', FixSafety.UNSAFE, (edit,))
    else:
        message += f"; it has {quoted_list(spec.activity_types)}"
    ctx.report(activity, message, fix=fix)
