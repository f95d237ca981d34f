"""L502 runner-label-conflict."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.events_util import PRESET_OS, HostedLabel, hosted_label, resolve_label
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.job import Job
from qmoi.parse.nodes import Mapping, Scalar


@register
class RunnerLabelConflict(Rule):
    """``runs-on`` labels that no single runner can have together.

    What:
        A runner must carry every label of the list. Reports two GitHub-hosted labels
        of different operating systems or architectures, or two different pinned
        images (``ubuntu-22.04`` with ``ubuntu-24.04``); a hosted label with a
        self-hosted OS label of another system (``windows-latest`` with ``linux``);
        and, as a warning, ``self-hosted`` beside a GitHub-hosted label. A label given
        by ``${{ matrix.x }}`` is checked with each constant value of ``x``.

    Why:
        No runner matches, so the job waits in the queue until GitHub cancels it. To
        run a job on several systems, use a matrix.

    Example:
        on: push
        jobs:
          build:
            runs-on: [ubuntu-latest, windows-latest]
            steps:
              - run: make

    Fix safety:
        No fix: which system was meant is the author's choice.
    """

    code = "L502"
    name = "runner-label-conflict"
    severity = Severity.ERROR

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idruns-on
        model = ctx.workflow.job(job_id.value)
        if not isinstance(model, Job) or model.key is not job_id or model.runs_on is None:
            return
        runs_on = model.runs_on
        if runs_on.expression is not None or len(runs_on.labels) < 2:
            return
        written: list[Scalar] = []
        for label in runs_on.labels:
            resolved = list(resolve_label(label, model.matrix))
            for value in resolved:
                _check(ctx, value, written)
            if resolved and resolved[0] is label:
                written.append(label)


def _check(ctx: Context, label: Scalar, earlier: list[Scalar]) -> None:
    for other in earlier:
        problem = _conflict(label.value.lower(), other.value.lower())
        if problem is None:
            continue
        message, severity = problem
        line = ctx.source.position(other.span.start).line
        ctx.report(label, f'runner label "{label.value}" conflicts with "{other.value}" on '
                          f"line {line}: {message}", severity=severity)
        return


def _conflict(a: str, b: str) -> tuple[str, Severity] | None:
    first, second = hosted_label(a), hosted_label(b)
    if first is not None and second is not None:
        return _hosted_conflict(first, second)
    if "self-hosted" in (a, b) and (first or second) is not None:
        return ("GitHub-hosted runners do not have the label \"self-hosted\"",
                Severity.WARNING)
    hosted, other = (first, b) if first is not None else (second, a)
    if hosted is not None and other in PRESET_OS and other != hosted.os:
        return f"a {hosted.os} runner is not a {other} runner", Severity.ERROR
    return None


def _hosted_conflict(a: HostedLabel, b: HostedLabel) -> tuple[str, Severity] | None:
    if a.name == b.name:
        return None
    if a.os != b.os or a.arch != b.arch:
        return (f"one runner cannot be {a.os}/{a.arch} and {b.os}/{b.arch}; use a matrix to "
                "run on both", Severity.ERROR)
    if not a.is_alias and not b.is_alias:
        return "a hosted runner runs one image; use a matrix to run on both", Severity.ERROR
    return None
