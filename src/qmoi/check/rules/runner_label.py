"""L501 runner-label."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, FixAvailability, Rule
from qmoi.check.events_util import (
    CURRENT_LABELS,
    SELF_HOSTED_PRESETS,
    HostedLabel,
    hosted_label,
    replace_text,
    runs_on_labels,
)
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Fix, FixSafety, Severity
from qmoi.model.job import Job, ReusableCall
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span


@register
class RunnerLabel(Rule):
    """A ``runs-on`` label that is retired, deprecated or unknown.

    What:
        Checks each label of ``runs-on`` — and, for ``${{ matrix.x }}``, each constant
        value ``x`` takes in the matrix rows and ``include`` — against GitHub's hosted
        labels. A retired image (``ubuntu-20.04``, ``windows-2019``, ``macos-13``, …) is
        an error, a deprecated one (``ubuntu-22.04``) a warning; both name the successor.
        A label that is neither hosted, a self-hosted preset (``self-hosted``,
        ``linux``, ``x64``, …) nor listed under ``self-hosted-runner.labels`` in
        ``.github/qmoi.yml`` is a warning, since it may be a larger or self-hosted
        runner. With ``self-hosted`` in the list, custom labels are only checked once
        the configuration lists some. Labels are compared ignoring case.

        ``macos-14`` (removed 2026-11-02) is a warning for now: corpora that
        actionlint calls clean still use it widely.

    Why:
        A job on a retired image fails ("This is a scheduled … brownout", then no runner
        at all); a job whose label no runner has waits in the queue until it is
        cancelled.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-20.04
            steps:
              - run: make

    Fix safety:
        The successor replaces the label, in ``runs-on`` or in the matrix value: safe
        when it is the replacement GitHub's retirement notice names (ubuntu-20.04 →
        ubuntu-24.04, windows-2019 → windows-2022, macos-13 → macos-15-intel,
        macos-14 → macos-15), unsafe otherwise (deprecated images, older retirements
        whose notice named images that are gone too, architecture changes).
    """

    code = "L501"
    name = "runner-label"
    severity = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def __init__(self) -> None:
        self.seen: set[Span] = set()

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        model = ctx.workflow.job(job_id.value)
        if model is None or model.key is not job_id:
            return
        self_hosted = _is_self_hosted(model)
        grouped = isinstance(model, Job) and model.runs_on is not None and (
            model.runs_on.group is not None)
        custom = {label.lower() for label in ctx.config.self_hosted_labels}
        for label in runs_on_labels(model):
            if label.span in self.seen or not label.value:
                continue
            self.seen.add(label.span)
            hosted = hosted_label(label.value)
            if hosted is not None and hosted.status != "current":
                _report_old(ctx, label, hosted)
            elif hosted is None and not grouped and _unknown(label.value, self_hosted, custom):
                _report_unknown(ctx, label, self_hosted)


def _is_self_hosted(job: Job | ReusableCall) -> bool:
    return any(label.value.lower() == "self-hosted" for label in runs_on_labels(job))


def _unknown(value: str, self_hosted: bool, custom: set[str]) -> bool:
    name = value.lower()
    if name in custom or name in SELF_HOSTED_PRESETS:
        return False
    # Without a configured list, a self-hosted runner's own labels cannot be known.
    return not self_hosted or bool(custom)


def _report_old(ctx: Context, label: Scalar, hosted: HostedLabel) -> None:
    # https://docs.github.com/en/actions/reference/runners/github-hosted-runners
    message = f'runner label "{label.value}" {hosted.when}; use "{hosted.successor}"'
    severity = Severity.ERROR
    if hosted.status == "deprecated" or hosted.recent:
        severity = Severity.WARNING
    fix = None
    if hosted.successor is not None:
        safety = FixSafety.SAFE if hosted.safe else FixSafety.UNSAFE
        edit = replace_text(ctx.source, label.span, label.value, hosted.successor)
        fix = Fix(f'Use "{hosted.successor}"', safety, (edit,))
    ctx.report(label, message, severity=severity, fix=fix)


def _report_unknown(ctx: Context, label: Scalar, self_hosted: bool) -> None:
    if self_hosted:
        message = (f'self-hosted runner label "{label.value}" is not listed under '
                   "self-hosted-runner.labels in .github/qmoi.yml")
    else:
        message = f'runner label "{label.value}" is not a GitHub-hosted label'
        guess = did_you_mean(label.value, CURRENT_LABELS)
        message += "." if guess is None else f'; did you mean "{guess}"?'
        message += (" If it names a larger or self-hosted runner, list it under "
                    "self-hosted-runner.labels in .github/qmoi.yml")
    ctx.report(label, message, severity=Severity.WARNING)
