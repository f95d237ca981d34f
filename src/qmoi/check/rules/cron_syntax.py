"""E304 cron-syntax."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.events_util import inner_span, surely_fires
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.cron import CronError, parse_cron
from qmoi.model.values import contains_expression
from qmoi.parse.nodes import Mapping, Scalar


@register
class CronSyntax(Rule):
    """A ``schedule`` cron expression GitHub cannot parse.

    What:
        Parses each ``on.schedule[].cron`` as GitHub's five-field POSIX cron (minute,
        hour, day of month, month, day of week; ``*``, ``,``, ``-``, ``/``; month and
        weekday names) and points at the field at fault: a macro such as ``@daily``,
        a seconds or year field, a value out of range, a backwards range, a zero step.
        Also warns about a schedule no date satisfies (``0 0 30 2 *``).

    Why:
        GitHub rejects the workflow ("Invalid cron expression"), and a schedule that
        never fires is almost certainly a mistake.

    Example:
        on:
          schedule:
            - cron: "0 0 * * 7"
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix; the message names the replacement for a macro (``@daily`` →
        ``0 0 * * *``).
    """

    code = "E304"
    name = "cron-syntax"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#schedule
        for trigger in ctx.workflow.on:
            if trigger.name == "schedule":
                for cron in trigger.cron:
                    _check(ctx, cron)


def _check(ctx: Context, cron: Scalar) -> None:
    if contains_expression(cron.value):
        ctx.report(cron, "a cron expression cannot use ${{ }}: GitHub reads it literally")
        return
    try:
        spec = parse_cron(cron.value)
    except CronError as error:
        length = _token_length(cron.value, error.offset)
        at = inner_span(cron, ctx.source, error.offset, length)
        ctx.report(at, f'bad cron "{cron.value}": {error.message}')
        return
    if not surely_fires(spec) and not spec.fires:
        ctx.report(cron, f'cron "{cron.value}" never fires: no date matches it',
                   severity=Severity.WARNING)


def _token_length(text: str, offset: int) -> int:
    end = offset
    while end < len(text) and not text[end].isspace() and text[end] != ",":
        end += 1
    return max(1, end - offset)
