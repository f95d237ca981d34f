"""``qmoi explain``: text and JSON reports of a failed log; unreadable files exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.cli.main import main

TS = "2024-01-01T00:00:00.0000000Z "
LOG = [
    "##[group]Run black --check .",
    "black --check .",
    "##[endgroup]",
    "would reformat /home/runner/work/demo/demo/src/app.py",
    "Oh no! 💥 💔 💥",
    "1 file would be reformatted, 20 files would be left unchanged.",
    "##[error]Process completed with exit code 1.",
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def github_log(tmp_path: Path) -> Path:
    path = tmp_path / "job.log"
    path.write_text("".join(f"{TS}{line}\n" for line in LOG), encoding="utf-8")
    return path


def test_json_has_exactly_the_documented_keys(github_log: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(github_log), "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"class", "lines", "signature", "repair"}
    assert report["class"] == "lint"
    assert report["signature"] == "heuristic:black"
    assert "black ." in report["repair"]
    assert {"line": 4, "text": "would reformat /home/runner/work/demo/demo/src/app.py"} in (
        report["lines"])
    assert all(set(item) == {"line", "text"} for item in report["lines"])
    assert len(report["lines"]) <= 20


def test_text_report_names_class_signature_repair_and_numbered_lines(
        github_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(github_log)], capsys)
    assert code == 0
    assert out.startswith("class:     lint\nsignature: heuristic:black\nrepair:    formatter:")
    assert "  4 | would reformat /home/runner/work/demo/demo/src/app.py" in out


def test_a_known_signature_is_named_by_its_row(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "qmoi-step.log"
    path.write_text("Run actions/upload-artifact@v3\n##[error]This request has been "
                    "automatically failed because it uses a deprecated version of "
                    "`actions/upload-artifact: v3`.\n", encoding="utf-8")
    code, out, _ = run([str(path), "--json"], capsys)
    report = json.loads(out)
    assert (code, report["class"], report["signature"]) == (0, "deprecation", "known-failures#9")


def test_bytes_that_are_not_utf8_do_not_stop_the_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd.log"
    path.write_bytes(b"\xff\xfe garbage\nERROR: No space left on device\n")
    code, out, _ = run([str(path), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["class"] == "resources"


@pytest.mark.parametrize("name", ["missing.log", "."])
def test_an_unreadable_file_is_a_clean_error_with_exit_2(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / name
    code, out, err = run([str(target)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("qmoi: ") and "cannot read the log" in err
    assert "Traceback" not in err
