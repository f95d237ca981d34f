"""Composite actions: their steps run inside the composite step, with the action's
``inputs`` context (no ``INPUT_*`` variables), their own ``steps`` context and status,
the composite step's ``env``, and ``github.action_path``; the action's ``outputs`` map
step outputs out (R:src/Runner.Worker/Handlers/CompositeActionHandler.cs).

"Can be nested to have up to 10 composite actions in one workflow"
(https://docs.github.com/en/actions/concepts/workflows-and-actions/reusing-workflow-configurations).
"""

from __future__ import annotations

from qmoi.execute.actions.locate import Located
from qmoi.execute.job_state import ActionScope
from qmoi.execute.step_kinds import CANCELLED, FAILURE, SUCCESS, StepRun
from qmoi.execute.steps import run_nested
from qmoi.expr import Status
from qmoi.plan.values import EvaluationError, render_text

MAX_COMPOSITE_DEPTH = 10


def run_composite(run: StepRun, located: Located, inputs: dict[str, str]) -> str:
    depth = 1 if run.scope is None else run.scope.depth + 1
    if depth > MAX_COMPOSITE_DEPTH:
        run.io.error(f"composite action {located.shown} is nested {depth} deep; GitHub allows "
                     f"at most {MAX_COMPOSITE_DEPTH}")
        return FAILURE
    runs = located.action.runs
    assert runs is not None
    scope = ActionScope(located.action.source, dict(inputs), str(located.folder),
                        dict(run.step_env), located.repository, located.ref, depth)
    run_nested(run.job, runs.steps, scope, run.index, run.io)
    _outputs(run, located, scope)
    if scope.status is Status.CANCELLED:
        return CANCELLED
    return FAILURE if scope.status is Status.FAILURE else SUCCESS


def _outputs(run: StepRun, located: Located, scope: ActionScope) -> None:
    """``outputs.<id>.value`` evaluated over the composite's own steps."""
    contexts = run.job.scope_contexts(scope, dict(scope.env))
    for output in located.action.outputs:
        if output.value is None:
            continue
        try:
            run.io.outputs[output.name] = render_text(output.value, contexts, scope.source,
                                                      options=run.job.options)
        except EvaluationError as error:
            run.io.error(str(error))
            scope.fail()
