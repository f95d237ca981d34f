"""E307 call-input-type."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, FixAvailability, Rule
from qmoi.check.events_util import check_input_default, report_input_type
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.events import WORKFLOW_CALL_INPUT_TYPES
from qmoi.parse.nodes import Mapping


@register
class CallInputType(Rule):
    """A ``workflow_call`` input whose ``type`` or ``default`` GitHub rejects.

    What:
        The ``type`` of each ``on.workflow_call.inputs.<id>`` must be string, boolean
        or number (``choice`` and ``environment`` exist only for
        ``workflow_dispatch``); a constant ``default`` must fit the type. A default on
        a required input is noted (info), since a caller must always pass the input.

    Why:
        GitHub rejects the reusable workflow, and every caller fails with it.

    Example:
        on:
          workflow_call:
            inputs:
              target:
                type: choice
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        A misspelt type (``bool``) is renamed to the closest one as an unsafe fix.
    """

    code = "E307"
    name = "call-input-type"
    severity = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onworkflow_callinputsinput_idtype
        trigger = ctx.workflow.event("workflow_call")
        if trigger is None:
            return
        for item in trigger.inputs:
            if item.type is None:
                continue  # required-key reports a missing type
            if item.type.value not in WORKFLOW_CALL_INPUT_TYPES:
                report_input_type(ctx, item.type, "workflow_call", WORKFLOW_CALL_INPUT_TYPES)
                continue
            check_input_default(ctx, item, item.type.value)
            if item.is_required and item.default is not None:
                ctx.report(item.default, f'input "{item.name}" is required, so its default '
                                         "is never used", severity=Severity.INFO)
