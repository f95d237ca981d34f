"""S201 needs-unknown-job."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, FixAvailability, Rule
from qmoi.check.events_util import one_edit_away, quoted_list, replace_text
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Fix, FixSafety, Severity
from qmoi.model.common import NeedsRef
from qmoi.parse.nodes import Mapping


@register
class NeedsUnknownJob(Rule):
    """A ``needs:`` entry that names no job of the workflow.

    What:
        Checks every id in ``jobs.<id>.needs`` against the workflow's job ids (compared
        ignoring case, as GitHub does) and suggests the closest existing id.

    Why:
        GitHub rejects the workflow: "Job 'deploy' depends on unknown job 'biuld'".

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make
          deploy:
            needs: biuld
            runs-on: ubuntu-latest
            steps:
              - run: make deploy

    Fix safety:
        When exactly one existing job id is one edit away from the unknown id, renaming
        the entry to it is safe: an unknown id cannot run at all, and a one-letter slip
        with a single candidate has one intended meaning. Other suggestions get no fix.
    """

    code = "S201"
    name = "needs-unknown-job"
    severity = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        workflow = ctx.workflow
        ids = [job.id for job in workflow.jobs]
        for job in workflow.jobs:
            for ref in job.needs:
                if ref.id and workflow.job(ref.id) is None:
                    _report(ctx, job.id, ref, ids)


def _report(ctx: Context, job_id: str, ref: NeedsRef, ids: list[str]) -> None:
    # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idneeds
    message = f'job "{job_id}" needs unknown job "{ref.id}"'
    near = [other for other in ids if one_edit_away(ref.id.casefold(), other.casefold())]
    guess = quoted_list(near) if near else did_you_mean(ref.id, ids)
    fix = None
    if guess is not None:
        message += f"; did you mean {guess if near else quoted_list([guess])}?"
    if len(near) == 1:
        edit = replace_text(ctx.source, ref.span, ref.id, near[0])
        fix = Fix(f'Rename to "{near[0]}"', FixSafety.SAFE, (edit,))
    elif guess is None:
        others = [f'"{i}"' for i in ids if i != job_id]
        if others:
            message += "; the other jobs are " + ", ".join(others)
    ctx.report(ref.span, message, fix=fix)
