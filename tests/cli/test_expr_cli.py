"""``qmoi expr``: JSON on stdout and exit 0, located errors and exit 1, bad context file 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["expr", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def contexts(tmp_path: Path) -> Path:
    path = tmp_path / "ctx.json"
    path.write_text(json.dumps({
        "github": {"event_name": "push", "run_number": 12,
                   "event": {"issue": {"labels": [{"name": "bug"}, {"name": "ui"}]}}},
        "env": {"CI": "true"},
    }))
    return path


def test_evaluates_an_expression_and_prints_json(contexts: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--context", str(contexts), "github.event.issue.labels.*.name"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == ["bug", "ui"]


def test_a_template_becomes_a_string(contexts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["-c", str(contexts), "build #${{ github.run_number }}"], capsys)
    assert code == 0 and json.loads(out) == "build #12"


def test_numbers_print_as_github_prints_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["1 == 1 && 3"], capsys)[1] == "3\n"
    assert run(["fromJSON('0.5')"], capsys)[1] == "0.5\n"


def test_status_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--status", "failure", "failure() && !success()"], capsys)[:2] == (0, "true\n")
    assert run(["--status", "cancelled", "cancelled()"], capsys)[:2] == (0, "true\n")


def test_syntax_error_is_located(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["github.ref = 'x'"], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("qmoi: expression:1:12: unexpected symbol '='")


def test_template_errors_are_located_in_the_whole_argument(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ok ${{ 1 + 2 }}"], capsys)
    assert code == 1 and err.startswith("qmoi: expression:1:10: unexpected symbol '+'")


def test_evaluation_error_is_located(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["toJSON(nope.x)"], capsys)
    assert code == 1
    assert err == "qmoi: expression:1:8: unrecognized named-value 'nope': no such context here\n"


def test_bad_context_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    code, _, err = run(["-c", str(missing), "1"], capsys)
    assert code == 2 and "cannot read the context file" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = run(["-c", str(broken), "1"], capsys)
    assert code == 2 and "not valid JSON" in err and "Traceback" not in err
    array = tmp_path / "array.json"
    array.write_text("[]")
    code, _, err = run(["-c", str(array), "1"], capsys)
    assert code == 2 and "JSON object" in err


def test_hash_files_with_a_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.lock").write_text("x")
    code, out, _ = run(["--workspace", str(tmp_path), "hashFiles('*.lock')"], capsys)
    assert code == 0 and len(json.loads(out)) == 64
