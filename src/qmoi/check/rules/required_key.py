"""S103 required-key."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_action import composite_steps, required_runs_key
from qmoi.check.schema_walk import report_findings
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span


@register
class RequiredKey(Rule):
    """A required key is missing.

    What:
        Reports a missing ``on`` or ``jobs`` in a workflow, ``runs-on`` in a job that
        does not call a reusable workflow with ``uses``, ``group`` in a concurrency
        mapping, ``name`` in an environment mapping, ``type`` of a ``workflow_call``
        input, ``value`` of a ``workflow_call`` output, ``cron`` in a schedule; and in
        ``action.yml``: ``name``, ``description``, ``runs``, ``runs.using``, and
        ``main`` / ``image`` / ``steps`` for JavaScript / Docker / composite actions,
        and ``shell`` on a composite ``run`` step.

    Why:
        GitHub rejects the file, or the action cannot run.

    Example:
        on: push
        jobs:
          build:
            steps:
              - run: make

    Fix safety:
        No fix: the value cannot be guessed.
    """

    code = "S103"
    name = "required-key"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "required-key")

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
        # "jobs.<job_id>.runs-on": required, except in a job that calls a reusable workflow.
        if job.key("uses") is None and job.key("runs-on") is None:
            ctx.report(job_id, f'job "{job_id.value}" is missing the required key "runs-on"')

    def action(self, ctx: Context, root: Mapping) -> None:
        report_findings(ctx, "required-key")
        for name in ("name", "description"):
            if root.key(name) is None:
                ctx.report(Span(root.span.start, root.span.start),
                           f'the action is missing the key "{name}", which the metadata '
                           "syntax requires (the runner itself does not check it)",
                           severity=Severity.WARNING)
        runs = root.get("runs")
        using = runs.get("using") if isinstance(runs, Mapping) else None
        if isinstance(runs, Mapping) and isinstance(using, Scalar):
            needed = required_runs_key(using.value)
            if needed is not None and runs.key(needed) is None:
                ctx.report(using, f'a "{using.value}" action is missing the required key '
                                  f'"runs.{needed}"')
        for index, step in enumerate(composite_steps(root), 1):
            run = step.key("run")
            if run is not None and step.key("shell") is None:
                ctx.report(run, f'step {index} is missing the required key "shell" '
                                '(composite run steps must name their shell)')
