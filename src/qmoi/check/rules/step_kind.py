"""S107 step-kind."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_action import composite_steps
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping, Scalar

# The runner schema's two step shapes, ``run-step`` and ``regular-step``: each of these
# keys belongs to one of them only (workflow-v1.0.json; action_yaml.json for composites).
_RUN_ONLY = ("shell", "working-directory")
_USES_ONLY = ("with",)
# Background-step controls (gha-semantics.md §3.13) run nothing themselves.
_CONTROL = ("wait", "wait-all", "cancel", "parallel")


@register
class StepKind(Rule):
    """A step that is not exactly one of a ``run`` step or a ``uses`` step.

    What:
        A step must have either ``run`` (a script) or ``uses`` (an action), not both
        and not neither. ``shell`` and ``working-directory`` belong to ``run`` steps
        only, ``with`` to ``uses`` steps only. Composite-action steps are checked too.

    Why:
        GitHub rejects the workflow; a step with neither would do nothing.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                run: make

    Fix safety:
        No fix: which half the author meant cannot be known.
    """

    code = "S107"
    name = "step-kind"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        _check(ctx, step, index + 1)

    def action(self, ctx: Context, root: Mapping) -> None:
        for index, step in enumerate(composite_steps(root), 1):
            _check(ctx, step, index)


def _check(ctx: Context, step: Mapping, number: int) -> None:
    keys = {key.value: key for key, _ in step.pairs}
    if not keys or any(k in keys for k in _CONTROL):
        return
    run, uses = keys.get("run"), keys.get("uses")
    if run is not None and uses is not None:
        ctx.report(uses, f'step {number} has both "run" and "uses"; a step runs either a '
                         "script or an action")
    elif run is None and uses is None:
        ctx.report(step.pairs[0][0], f'step {number} has neither "run" nor "uses"')
    elif run is not None:
        _misplaced(ctx, keys, _USES_ONLY, number, "uses")
    else:
        _misplaced(ctx, keys, _RUN_ONLY, number, "run")


def _misplaced(ctx: Context, keys: dict[str, Scalar], names: tuple[str, ...], number: int,
               owner: str) -> None:
    for name in names:
        key = keys.get(name)
        if key is not None:
            ctx.report(key, f'"{name}" is only allowed in a step with "{owner}" '
                            f"(step {number})")
