"""R653 reusable-workflow-outputs."""

from __future__ import annotations

from qmoi.check.actions_util import EXAMPLE_CALLEE, document_paths, local_workflow
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Severity
from qmoi.model import ReusableCall
from qmoi.parse import Mapping


@register
class ReusableWorkflowOutputs(Rule):
    """``needs.<job>.outputs.<name>`` of a reusable-workflow call that the called
    workflow does not declare.

    What:
        For each job that calls a local reusable workflow (read from the repository),
        checks every ``needs.<job>.outputs.<name>`` in the workflow's expressions against
        the outputs the called workflow declares under ``on.workflow_call.outputs``
        (compared case-insensitively, as contexts are).

    Why:
        An undeclared output is always empty: conditions and values built on it
        silently go wrong.

    Example:
        on: push
        jobs:
          build:
            uses: ./.github/workflows/build.yml
          deploy:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ needs.build.outputs.artefact }}"

    Fix safety:
        No fix: the closest declared output is only suggested in the message.
    """

    code = "R653"
    name = "reusable-workflow-outputs"
    # The called workflow the documented example refers to (it declares "artifact").
    example_files = ((".github/workflows/build.yml", EXAMPLE_CALLEE),)
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        declared: dict[str, tuple[str, tuple[str, ...]]] = {}
        for job in ctx.workflow.jobs:
            if not isinstance(job, ReusableCall) or job.uses is None:
                continue
            path = job.uses.value.strip()
            callee = local_workflow(ctx, path) if path.startswith("./") else None
            trigger = None if callee is None else callee.event("workflow_call")
            if trigger is not None:
                declared[job.id.casefold()] = (path, tuple(o.name for o in trigger.outputs))
        if not declared:
            return
        for ref in document_paths(ctx):
            names = ref.names
            if len(names) != 4 or names[0].casefold() != "needs":
                continue
            if names[2].casefold() != "outputs" or names[1].casefold() not in declared:
                continue
            path, outputs = declared[names[1].casefold()]
            if names[3].casefold() in {o.casefold() for o in outputs}:
                continue
            message = f'"{path}" (job "{names[1]}") has no output "{names[3]}"'
            guess = did_you_mean(names[3], outputs)
            if guess is not None:
                message += f'; did you mean "{guess}"?'
            ctx.report(ref.span, message)
