"""Running a job's steps: every ``pre``, each ``main``, then the ``post`` parts in reverse.

Step rules (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"jobs.<job_id>.steps[*].if" / "continue-on-error"; gha-semantics §3.6): an ``if`` without a
status function gets ``success() &&``, and status functions read the *job* status; an ``if``
that fails to evaluate fails the step; with ``continue-on-error`` a failed step has outcome
``failure`` and conclusion ``success`` and leaves the job status alone.

The steps of a composite action run through the same code with an :class:`ActionScope`:
their status functions read the composite's own status, they log into the composite step's
part (each in its own group), and their results land in the composite's ``steps`` context
(R:src/Runner.Worker/Handlers/CompositeActionHandler.cs).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qmoi.events import StepFinished, StepStarted
from qmoi.execute.factory import step_kind_for
from qmoi.execute.job_state import ActionScope, JobState, StepRecord
from qmoi.execute.step_io import StepIO
from qmoi.execute.step_kinds import CANCELLED, FAILURE, SKIPPED, SUCCESS, StepKind, StepRun
from qmoi.expr import ExpressionError, Status, evaluate, parse_condition
from qmoi.expr.values import is_truthy
from qmoi.model import Step
from qmoi.plan.values import EvaluationError, condition_holds, render_node, render_text


@dataclass(slots=True)
class _Planned:
    """A step as the step loop runs it: its kind, the action name it reports under, its composite
    scope."""

    step: Step
    kind: StepKind
    action: str = ""
    step_env: dict[str, str] | None = None
    scope: ActionScope | None = None


def run_steps(state: JobState) -> None:
    planned = [_Planned(step, step_kind_for(step)) for step in state.job.steps]
    for item in planned:
        item.action = state.action_name(item.step.id.value if item.step.id else None)
    for item in planned:
        if item.kind.has_pre:
            _part(state, item, "pre")
    for position, item in enumerate(planned):
        following = planned[position + 1] if position + 1 < len(planned) else None
        if following is not None:
            state.next_hook = functools.partial(_warm_up, state, following)
        try:
            _main(state, item)
        finally:
            state.next_hook = None
    state.drop_warm()
    for post in reversed(state.posts):
        post()


def _warm_up(state: JobState, item: _Planned) -> None:
    """Let the next step prepare while this one runs (its ``if:`` is not known yet; a
    step that does not run drops what was prepared)."""
    entries = item.step.env.entries
    if any(e.scalar is not None and "hashFiles" in e.scalar.value for e in entries):
        return  # hashing the workspace now would be wasted if the step changes it
    try:
        env = _step_env(state, item) if entries else {}
    except EvaluationError:
        return
    item.kind.warm_up(state, env, item.action)


def run_nested(state: JobState, steps: Sequence[Step], scope: ActionScope, index: int,
               outer: StepIO) -> None:
    """Run a composite action's steps inside the composite step's part ``index``."""
    for step in steps:
        item = _Planned(step, step_kind_for(step), scope=scope)
        item.action = state.action_name(step.id.value if step.id else None)
        io = _main(state, item, index)
        if io is not None and io.summary:
            outer.summary = (outer.summary or "") + io.summary


def _status(state: JobState, scope: ActionScope | None) -> Status:
    if state.token.cancelled:
        return Status.CANCELLED
    return state.status if scope is None else scope.status


def _step_id(step: Step) -> str:
    return step.id.value if step.id is not None else ""


def _contexts(state: JobState, item: _Planned, env: dict[str, str] | None = None
              ) -> dict[str, Any]:
    scope, env = item.scope, env or {}
    if scope is not None:
        return state.scope_contexts(scope, {**scope.env, **env})
    contexts = state.base_contexts()
    contexts["env"] = state.env_context(env)
    return contexts


def _source(state: JobState, item: _Planned) -> Any:
    return state.source if item.scope is None else item.scope.source


def _name(state: JobState, item: _Planned) -> str:
    step = item.step
    if step.name is None or "${{" not in step.name.value:
        return step.display_name
    try:
        return render_text(step.name, _contexts(state, item), _source(state, item),
                           options=state.options)
    except EvaluationError:
        return step.display_name


def _if_contexts(state: JobState, item: _Planned) -> dict[str, Any]:
    contexts = _contexts(state, item)
    contexts.pop("secrets", None)  # not available in steps.if
    return contexts


def _condition(state: JobState, item: _Planned) -> bool:
    status = _status(state, item.scope)
    if item.step.if_ is None:  # the implicit success() alone
        return status is Status.SUCCESS
    return condition_holds(item.step.if_, _if_contexts(state, item), _source(state, item),
                           status, options=state.options)


def _step_env(state: JobState, item: _Planned) -> dict[str, str]:
    """The step's ``env``, evaluated with the env context of everything before it (a
    composite's steps also inherit the composite step's ``env``)."""
    contexts = _contexts(state, item)
    inherited = {} if item.scope is None else dict(item.scope.env)
    own = {entry.name: render_text(entry.scalar, contexts, _source(state, item),
                                   options=state.options)
           for entry in item.step.env if entry.scalar is not None}
    return {**inherited, **own}


def _finish(state: JobState, item: _Planned, index: int, outcome: str, conclusion: str,
            io: StepIO | None) -> None:
    outputs = {} if io is None else dict(io.outputs)
    step_id = _step_id(item.step)
    if item.scope is not None:
        if step_id:
            item.scope.steps[step_id] = StepRecord(outcome, conclusion, outputs)
        return
    if step_id:
        state.steps[step_id] = StepRecord(outcome, conclusion, outputs)
    masked = {name: state.masker.mask(value) for name, value in outputs.items()}
    state.emit(StepFinished(state.key, index, step_id, outcome, conclusion, masked,
                            time.time(), None if io is None else io.summary))


def _main(state: JobState, item: _Planned, nested_index: int | None = None) -> StepIO | None:
    """Run one step's main part (registering its post when it ran); its I/O when it ran."""
    step = item.step
    name = _name(state, item)
    if nested_index is None:
        index = state.next_index()
        state.emit(StepStarted(state.key, index, _step_id(step), name, time.time()))
    else:
        index = nested_index
    try:
        runs = _condition(state, item)
        item.step_env = _step_env(state, item) if step.env.entries or item.scope else {}
    except EvaluationError as error:
        if item.scope is None:
            state.drop_warm()
        state.annotate(index, "error", str(error))
        _record(state, item.scope, FAILURE)
        _finish(state, item, index, FAILURE, FAILURE, None)
        return None
    if not runs:
        if item.scope is None:
            state.drop_warm()
        _finish(state, item, index, SKIPPED, SKIPPED, None)
        return None
    if nested_index is not None:
        state.log(index, name, "group")
    outcome, io = _execute(state, item, index, name, "main")
    if nested_index is not None:
        state.log(index, "", "endgroup")
    conclusion = outcome
    if outcome == FAILURE and _continue_on_error(state, item, index):
        conclusion = SUCCESS
    _record(state, item.scope, conclusion)
    _finish(state, item, index, outcome, conclusion, io)
    if item.kind.has_post:
        state.posts.append(functools.partial(_part, state, item, "post"))
    return io


