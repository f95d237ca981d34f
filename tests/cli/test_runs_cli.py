"""``qmoi runs list|show|logs`` and ``qmoi stats`` through the CLI after real ``qmoi run``s:
every run is recorded; ``show --json`` is ``qmoi run --json``'s document plus attempt,
runner and resources; errors are clean messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.cli.app import run as cli
from run_helpers import make_repo

WORKFLOW = """
    name: CI
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        strategy:
          matrix: {v: [1, 2]}
        outputs:
          out: ${{ steps.s.outputs.x }}
        steps:
          - id: s
            run: echo "x=v${{ matrix.v }}" >> "$GITHUB_OUTPUT"
      check:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: echo "saw ${{ needs.build.outputs.out }}"
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo", {"ci.yml": WORKFLOW})
    monkeypatch.chdir(root)
    monkeypatch.delenv("QMOI_HOME", raising=False)
    monkeypatch.delenv("QMOI_DATABASE_URL", raising=False)
    return root


def _run(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert cli(["run", "--json"]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_every_run_is_listed_newest_last(repo: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert cli(["runs", "list"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    first, second = _run(capsys), _run(capsys)
    assert cli(["runs", "list", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in runs] == [first["run_id"], second["run_id"]]
    assert set(runs[0]) == {"run_id", "workflow", "event", "commit", "result", "started_at",
                            "finished_at"}
    assert runs[0]["workflow"] == ".github/workflows/ci.yml" and runs[0]["event"] == "push"
    assert runs[0]["result"] == "success" and len(runs[0]["commit"]) == 40
    assert cli(["runs", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith(str(second["run_id"]))
    assert "success" in lines[1] and ".github/workflows/ci.yml" in lines[1]


def test_show_is_the_run_document_with_attempt_runner_and_resources(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ran = _run(capsys)
    assert cli(["runs", "show", "--json", str(ran["run_id"])]) == 0
    shown = json.loads(capsys.readouterr().out)
    extra = {"attempt", "runner", "resources", "message"}
    stripped = {**shown, "jobs": [{k: v for k, v in job.items() if k not in extra}
                                  for job in shown["jobs"]]}
    assert stripped == ran
    for job in shown["jobs"]:
        assert job["attempt"] == 1 and job["runner"] == "local"
        assert job["resources"]["used"]["wall_seconds"] >= 0
    assert cli(["runs", "show", str(ran["run_id"])]) == 0
    text = capsys.readouterr().out
    assert f"run {ran['run_id']}: success" in text and "check [check]: success" in text


def test_logs_of_a_job_and_of_a_whole_run(repo: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    run_id = str(_run(capsys)["run_id"])
    assert cli(["runs", "logs", run_id, "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("==> check [check] attempt 1: Run echo")
    assert "saw v1" in out or "saw v2" in out  # the matrix leg that finished last wins
    assert cli(["runs", "logs", run_id]) == 0
    assert capsys.readouterr().out.count("==> ") == 3
    assert cli(["runs", "logs", run_id, "deploy"]) == 2
    assert "has no job 'deploy'" in capsys.readouterr().err


def test_stats_after_two_runs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["stats"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    _run(capsys)
    _run(capsys)
    assert cli(["stats", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["workflow"] == ".github/workflows/ci.yml"
    assert (entry["runs"], entry["finished"], entry["success_rate"], entry["retries"]) == (
        2, 2, 1.0, 0)
    assert entry["duration_median_s"] > 0 and entry["queue_median_s"] >= 0
    assert cli(["stats"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["workflow", "runs", "success", "median", "p95", "queue",
                                "retries"]
    assert table[1].split()[:3] == [".github/workflows/ci.yml", "2", "100%"]


def test_unknown_runs_and_unreachable_databases_are_clean_errors(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(["runs", "show", "123"]) == 2
    assert "no run '123' in the store" in capsys.readouterr().err
    assert cli(["runs", "resume", "123"]) == 2
    assert "no run '123'" in capsys.readouterr().err
    monkeypatch.setenv("QMOI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert cli(["runs", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qmoi: postgresql+psycopg://nobody@127.0.0.1:1/none: cannot open")
    monkeypatch.setenv("QMOI_DATABASE_URL", "mysql://x/y")
    assert cli(["runs", "list"]) == 2
    assert "unsupported database 'mysql'" in capsys.readouterr().err
