"""The ``uses:`` step of a local (``./path``) or cached remote action: found, loaded, its
inputs worked out, then run as a composite, a JavaScript (node) action, or refused as a
Docker action that needs a container engine.

Node actions have ``pre`` / ``post`` parts guarded by ``pre-if`` / ``post-if`` (default
``always()``); ``pre`` is not run for local actions (the runner cannot read them before the
job has checked them out, gha-semantics §3.11). State saved by one part (``GITHUB_STATE``
or ``save-state``) reaches the later parts as ``STATE_*``.
"""

from __future__ import annotations

from qmoi.execute.actions.composite import run_composite
from qmoi.execute.actions.inputs import ActionInputs, action_inputs
from qmoi.execute.actions.locate import Located, docker_message, locate_local, locate_remote
from qmoi.execute.actions.metadata import ActionError
from qmoi.execute.actions.node import run_node
from qmoi.execute.step_io import StepIO
from qmoi.execute.step_kinds import FAILURE, SUCCESS, BaseKind, StepRun
from qmoi.model import ActionRef, Runs, Step
from qmoi.plan.values import EvaluationError


class ActionStep(BaseKind):
    def __init__(self, step: Step, ref: ActionRef) -> None:
        super().__init__(step)
        self.ref = ref
        self.located: Located | None = None
        self.problem: str | None = None
        self.inputs: ActionInputs | None = None
        self._ios: list[StepIO] = []
        if ref.kind != "local":
            try:
                self.located = locate_remote(ref)
            except ActionError as error:
                self.problem = str(error)
        runs = self._node_runs()
        if runs is not None and runs.pre is not None and runs.pre.value:
            self.has_pre = True
            self.pre_condition = runs.pre_if.value if runs.pre_if is not None else "always()"

    def _node_runs(self) -> Runs | None:
        located = self.located
        if located is None or located.action.runs is None:
            return None
        runs = located.action.runs
        return runs if runs.kind == "node" else None

    def _state(self) -> dict[str, str]:
        state: dict[str, str] = {}
        for io in self._ios:
            state.update(io.state)
        return state

    def _inputs(self, run: StepRun, located: Located) -> dict[str, str]:
        if self.inputs is None:
            self.inputs = action_inputs(run, located.action, located.shown)
            for warning in self.inputs.warnings:
                run.job.annotate(run.index, "warning", warning)
        return self.inputs.values

    def pre(self, run: StepRun) -> str:
        return self._node_part(run, "pre")

    def post(self, run: StepRun) -> str:
        return self._node_part(run, "post")

    def main(self, run: StepRun) -> str:
        try:
            if self.located is None and self.ref.kind == "local":
                self.located = locate_local(self.ref, run.job.folders.workspace)
            if self.located is None:
                raise ActionError(self.problem or docker_message(self.ref.raw))
            located = self.located
            kind = located.action.runs.kind if located.action.runs is not None else None
            if kind == "docker":
                raise ActionError(docker_message(located.shown))
            inputs = self._inputs(run, located)
        except (ActionError, EvaluationError) as error:
            run.io.error(str(error))
            return FAILURE
        if kind == "composite":
            return run_composite(run, located, inputs)
        outcome = self._node_part(run, "main")
        runs = self._node_runs()
        if runs is not None and runs.post is not None and runs.post.value:
            self.has_post = True
            self.post_condition = runs.post_if.value if runs.post_if is not None \
                else "always()"
        return outcome

    def _node_part(self, run: StepRun, stage: str) -> str:
        located, runs = self.located, self._node_runs()
        if located is None or runs is None:
            return SUCCESS
        script = {"pre": runs.pre, "main": runs.main, "post": runs.post}[stage]
        if script is None:
            return SUCCESS
        try:
            inputs = self._inputs(run, located)
        except EvaluationError as error:
            run.io.error(str(error))
            return FAILURE
        state = self._state()
        self._ios.append(run.io)
        return run_node(run, located, script.value, inputs, state)
