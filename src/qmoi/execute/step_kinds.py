"""Step kinds: small objects, each with pre / main / post parts (act's design). The job
runs every ``pre`` first, then each ``main`` in order, then the ``post`` parts of the steps
whose main ran, in reverse; posts run by default (``always()``). ``qmoi.execute.factory``
picks the kind of a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from qmoi.execute.job_state import ActionScope, JobState
from qmoi.execute.process import Completed
from qmoi.execute.step_io import StepIO
from qmoi.model import ActionRef, Step
from qmoi.parse.nodes import Scalar
from qmoi.plan.values import render_text

SUCCESS, FAILURE, CANCELLED, SKIPPED = "success", "failure", "cancelled", "skipped"


@dataclass(slots=True)
class StepRun:
    """What a step part works with: the job, the step, the part's event index and I/O,
    the step's evaluated ``env`` and its ``github.action`` name; ``scope`` is set for the
    steps of a composite action."""

    job: JobState
    step: Step
    index: int
    io: StepIO
    step_env: dict[str, str]
    action: str
    name: str
    extra: dict[str, Any] = field(default_factory=dict)
    scope: ActionScope | None = None

    @property
    def source(self) -> Any:
        """The file the step is written in (a composite's steps are in its action.yml)."""
        return self.job.source if self.scope is None else self.scope.source

    def contexts(self, *, secrets: bool = True) -> dict[str, Any]:
        if self.scope is not None:
            contexts = self.job.scope_contexts(self.scope, self.step_env)
            contexts["github"].update(action=self.action, **self.io.files)
            return contexts
        contexts = self.job.base_contexts()
        contexts["env"] = self.job.env_context(self.step_env)
        contexts["github"] = self.job.github(action=self.action, **self.io.files)
        if not secrets:
            del contexts["secrets"]
        return contexts

    def render(self, scalar: Scalar | None) -> str:
        if scalar is None or "${{" not in scalar.value:
            return render_text(scalar, {})  # nothing to evaluate: skip building contexts
        return render_text(scalar, self.contexts(), self.source, options=self.job.options)

    def process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return self.job.process_env(self.io.files, self.step_env, self.action, extra,
                                    self.scope)


def process_outcome(run: StepRun, done: Completed, timeout: float | None, failed: str) -> str:
    """A step part's outcome from its process, with the runner's message for a
    cancellation, a timeout, or ``failed`` (``{code}``: the exit code) for a failure."""
    if done.stopped == "cancelled":
        run.io.error("The operation was canceled.")
        return CANCELLED
    if done.stopped == "timeout":
        run.io.error(f"The action '{run.name}' has timed out after "
                     f"{(timeout or 0) / 60:g} minutes.")
        return FAILURE
    if done.exit_code != 0:
        run.io.error(failed.format(code=done.exit_code))
        return FAILURE
    return SUCCESS


class StepKind(Protocol):
    """One step's behaviour. ``pre_condition``/``post_condition`` are ``if:`` texts."""

    has_pre: bool
    has_post: bool
    pre_condition: str
    post_condition: str

    def pre(self, run: StepRun) -> str:
        """Run the pre part; the outcome (success, failure or cancelled)."""
        ...

    def main(self, run: StepRun) -> str:
        ...

    def post(self, run: StepRun) -> str:
        ...

    def warm_up(self, job: JobState, step_env: dict[str, str], action: str) -> None:
        """Prepare the main part while the step before runs (``step_env``: the step's
        ``env`` as it evaluates now); it may do nothing."""
        ...


class BaseKind:
    """A kind with only a main part; subclasses override what they have."""

    has_pre = False
    has_post = False
    pre_condition = "always()"
    post_condition = "always()"

    def __init__(self, step: Step) -> None:
        self.step = step

    def pre(self, run: StepRun) -> str:
        return SUCCESS

    def main(self, run: StepRun) -> str:
        raise NotImplementedError

    def post(self, run: StepRun) -> str:
        return SUCCESS

    def warm_up(self, job: JobState, step_env: dict[str, str], action: str) -> None:
        return None


class UnavailableAction(BaseKind):
    """A ``uses:`` step no registered kind handles."""

    def __init__(self, step: Step, ref: ActionRef | None) -> None:
        super().__init__(step)
        self.ref = ref

    def main(self, run: StepRun) -> str:
        written = self.step.uses.value if self.step.uses is not None else "?"
        name = self.ref.raw if self.ref is not None else written
        run.io.error(f"action {name} is not available offline")
        return FAILURE


class UnsupportedStep(BaseKind):
    """Background-step controls (wait, wait-all, cancel, parallel) and malformed steps."""

    def main(self, run: StepRun) -> str:
        kind = self.step.kind or "this"
        run.io.error(f"{kind} steps are not supported by qmoi run yet")
        return FAILURE
