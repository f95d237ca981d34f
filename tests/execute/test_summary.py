"""GITHUB_STEP_SUMMARY validation and masking (CreateStepSummaryCommand)."""

from __future__ import annotations

from qmoi.execute.masking import SecretMasker
from qmoi.execute.summary import SUMMARY_SIZE_LIMIT, StepSummary, read_step_summary


def test_missing_or_empty_summary_is_skipped() -> None:
    assert read_step_summary(None) == StepSummary(None)
    assert read_step_summary(b"") == StepSummary(None)


def test_summary_lines_are_masked_and_newline_terminated() -> None:
    masker = SecretMasker()
    masker.add_secret("t0ken")
    summary = read_step_summary(b"# Report\r\nkey: t0ken\rlast", masker.mask)
    assert summary == StepSummary("# Report\nkey: ***\nlast\n")


def test_exactly_one_mib_is_accepted() -> None:
    data = b"x" * SUMMARY_SIZE_LIMIT
    summary = read_step_summary(data)
    assert summary.error is None and summary.markdown == "x" * SUMMARY_SIZE_LIMIT + "\n"


def test_over_one_mib_is_an_error_without_upload() -> None:
    summary = read_step_summary(b"x" * (2 * SUMMARY_SIZE_LIMIT + 5000))
    assert summary.markdown is None
    assert summary.error is not None and summary.error.startswith(
        "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 2052k.")
    assert read_step_summary(b"x" * (SUMMARY_SIZE_LIMIT + 1)).error is not None


def test_size_is_counted_in_bytes_not_characters() -> None:
    data = ("é" * (SUMMARY_SIZE_LIMIT // 2 + 1)).encode()
    assert read_step_summary(data).error is not None
