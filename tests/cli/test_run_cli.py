"""``qmoi run`` end to end through the CLI: exit codes, the --json document, list, graph,
dry run, secrets and variables, and what is saved under .qmoi/runs."""

from __future__ import annotations

import json
import subprocess
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
            name: Make ${{ matrix.v }}
            run: |
              echo "x=v${{ matrix.v }}" >> "$GITHUB_OUTPUT"
              echo "var=${{ vars.COLOR }} secret=${{ secrets.TOKEN }}"
      check:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: test "${{ needs.build.outputs.out }}" != ""
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo", {"ci.yml": WORKFLOW})
    monkeypatch.chdir(root)
    return root


def test_json_document_and_success_exit(repo: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN", "hunter2-secret")
    code = cli(["run", "--json", "-s", "TOKEN", "--var", "COLOR=blue"])
    captured = capsys.readouterr()
    assert code == 0
    doc = json.loads(captured.out)
    assert set(doc) == {"run_id", "result", "jobs"} and doc["result"] == "success"
    jobs = {job["name"]: job for job in doc["jobs"]}
    assert set(jobs) == {"build (1)", "build (2)", "check"}
    leg = jobs["build (2)"]
    assert {"id", "name", "matrix", "result", "outputs", "started_at", "finished_at",
            "steps"} <= set(leg)
    assert leg["id"] == "build" and leg["matrix"] == {"v": 2} and leg["outputs"] == {"out": "v2"}
    assert leg["steps"] == [{"id": "s", "name": "Make 2", "outcome": "success",
                             "conclusion": "success", "outputs": {"x": "v2"}}]
    assert "var=blue secret=***" in captured.err  # the live log goes to stderr
    assert "hunter2" not in captured.err
    saved = repo / ".qmoi" / "runs" / doc["run_id"]
    assert json.loads((saved / "result.json").read_text()) == doc
    assert (saved / "plan.json").is_file() and (saved / "events.jsonl").is_file()
    assert sorted(p.name for p in (saved / "logs").iterdir()) == ["build-1", "build-2", "check"]
    assert ".qmoi/" in (repo / ".git" / "info" / "exclude").read_text()


def test_failure_exit_code_and_plain_output(repo: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo boom; exit 4\n")
    assert cli(["run"]) == 1
    out = capsys.readouterr().out
    assert "[j]   | boom" in out and "Process completed with exit code 4." in out
    assert "failure" in out.splitlines()[-1]


def test_bad_workflow_and_bad_usage_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    bad = repo / "bad.yml"
    bad.write_text("on: push\njobs:\n  j:\n    runs-on: x\n    stepz: []\n")
    assert cli(["run", "-W", str(bad)]) == 2
    assert "bad.yml:5:5:" in capsys.readouterr().err
    assert cli(["run", "--var", "novalue"]) == 2
    assert cli(["run", "-s", "SURELY_NOT_SET_ANYWHERE"]) == 2
    assert cli(["run", "--max-parallel", "0"]) == 2
    assert cli(["run", "-j", "missing"]) == 2


def test_list_graph_and_dry_run_run_nothing(repo: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    assert cli(["run", "-l"]) == 0
    assert "check" in capsys.readouterr().out
    assert cli(["run", "-g"]) == 0
    assert "check ◀── needs build" in capsys.readouterr().out
    assert cli(["run", "-n", "--matrix", "v:2"]) == 0
    out = capsys.readouterr().out
    assert "build (2)" in out and "build (1)" not in out
    assert not (repo / ".qmoi" / "runs").exists() or not any((repo / ".qmoi" / "runs").iterdir())


def test_untriggered_event_runs_nothing_and_saves_no_run(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As on GitHub: no workflow runs on the event, so there is no run (an empty one passed
    # for a success in `qmoi runs` and `qmoi stats`).
    assert cli(["run", "pull_request", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"run_id": None, "result": "skipped",
                                                   "jobs": []}
    assert cli(["run", "pull_request"]) == 0
    assert capsys.readouterr().out == "no workflow runs on pull_request\n"
    runs = repo / ".qmoi" / "runs"
    assert not runs.exists() or not any(runs.iterdir())
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True,
                               text=True, check=True).stdout.strip().splitlines()
    assert len(worktrees) == 1  # the checkout started early is gone again


def test_secret_and_env_files(repo: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo \"$FROM_ENV_FILE ${{ secrets.S }}\"\n")
    secrets = tmp_path / "secrets.env"
    secrets.write_text("S=top-secret-value\n")
    env = tmp_path / "job.env"
    env.write_text("FROM_ENV_FILE=hello\n")
    assert cli(["run", "--secret-file", str(secrets), "--env-file", str(env)]) == 0
    out = capsys.readouterr().out
    assert "hello ***" in out and "top-secret" not in out


def test_a_store_that_cannot_open_is_a_clean_error(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store opens on a thread while the run starts: its error still ends the run with
    # exit 2 and a message, never a traceback.
    monkeypatch.setenv("QMOI_DATABASE_URL", "mysql://x/y")
    assert cli(["run"]) == 2
    err = capsys.readouterr().err
    assert "unsupported database 'mysql'" in err and "Traceback" not in err


def test_a_run_stopped_before_its_first_job_leaves_no_checkout(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checkout starts as soon as the plan is known; an error after that removes it.
    monkeypatch.delenv("QMOI_SURELY_UNSET", raising=False)
    assert cli(["run", "-s", "QMOI_SURELY_UNSET"]) == 2
    assert "QMOI_SURELY_UNSET is not set" in capsys.readouterr().err
    assert not list((repo / ".qmoi" / "runs").glob("*/workspaces"))
    listed = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True,
                            text=True, check=True).stdout
    assert len(listed.splitlines()) == 1
