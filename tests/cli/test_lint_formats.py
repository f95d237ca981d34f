"""`qmoi lint --format sarif|github`, the config file as a target, and the pre-commit hook."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qmoi.cli.main import main

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = ("on: push\npermissions: {}\njobs:\n  build:\n    runs_on: ubuntu-latest\n"
            "    runs-on: ubuntu-latest  # qmoi: ignore[unknown-key]\n"
            "    steps:\n      - run: make\n")


def _repo(tmp_path: Path, config: str | None = None) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    if config is not None:
        (tmp_path / ".github" / "qmoi.yml").write_text(config, encoding="utf-8")
    return tmp_path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["lint", "--no-cache", "--no-shellcheck", *args])
    return code, capsys.readouterr().out


def test_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    code, out = _run(["--format", "github", "--select", "S101,Q901"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "::error file=.github/workflows/ci.yml,line=5,col=5,endLine=5,endColumn=12,"
        "title=qmoi unknown-key (S101)::unknown key \"runs_on\" in job \"build\"; did you mean "
        "\"runs-on\"?",
        "::notice file=.github/workflows/ci.yml,line=6,col=44,endLine=6,endColumn=55,"
        "title=qmoi unused-suppression (Q901)::unused suppression: no \"unknown-key\" finding "
        "on this line to ignore",
    ]


def test_github_format_paths_are_repository_relative_from_a_subdirectory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    _, out = _run(["--format", "github", "--select", "S101"], capsys)
    assert "file=.github/workflows/ci.yml," in out


def test_sarif_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    monkeypatch.chdir(_repo(tmp_path))
    code, out = _run(["--format", "sarif"], capsys)
    assert code == 1
    log = json.loads(out)
    schema = json.loads((REPO / "tests/report/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert {"S101", "Q901"} <= {r["ruleId"] for r in results}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {".github/workflows/ci.yml"}


def test_the_config_file_is_linted_and_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(_repo(tmp_path, "rules:\n  select: [S101, Q9]\n  ignore: [unkown-key]\n"
                                      "  severity: {unknown-key: warning}\n"))
    code, out = _run(["--format", "json"], capsys)
    assert code == 1
    found = [(d["path"], d["code"], d["severity"]) for d in json.loads(out)]
    assert found == [(".github/workflows/ci.yml", "S101", "warning"),
                     (".github/workflows/ci.yml", "Q901", "info"),
                     (".github/qmoi.yml", "Q902", "error")]
    # Named explicitly (as pre-commit does), the config file is checked as a config file.
    code, out = _run([".github/qmoi.yml"], capsys)
    assert out.startswith('.github/qmoi.yml:3:12: unknown rule "unkown-key"')
    # The command line wins over the file's selection.
    code, out = _run(["--format", "json", "--select", "unused-suppression",
                      ".github/workflows/ci.yml"], capsys)
    assert [d["code"] for d in json.loads(out)] == []


def test_unknown_format_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(_repo(tmp_path))
    assert main(["lint", "--format", "xml"]) == 2


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "qmoi-lint"
    assert hook["entry"] == "qmoi lint"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path in (".github/workflows/ci.yml", ".github/workflows/sub/x.yaml",
                 ".github/qmoi.yml", "action.yml", "actions/setup/action.yaml"):
        assert files.search(path), path
    for path in ("README.md", ".github/dependabot.yml", "workflows/ci.yml", "myaction.yml"):
        assert not files.search(path), path


def test_the_hook_entry_is_an_installed_console_script() -> None:
    scripts = Path(sys.executable).parent
    assert (scripts / "qmoi").exists()
    out = subprocess.run([str(scripts / "qmoi"), "lint", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "sarif" in out and "github" in out
