"""E306 dispatch-inputs."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, FixAvailability, Rule
from qmoi.check.events_util import check_input_default, report_input_type
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.events import WORKFLOW_DISPATCH_INPUT_TYPES
from qmoi.model.workflow import WorkflowInput
from qmoi.parse.nodes import Mapping, Scalar

# "The maximum number of top-level properties for inputs is 25" (raised from 10 on
# 2025-12-04: https://github.blog/changelog/2025-12-04-actions-workflow-dispatch-workflows-now-support-25-inputs/)
MAX_INPUTS = 25


@register
class DispatchInputs(Rule):
    """``workflow_dispatch`` inputs GitHub rejects.

    What:
        Checks each input of ``on.workflow_dispatch.inputs``: ``type`` is one of
        string, boolean, choice, number or environment; a ``choice`` has a non-empty
        ``options`` list and its ``default`` is one of them; ``options`` only go with
        ``choice`` (warning); a ``boolean`` default is true or false and a ``number``
        default is a number; and there are at most 25 inputs.

    Why:
        GitHub rejects the workflow ("you may only define up to 25 inputs", "Unexpected
        value"), or the run form cannot offer the default it shows.

    Example:
        on:
          workflow_dispatch:
            inputs:
              level:
                type: choice
                options: [info, debug]
                default: warn
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        A misspelt type (``strng``) is renamed to the closest one as an unsafe fix.
    """

    code = "E306"
    name = "dispatch-inputs"
    severity = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onworkflow_dispatchinputs
        trigger = ctx.workflow.event("workflow_dispatch")
        if trigger is None:
            return
        for item in trigger.inputs:
            _check_input(ctx, item)
        if len(trigger.inputs) > MAX_INPUTS:
            extra = trigger.inputs[MAX_INPUTS]
            ctx.report(extra.key, f"workflow_dispatch has {len(trigger.inputs)} inputs; GitHub "
                                  f"allows at most {MAX_INPUTS}")


def _check_input(ctx: Context, item: WorkflowInput) -> None:
    type_name = item.type_name or "string"
    if item.type is not None and type_name not in WORKFLOW_DISPATCH_INPUT_TYPES:
        report_input_type(ctx, item.type, "workflow_dispatch", WORKFLOW_DISPATCH_INPUT_TYPES)
        return
    if type_name == "choice":
        _check_choice(ctx, item)
    elif item.options is not None:
        at = _key(item, "options")
        ctx.report(at, f'input "{item.name}" has "options" but its type is "{type_name}"; '
                       'options are only used by type "choice"', severity=Severity.WARNING)
    check_input_default(ctx, item, type_name)


def _check_choice(ctx: Context, item: WorkflowInput) -> None:
    if not item.options:
        ctx.report(item.type or item.key,
                   f'input "{item.name}" of type "choice" needs a non-empty "options" list')
        return
    default = item.default
    if isinstance(default, Scalar) and not default.is_null:
        values = [option.value for option in item.options]
        if default.value not in values:
            shown = ", ".join(f'"{v}"' for v in values)
            ctx.report(default, f'default "{default.value}" of input "{item.name}" is not one '
                                f"of its options ({shown})")


def _key(item: WorkflowInput, name: str) -> Scalar:
    node = item.node
    found = node.key(name) if isinstance(node, Mapping) else None
    return found if found is not None else item.key
