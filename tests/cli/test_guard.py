"""Every command's errors become a message and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.cli.guard import guarded
from qmoi.errors import UsageError


def test_a_user_error_is_its_message_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    def bad() -> int:
        raise UsageError("no such job: deploy")

    assert guarded(bad) == 2
    assert capsys.readouterr().err == "qmoi: no such job: deploy\n"


def test_ctrl_c_is_130(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    assert guarded(interrupted) == 130
    assert capsys.readouterr().err == "qmoi: interrupted\n"


def test_a_crash_is_3_with_its_traceback_in_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise ZeroDivisionError("boom")

    assert guarded(broken) == 3
    err = capsys.readouterr().err
    assert err.startswith("qmoi: internal error: ZeroDivisionError('boom') (details in ")
    log = Path(err.rsplit("details in ", 1)[1].rstrip(")\n"))
    try:
        assert "Traceback" in log.read_text(encoding="utf-8") and "boom" in log.read_text()
    finally:
        log.unlink()


def test_a_result_passes_through() -> None:
    assert guarded(lambda: 1) == 1


def test_a_reader_gone_is_141_without_a_crash_log(capsys: pytest.CaptureFixture[str]) -> None:
    def piped() -> int:
        raise BrokenPipeError(32, "Broken pipe")

    assert guarded(piped) == 141
    assert capsys.readouterr().err == ""  # nobody is left to read a message
