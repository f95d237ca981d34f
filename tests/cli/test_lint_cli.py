from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.cli.main import main

CLEAN = (
    "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: echo hi\n"
)
BROKEN = (
    "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
    "    runs-on: ubuntu-22.04\n"
)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_clean_repository_exits_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(_repo(tmp_path, {"ci.yml": CLEAN}))
    assert main(["lint"]) == 0
    assert capsys.readouterr().out == ""


def test_found_from_a_subdirectory_and_reported_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path, {"ci.yml": BROKEN})
    (root / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(root / "src" / "deep")
    assert main(["lint"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "../../.github/workflows/ci.yml:6:5: key \"runs-on\" is duplicated; it was first "
        "defined at line 5, column 5 [yaml-syntax]"
    )
    assert out[1] == "     6 |     runs-on: ubuntu-22.04"
    assert out[2] == "       |     ^~~~~~~"


def test_json_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(_repo(tmp_path, {"ci.yml": BROKEN}))
    assert main(["lint", "--format", "json"]) == 1
    (item,) = [d for d in json.loads(capsys.readouterr().out) if d["code"] == "P102"]
    assert item == {
        "path": ".github/workflows/ci.yml", "line": 6, "column": 5, "end_line": 6,
        "end_column": 12, "code": "P102", "rule": "yaml-syntax", "severity": "error",
        "message": 'key "runs-on" is duplicated; it was first defined at line 5, column 5',
        "fix": None,
    }


def test_usage_errors_exit_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == 2
    assert "no .github/workflows/ folder found" in capsys.readouterr().err
    assert main(["lint", "missing.yml"]) == 2
    assert main(["lint", "--format", "xml", "missing.yml"]) == 2


def test_hostile_files_give_located_errors_not_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path, {"ok.yml": CLEAN})
    folder = root / ".github" / "workflows"
    (folder / "bad.yml").write_bytes(b"on: push\nname: caf\xe9\n")
    (folder / "deep.yml").write_text("on: " + "[" * 3000 + "\n")
    monkeypatch.chdir(root)
    assert main(["lint", "--format", "json"]) == 1
    found = {(d["path"].rsplit("/", 1)[-1], d["code"], d["line"]) for d in
             json.loads(capsys.readouterr().out)}
    assert ("bad.yml", "P106", 2) in found
    assert ("deep.yml", "P104", 1) in found
