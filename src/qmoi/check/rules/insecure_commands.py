"""Z708 insecure-commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import EntryMap, Job, Step, build_action
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span


@register
class InsecureCommands(Rule):
    """``ACTIONS_ALLOW_UNSECURE_COMMANDS`` turns the disabled ``set-env``/``add-path`` back on.

    What:
        Reports ``ACTIONS_ALLOW_UNSECURE_COMMANDS`` set to a true value in any ``env:``
        (workflow, job, step, action) or written to ``$GITHUB_ENV`` by a script.

    Why:
        GitHub disabled ``::set-env`` and ``::add-path`` in 2020 because anything printed
        to the log — a pull request title, a test's output — could set ``LD_PRELOAD`` or
        ``PATH`` for the following steps. The variable re-opens that hole
        (https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            env:
              ACTIONS_ALLOW_UNSECURE_COMMANDS: true
            steps:
              - run: echo "::add-path::/opt/tool/bin"

    Fix safety:
        No fix, never automatic: remove the variable and write to ``$GITHUB_ENV`` /
        ``$GITHUB_PATH`` (the deprecated-command rule rewrites the commands).
    """

    code = "Z708"
    name = "insecure-commands"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    variable = "ACTIONS_ALLOW_UNSECURE_COMMANDS"
    consequence = "re-enables the ::set-env and ::add-path commands that any log line can use"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        self._report(ctx, enabled_flags(ctx, root, self.variable))

    def action(self, ctx: Context, root: Mapping) -> None:
        self._report(ctx, enabled_flags(ctx, root, self.variable))

    def _report(self, ctx: Context, found: list[FlagUse]) -> None:
        for use in found:
            ctx.report(use.span, f"{self.variable}={use.value} {use.where} "
                                 f"{self.consequence}; remove it")


_OFF = frozenset({"", "false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class FlagUse:
    """Where a runner switch such as ``ACTIONS_ALLOW_UNSECURE_COMMANDS`` is turned on."""

    span: Span
    value: str
    where: str


def _env_scopes(ctx: Context, root: Mapping) -> Iterator[tuple[str, EntryMap]]:
    if ctx.document.kind == "action":
        runs = build_action(root, ctx.source).runs
        if runs is not None:
            yield "in the action's env", runs.env
            yield from (("in a step's env", step.env) for step in runs.steps)
        return
    workflow = ctx.workflow
    yield "in the workflow's env", workflow.env
    for job in workflow.jobs:
        if isinstance(job, Job):
            yield f'in job "{job.id}"\'s env', job.env
            yield from ((f'in a step\'s env of job "{job.id}"', step.env) for step in job.steps)


def _scripts(ctx: Context, root: Mapping) -> Iterator[Scalar]:
    if ctx.document.kind == "action":
        runs = build_action(root, ctx.source).runs
        steps: Iterable[Step] = () if runs is None else runs.steps
    else:
        steps = (s for job in ctx.workflow.jobs if isinstance(job, Job) for s in job.steps)
    yield from (step.run for step in steps if step.run is not None)


def enabled_flags(ctx: Context, root: Mapping, variable: str) -> list[FlagUse]:
    """Every place that sets the runner switch ``variable`` to a value other than false."""
    found: list[FlagUse] = []
    for where, entries in _env_scopes(ctx, root):
        entry = entries.get(variable)
        if entry is not None and entry.value is not None and (
                entry.value.strip().lower() not in _OFF):
            found.append(FlagUse(entry.name_span.cover(entry.span), entry.value.strip(), where))
    for script in _scripts(ctx, root):
        text = script.value
        at = text.find(variable + "=")
        while at >= 0:
            line_end = text.find("\n", at)
            line = text[at : len(text) if line_end < 0 else line_end]
            value = line[len(variable) + 1 :].split()[0].strip("\"'") if line.split() else ""
            if "GITHUB_ENV" in line and value.lower() not in _OFF:
                span = value_span_to_source(script, ctx.source, Span(at, at + len(variable)))
                found.append(FlagUse(span, value, "written to $GITHUB_ENV"))
            at = text.find(variable + "=", at + 1)
    return found
