"""GITHUB_STEP_SUMMARY: the Markdown a step wrote, checked and masked as the runner does
before attaching it to the job summary.

Source: R:src/Runner.Worker/FileCommandManager.cs ``CreateStepSummaryCommand`` (1 MiB
``AttachmentSizeLimit`` on the file's byte length; the error does not fail the step; each
line masked and rewritten with a newline) and ``UnsupportedSummarySize`` in
R:src/Runner.Common/Constants.cs; documented at
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
(section "Adding a job summary", which gives the same 1 MiB per-step limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qmoi.execute._dotnet import decode_text, read_lines

SUMMARY_SIZE_LIMIT = 1024 * 1024
TOO_LARGE = (
    "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of {0}k, got {1}k. "
    "For more information see: https://docs.github.com/actions/using-workflows/"
    "workflow-commands-for-github-actions#adding-a-markdown-summary"
)


@dataclass(frozen=True, slots=True)
class StepSummary:
    """``markdown`` to attach (None: nothing to attach) and ``error`` for an error
    annotation (the step's result is not affected)."""

    markdown: str | None
    error: str | None = None


def read_step_summary(data: bytes | None, mask: Callable[[str], str] = str) -> StepSummary:
    """Validate a step summary file's bytes (None: the step deleted the file) and mask it
    line by line with ``mask`` (e.g. ``SecretMasker.mask``)."""
    if not data:
        return StepSummary(None)
    if len(data) > SUMMARY_SIZE_LIMIT:
        return StepSummary(None, TOO_LARGE.format(SUMMARY_SIZE_LIMIT // 1024, len(data) // 1024))
    lines = read_lines(decode_text(data))
    return StepSummary("".join(f"{mask(line)}\n" for line in lines))
