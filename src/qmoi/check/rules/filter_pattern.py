"""E303 filter-pattern."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.events_util import inner_span
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.filters import FilterPatternError, compile_pattern
from qmoi.model.workflow import EventTrigger
from qmoi.parse.nodes import Mapping, Scalar

_FILTERS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore")


@register
class FilterPattern(Rule):
    """A branch, tag or path filter pattern with bad syntax.

    What:
        Compiles every pattern of ``branches``, ``tags``, ``paths`` and their
        ``-ignore`` twins with GitHub's filter syntax (not shell globs: ``?`` and ``+``
        repeat the preceding character, ``[...]`` holds only letters and digits) and
        points at the exact character at fault. (A list of only ``!`` patterns is
        left alone: ``tags: ['!**']`` is a common, deliberate "never on tags".)

    Why:
        GitHub rejects a pattern it cannot compile.

    Example:
        on:
          push:
            branches: ["release/[v1.*]"]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix: the intended pattern is not knowable.
    """

    code = "E303"
    name = "filter-pattern"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet
        for trigger in ctx.workflow.on:
            for key in _FILTERS:
                for pattern in _patterns(trigger, key):
                    _check(ctx, pattern)


def _patterns(trigger: EventTrigger, key: str) -> tuple[Scalar, ...]:
    found = getattr(trigger, key.replace("-", "_"))
    return () if found is None else tuple(found)


def _check(ctx: Context, pattern: Scalar) -> None:
    try:
        compile_pattern(pattern.value)
    except FilterPatternError as error:
        at = inner_span(pattern, ctx.source, error.offset)
        ctx.report(at, f'bad filter pattern "{pattern.value}": {error.message}')
