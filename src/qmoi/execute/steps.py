"""Running a job's steps: every ``pre``, each ``main``, then the ``post`` parts in reverse.

Step rules (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"jobs.<job_id>.steps[*].if" / "continue-on-error"; gha-semantics §3.6): an ``if`` without a
status function gets ``success() &&``, and status functions read the *job* status; an ``if``
that fails to evaluate fails the step; with ``continue-on-error`` a failed step has outcome
``failure`` and conclusion ``success`` and leaves the job status alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from qmoi.events import StepFinished, StepStarted
from qmoi.execute.factory import step_kind_for
from qmoi.execute.job_state import JobState, StepRecord
from qmoi.execute.step_io import StepIO
from qmoi.execute.step_kinds import CANCELLED, FAILURE, SKIPPED, SUCCESS, StepKind, StepRun
from qmoi.expr import ExpressionError, Status, evaluate, parse_condition
from qmoi.expr.values import is_truthy
from qmoi.model import Step
from qmoi.plan.values import EvaluationError, condition_holds, render_node, render_text


@dataclass(slots=True)
class _Planned:
    step: Step
    kind: StepKind
    action: str = ""
    step_env: dict[str, str] | None = None


def run_steps(state: JobState) -> None:
    planned = [_Planned(step, step_kind_for(step)) for step in state.job.steps]
    for item in planned:
        item.action = state.action_name(item.step.id.value if item.step.id else None)
    for item in planned:
        if item.kind.has_pre:
            _part(state, item, "pre")
    posts: list[_Planned] = []
    for item in planned:
        if _main(state, item) and item.kind.has_post:
            posts.append(item)
    for item in reversed(posts):
        _part(state, item, "post")


def _status(state: JobState) -> Status:
    return Status.CANCELLED if state.token.cancelled else state.status


def _step_id(step: Step) -> str:
    return step.id.value if step.id is not None else ""


def _name(state: JobState, step: Step) -> str:
    if step.name is None or "${{" not in step.name.value:
        return step.display_name
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    try:
        return render_text(step.name, contexts, state.source, options=state.options)
    except EvaluationError:
        return step.display_name


def _if_contexts(state: JobState) -> dict[str, object]:
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    del contexts["secrets"]  # not available in steps.if
    return contexts


def _condition(state: JobState, step: Step) -> bool:
    if step.if_ is None:  # the implicit success() alone
        return _status(state) is Status.SUCCESS
    return condition_holds(step.if_, _if_contexts(state), state.source, _status(state),
                           options=state.options)


def _step_env(state: JobState, step: Step) -> dict[str, str]:
    """The step's ``env``, evaluated with the env context of everything before it."""
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    return {entry.name: render_text(entry.scalar, contexts, state.source,
                                    options=state.options)
            for entry in step.env if entry.scalar is not None}


def _finish(state: JobState, item: _Planned, index: int, outcome: str, conclusion: str,
            io: StepIO | None) -> None:
    outputs = {} if io is None else dict(io.outputs)
    step_id = _step_id(item.step)
    if step_id:
        state.steps[step_id] = StepRecord(outcome, conclusion, outputs)
    masked = {name: state.masker.mask(value) for name, value in outputs.items()}
    state.emit(StepFinished(state.key, index, step_id, outcome, conclusion, masked,
                            time.time(), None if io is None else io.summary))


def _main(state: JobState, item: _Planned) -> bool:
    """Run one step's main part; whether it ran (so its post must run)."""
    step, index = item.step, state.next_index()
    name = _name(state, step)
    state.emit(StepStarted(state.key, index, _step_id(step), name, time.time()))
    try:
        runs = _condition(state, step)
        item.step_env = _step_env(state, step) if step.env.entries else {}
    except EvaluationError as error:
        state.annotate(index, "error", str(error))
        state.fail()
        _finish(state, item, index, FAILURE, FAILURE, None)
        return False
    if not runs:
        _finish(state, item, index, SKIPPED, SKIPPED, None)
        return False
    outcome, io = _execute(state, item, index, name, "main")
    conclusion = outcome
    if outcome == FAILURE and _continue_on_error(state, item, index):
        conclusion = SUCCESS
    _record(state, conclusion)
    _finish(state, item, index, outcome, conclusion, io)
    return True


def _execute(state: JobState, item: _Planned, index: int, name: str, stage: str
             ) -> tuple[str, StepIO]:
    env = item.step_env or {}
    io = StepIO(state, index, state.env_context(env))
    run = StepRun(state, item.step, index, io, env, item.action, name)
    part = {"pre": item.kind.pre, "main": item.kind.main, "post": item.kind.post}[stage]
    outcome = part(run)
    io.apply_files()
    if io.failed and outcome == SUCCESS:
        outcome = FAILURE
    return outcome, io


def _record(state: JobState, conclusion: str) -> None:
    if conclusion == FAILURE:
        state.fail()
    elif conclusion == CANCELLED:
        state.status = Status.CANCELLED


def _continue_on_error(state: JobState, item: _Planned, index: int) -> bool:
    scalar = item.step.continue_on_error
    if scalar is None:
        return False
    contexts = state.base_contexts()
    contexts["env"] = state.env_context(item.step_env or {})
    try:
        return is_truthy(render_node(scalar, contexts, state.source, options=state.options))
    except EvaluationError as error:
        state.annotate(index, "error", str(error))
        return False


def _part(state: JobState, item: _Planned, stage: str) -> None:
    """A pre or post part: its own log entry, run when its condition holds (default
    ``always()``), its failure failing the job."""
    index = state.next_index()
    label = f"{'Pre' if stage == 'pre' else 'Post'} {_name(state, item.step)}"
    state.emit(StepStarted(state.key, index, _step_id(item.step), label, time.time()))
    text = item.kind.pre_condition if stage == "pre" else item.kind.post_condition
    try:
        runs = is_truthy(evaluate(parse_condition(text), _if_contexts(state),
                                  status=_status(state), options=state.options))
    except ExpressionError as error:
        state.annotate(index, "error", f"{error.message} (in the {stage} condition)")
        runs = False
    if not runs:
        state.emit(StepFinished(state.key, index, "", SKIPPED, SKIPPED, {}, time.time()))
        return
    outcome, io = _execute(state, item, index, label, stage)
    _record(state, outcome)
    state.emit(StepFinished(state.key, index, "", outcome, outcome, {}, time.time(),
                            io.summary))
