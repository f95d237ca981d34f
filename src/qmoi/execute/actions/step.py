"""The ``uses:`` step of a local (``./path``) or cached remote action, or of a Docker image
(``docker://``): found, loaded, its inputs worked out, then run as a composite, a JavaScript
(node) action or a container (``qmoi.execute.actions.docker``).

Node and Docker actions have ``pre`` / ``post`` parts (a script, or ``pre-entrypoint`` /
``post-entrypoint``) guarded by ``pre-if`` / ``post-if`` (default ``always()``); ``pre``
is not run for local actions (the runner cannot read them before the
job has checked them out, gha-semantics §3.11). State saved by one part (``GITHUB_STATE``
or ``save-state``) reaches the later parts as ``STATE_*``.
"""

from __future__ import annotations

from qmoi.execute.actions.composite import run_composite
from qmoi.execute.actions.inputs import ActionInputs, action_inputs, given_inputs
from qmoi.execute.actions.locate import Located, locate_local, locate_remote
from qmoi.execute.actions.metadata import ActionError
from qmoi.execute.actions.node import run_node
from qmoi.execute.step_io import StepIO
from qmoi.execute.step_kinds import FAILURE, SUCCESS, BaseKind, StepRun
from qmoi.model import ActionRef, Runs, Step
from qmoi.parse.nodes import Scalar
from qmoi.plan.values import EvaluationError


class ActionStep(BaseKind):
    def __init__(self, step: Step, ref: ActionRef) -> None:
        super().__init__(step)
        self.ref = ref
        self.located: Located | None = None
        self.problem: str | None = None
        self.inputs: ActionInputs | None = None
        self._ios: list[StepIO] = []
        if ref.kind == "remote":
            try:
                self.located = locate_remote(ref)
            except ActionError as error:
                self.problem = str(error)
        runs = self._runs()
        if runs is not None and _part_of(runs, "pre") is not None:
            self.has_pre = True
            self.pre_condition = runs.pre_if.value if runs.pre_if is not None else "always()"

    def _runs(self) -> Runs | None:
        """The ``runs`` of a node or docker action (those with pre/post parts)."""
        located = self.located
        if located is None or located.action.runs is None:
            return None
        runs = located.action.runs
        return runs if runs.kind in ("node", "docker") else None

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
        return self._part(run, "pre")

    def post(self, run: StepRun) -> str:
        return self._part(run, "post")

    def main(self, run: StepRun) -> str:
        if self.ref.kind == "docker":  # docker://image: its `with` values as they are
            from qmoi.execute.actions.docker import run_docker

            return run_docker(run, shown=self.ref.raw, image=self.ref.image or "",
                              dockerfile=None, runs=None, inputs=given_inputs(run),
                              stage="main")
        try:
            if self.located is None and self.ref.kind == "local":
                self.located = locate_local(self.ref, run.job.folders.workspace)
            if self.located is None:
                raise ActionError(self.problem or f"action {self.ref.raw} cannot be found")
            located = self.located
            kind = located.action.runs.kind if located.action.runs is not None else None
            inputs = self._inputs(run, located)
        except (ActionError, EvaluationError) as error:
            run.io.error(str(error))
            return FAILURE
        if kind == "composite":
            return run_composite(run, located, inputs)
        outcome = self._part(run, "main")
        runs = self._runs()
        if runs is not None and _part_of(runs, "post") is not None:
            self.has_post = True
            self.post_condition = runs.post_if.value if runs.post_if is not None \
                else "always()"
        return outcome

    def _part(self, run: StepRun, stage: str) -> str:
        located, runs = self.located, self._runs()
        if located is None or runs is None:
            return SUCCESS
        script = _part_of(runs, stage)
        if script is None and (runs.kind == "node" or stage != "main"):
            return SUCCESS
        try:
            inputs = self._inputs(run, located)
        except EvaluationError as error:
            run.io.error(str(error))
            return FAILURE
        self._ios.append(run.io)
        if runs.kind == "docker":
            from qmoi.execute.actions.docker import image_of, run_docker

            image, dockerfile = image_of(runs, located.folder)
            return run_docker(run, shown=located.shown, image=image, dockerfile=dockerfile,
                              runs=runs, inputs=inputs, stage=stage)
        return run_node(run, located, script.value if script else "", inputs, self._state())


def _part_of(runs: Runs, stage: str) -> Scalar | None:
    """What runs a part: the script of a node action, the entrypoint of a docker action's
    pre and post (None when the part is absent)."""
    if runs.kind == "docker":
        found = {"pre": runs.pre_entrypoint, "main": runs.entrypoint,
                 "post": runs.post_entrypoint}[stage]
    else:
        found = {"pre": runs.pre, "main": runs.main, "post": runs.post}[stage]
    return found if found is not None and found.value else None
