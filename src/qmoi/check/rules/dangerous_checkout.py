"""Z702 dangerous-checkout."""

from __future__ import annotations

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import Step
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span

# What names the pull request's own commits (or the fork they live in).
_HEAD_REFS = (
    "github.event.pull_request.head.sha", "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha", "github.head_ref", "refs/pull/",
    "github.event.pull_request.head.repo.full_name", "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch", "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.head_repository.full_name",
)
# Shell commands that fetch or switch to a pull request's code.
_SCRIPT_MARKERS = ("gh pr checkout", "git fetch origin pull/", "git fetch origin refs/pull/")
# A job limited to pull requests from the repository itself runs no outsider's code.
_SAME_REPO_GUARDS = ("head.repo.full_name == github.repository",
                     "github.repository == github.event.pull_request.head.repo.full_name",
                     "head.repo.fork == false", "!github.event.pull_request.head.repo.fork")


@register
class DangerousCheckout(Rule):
    """A privileged workflow that checks out the code of the pull request it reacts to.

    What:
        In a workflow triggered by ``pull_request_target`` or ``workflow_run``, reports
        ``actions/checkout`` whose ``ref``/``repository`` names the pull request's head
        (``github.event.pull_request.head.sha``, ``head.ref``, ``github.head_ref``,
        ``refs/pull/…``, ``workflow_run.head_sha`` …) and ``run:`` scripts that fetch it
        (``gh pr checkout``, ``git fetch origin pull/…``). Jobs limited to pull requests
        from the repository itself (``head.repo.full_name == github.repository``) are
        left alone.

    Why:
        These triggers run in the base repository with its secrets and a token that can
        write, even for pull requests from forks. Building, testing or even installing
        dependencies from the fork's checkout runs the outsider's code with those rights
        (https://securitylab.github.com/research/github-actions-preventing-pwn-requests/,
        https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target).

    Example:
        on: pull_request_target
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.pull_request.head.sha }}
              - run: make test

    Fix safety:
        No fix: use ``pull_request`` for untrusted code, or split the work into an
        unprivileged ``pull_request`` workflow and a privileged one that only reads its
        artifacts.
    """

    code = "Z702"
    name = "dangerous-checkout"
    severity = Severity.WARNING

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        events = su.privileged_events(ctx.workflow)
        model = su.job_of(ctx.workflow, job_id.value)
        if not events or model is None or _guarded(model.if_):
            return
        trigger = " and ".join(events)
        for step in model.steps:
            if not _guarded(step.if_):
                _check_step(ctx, step, trigger)


def _guarded(condition: Scalar | None) -> bool:
    if condition is None:
        return False
    text = " ".join(condition.value.split())
    return any(guard in text for guard in _SAME_REPO_GUARDS)


def _check_step(ctx: Context, step: Step, trigger: str) -> None:
    if su.is_action(step, "actions/checkout"):
        for name in ("ref", "repository"):
            entry = step.with_.get(name)
            if entry is not None and entry.value and su.mentions(entry.value, *_HEAD_REFS):
                ctx.report(entry.span, f'a {trigger} workflow checks out the pull request\'s '
                                       f'code ({name}: {entry.value.strip()}) with the base '
                                       f'repository\'s secrets and write token; whatever '
                                       f'runs from it can steal them')
                return
    if step.run is not None:
        script = step.run.value
        lowered = script.lower()
        for marker in _SCRIPT_MARKERS:
            at = lowered.find(marker)
            if at >= 0:
                span = value_span_to_source(step.run, ctx.source, Span(at, at + len(marker)))
                ctx.report(span, f'a {trigger} workflow fetches the pull request\'s code '
                                 f'("{marker}") with the base repository\'s secrets and '
                                 f'write token; whatever runs from it can steal them')
                return
