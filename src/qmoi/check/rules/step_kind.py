"""S107 step-kind."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
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
_CONTROL = frozenset(("wait", "wait-all", "cancel", "parallel"))


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
    # The key names only, from the parser's index when it built one: this runs for every
    # step, and the key nodes are looked up only for a report.
    names: AbstractSet[str] = (step.index.keys() if step.index is not None
                               else {key.value for key, _ in step.pairs})
    if not names or not names.isdisjoint(_CONTROL):
        return
    run, uses = "run" in names, "uses" in names
    if run and uses:
        ctx.report(_key(step, "uses"), f'step {number} has both "run" and "uses"; a step '
                                       "runs either a script or an action")
    elif not run and not uses:
        ctx.report(step.pairs[0][0], f'step {number} has neither "run" nor "uses"')
    elif run:
        _misplaced(ctx, step, names, _USES_ONLY, number, "uses")
    else:
        _misplaced(ctx, step, names, _RUN_ONLY, number, "run")


def _key(step: Mapping, name: str) -> Scalar:
    key = step.key(name)  # the last key of that name, as a dict of the pairs would keep
    assert key is not None
    return key


def _misplaced(ctx: Context, step: Mapping, names: AbstractSet[str], misplaced: tuple[str, ...],
               number: int, owner: str) -> None:
    for name in misplaced:
        if name in names:
            ctx.report(_key(step, name), f'"{name}" is only allowed in a step with "{owner}" '
                                         f"(step {number})")
