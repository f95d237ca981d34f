"""R650 workflow-call-outputs."""

from __future__ import annotations

from qmoi.check.actions_util import property_paths
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Severity
from qmoi.model import Job
from qmoi.parse import Mapping
from qmoi.source import Span


@register
class WorkflowCallOutputs(Rule):
    """An output of ``workflow_call`` whose value reads a job or job output that does
    not exist.

    What:
        The ``value`` of ``on.workflow_call.outputs.<name>`` reads
        ``jobs.<job_id>.outputs.<output>`` of this workflow. Reports a job id that is not
        in ``jobs`` and an output that the job does not declare in its ``outputs``.
        (A missing ``value`` is the required-key rule's; input types and defaults are
        the call-input-type rule's.)

    Why:
        The caller would always receive an empty value.

    Example:
        on:
          workflow_call:
            outputs:
              version:
                value: ${{ jobs.build.outputs.vesion }}
        jobs:
          build:
            runs-on: ubuntu-latest
            outputs:
              version: ${{ steps.v.outputs.version }}
            steps:
              - id: v
                run: echo "version=1" >> "$GITHUB_OUTPUT"

    Fix safety:
        No fix: the closest name is only suggested in the message.
    """

    code = "R650"
    name = "workflow-call-outputs"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onworkflow_calloutputs
        trigger = ctx.workflow.event("workflow_call")
        if trigger is None:
            return
        for output in trigger.outputs:
            if output.value is None:
                continue
            for ref in property_paths(ctx, output.value):
                names = ref.names
                if len(names) == 4 and names[0].casefold() == "jobs" and (
                        names[2].casefold() == "outputs"):
                    self._check(ctx, names[1], names[3], ref.span)

    @staticmethod
    def _check(ctx: Context, job_id: str, name: str, span: Span) -> None:
        job = ctx.workflow.job(job_id)
        if job is None:
            guess = did_you_mean(job_id, [j.id for j in ctx.workflow.jobs])
            hint = f'; did you mean "{guess}"?' if guess else ""
            ctx.report(span, f'the output value reads job "{job_id}", which this workflow '
                             f"does not define{hint}")
            return
        if not isinstance(job, Job):
            return  # a reusable call's outputs are the callee's (see R653)
        declared = job.outputs.names()
        if job.outputs.expression is not None or name.casefold() in {
                d.casefold() for d in declared}:
            return
        guess = did_you_mean(name, declared)
        hint = f'; did you mean "{guess}"?' if guess else ""
        ctx.report(span, f'job "{job.id}" declares no output "{name}"{hint}')
