"""S109 job-kind."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.schema_workflow import CALL_KEYS, CALL_ONLY_KEYS, JOB
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping, Scalar


@register
class JobKind(Rule):
    """A job that mixes the keys of a runner job and of a reusable-workflow call.

    What:
        A job that calls a reusable workflow (``uses:``) may only have ``name``,
        ``uses``, ``with``, ``secrets``, ``needs``, ``if``, ``permissions``,
        ``concurrency`` and ``strategy``; ``runs-on``, ``steps``, ``env`` and the like
        belong to jobs that run on a runner. Conversely ``with`` and ``secrets`` only
        make sense in a ``uses:`` job.

    Why:
        GitHub rejects the workflow: the two kinds of job are different shapes in its
        schema (``workflow-job`` and ``job-factory``).

    Example:
        on: push
        jobs:
          call:
            uses: ./.github/workflows/build.yml
            runs-on: ubuntu-latest

    Fix safety:
        No fix: dropping the key could lose what the author wanted.
    """

    code = "S109"
    name = "job-kind"
    severity = Severity.ERROR

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
        # lists the keywords a job that calls a reusable workflow supports.
        if job.key("uses") is not None:
            for key, _ in job.pairs:
                # Keys the schema does not know at all are the unknown-key rule's.
                if key.value not in CALL_KEYS and key.value in JOB.keys:
                    ctx.report(key, f'"{key.value}" is not allowed in job "{job_id.value}", '
                                    'which calls a reusable workflow with "uses"')
            return
        for key, _ in job.pairs:
            if key.value in CALL_ONLY_KEYS:
                ctx.report(key, f'"{key.value}" is only allowed in a job that calls a '
                                f'reusable workflow with "uses" (job "{job_id.value}")')