def _execute(state: JobState, item: _Planned, index: int, name: str, stage: str
             ) -> tuple[str, StepIO]:
    env = item.step_env or {}
    context_env = env if item.scope is None else {**item.scope.env, **env}
    io = StepIO(state, index, state.env_context(context_env))
    run = StepRun(state, item.step, index, io, env, item.action, name,
                  scope=item.scope if stage == "main" else None)
    part = {"pre": item.kind.pre, "main": item.kind.main, "post": item.kind.post}[stage]
    outcome = part(run)
    io.apply_files()
    if io.failed and outcome == SUCCESS:
        outcome = FAILURE
    return outcome, io


def _record(state: JobState, scope: ActionScope | None, conclusion: str) -> None:
    if scope is not None:
        if conclusion == FAILURE:
            scope.fail()
        elif conclusion == CANCELLED:
            scope.status = Status.CANCELLED
        return
    if conclusion == FAILURE:
        state.fail()
    elif conclusion == CANCELLED:
        state.status = Status.CANCELLED


def _continue_on_error(state: JobState, item: _Planned, index: int) -> bool:
    scalar = item.step.continue_on_error
    if scalar is None:
        return False
    contexts = _contexts(state, item, item.step_env)
    try:
        return is_truthy(render_node(scalar, contexts, _source(state, item),
                                     options=state.options))
    except EvaluationError as error:
        state.annotate(index, "error", str(error))
        return False


def _part(state: JobState, item: _Planned, stage: str) -> None:
    """A pre or post part: its own log entry, run when its condition holds (default
    ``always()``; status functions read the job's status), its failure failing the job."""
    index = state.next_index()
    label = f"{'Pre' if stage == 'pre' else 'Post'} {_name(state, item)}"
    state.emit(StepStarted(state.key, index, _step_id(item.step), label, time.time()))
    text = item.kind.pre_condition if stage == "pre" else item.kind.post_condition
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    del contexts["secrets"]
    try:
        runs = is_truthy(evaluate(parse_condition(text), contexts,
                                  status=_status(state, None), options=state.options))
    except ExpressionError as error:
        state.annotate(index, "error", f"{error.message} (in the {stage} condition)")
        runs = False
    if not runs:
        state.emit(StepFinished(state.key, index, "", SKIPPED, SKIPPED, {}, time.time()))
        return
    outcome, io = _execute(state, item, index, label, stage)
    _record(state, None, outcome)
    state.emit(StepFinished(state.key, index, "", outcome, outcome, {}, time.time(),
                            io.summary))
