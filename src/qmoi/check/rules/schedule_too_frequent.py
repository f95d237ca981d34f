"""E305 schedule-too-frequent."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.events_util import surely_not_too_frequent
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.cron import SHORTEST_INTERVAL_MINUTES, CronError, parse_cron, too_frequent
from qmoi.parse.nodes import Mapping


@register
class ScheduleTooFrequent(Rule):
    """A schedule that asks to run more often than every 5 minutes.

    What:
        Computes the shortest gap between two runs of each ``on.schedule[].cron``
        and warns when it is under GitHub's minimum of 5 minutes.

    Why:
        "The shortest interval you can run scheduled workflows is once every 5
        minutes" (Events that trigger workflows › schedule): GitHub silently runs it
        less often than written, so the schedule does not mean what it says.

    Example:
        on:
          schedule:
            - cron: "*/2 * * * *"
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix: choose the interval you can live with.
    """

    code = "E305"
    name = "schedule-too-frequent"
    severity = Severity.WARNING

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#schedule
        for trigger in ctx.workflow.on:
            if trigger.name != "schedule":
                continue
            for cron in trigger.cron:
                try:
                    spec = parse_cron(cron.value)
                except CronError:
                    continue  # cron-syntax reports it
                if not surely_not_too_frequent(spec) and too_frequent(spec):
                    gap = spec.min_interval_minutes
                    unit = "minute" if gap == 1 else "minutes"
                    ctx.report(cron, f'cron "{cron.value}" asks for runs {gap} {unit} apart; '
                               "GitHub runs a schedule at most once every "
                               f"{SHORTEST_INTERVAL_MINUTES} minutes")
