"""E302 exclusive-filters."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.filters import EXCLUSIVE_KEYS
from qmoi.parse.nodes import Mapping


@register
class ExclusiveFilters(Rule):
    """``branches`` with ``branches-ignore`` (or ``tags``/``paths`` with their
    ``-ignore`` twin) on one event.

    What:
        Reports the ``-ignore`` key when the same event also has the including key.
        To include and exclude in one list, use ``!`` patterns in ``branches``.

    Why:
        GitHub rejects the workflow: "You cannot use both the ``branches`` and
        ``branches-ignore`` filters for the same event" (workflow syntax, ``on.push``).

    Example:
        on:
          push:
            branches: [main]
            branches-ignore: [wip/**]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix: merging the lists with ``!`` changes their order-dependent meaning.
    """

    code = "E302"
    name = "exclusive-filters"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onpushbranchestagsbranches-ignoretags-ignore
        for trigger in ctx.workflow.on:
            config = trigger.config
            if not isinstance(config, Mapping):
                continue
            for include, ignore in EXCLUSIVE_KEYS:
                first, second = config.key(include), config.key(ignore)
                if first is not None and second is not None:
                    ctx.report(second, f'"{trigger.name}" cannot use both "{include}" and '
                                       f'"{ignore}"; write the exclusions as "!" patterns '
                                       f'in "{include}"')
