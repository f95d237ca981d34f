"""``qmoi manager --once``, ``qmoi verified``, ``qmoi learn list|suggest`` and the script,
end to end in temporary git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qmoi.cli.app import run
from run_helpers import git, make_repo

REPO = Path(__file__).resolve().parents[2]
FLAKY = """\
name: Fetch
on: push
jobs:
  fetch:
    runs-on: ubuntu-latest
    steps:
      - run: |
          marker="$RUNNER_TOOL_CACHE/once"
          if [ ! -e "$marker" ]; then
            touch "$marker"
            echo "fatal: unable to access 'https://example.com/': Could not resolve host" >&2
            exit 128
          fi
"""
BROKEN = """\
name: Broken
on: push
jobs:
  a:
    steps:
      - run: echo no runs-on
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QMOI_HOME", "QMOI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_manager_once_ends_green_then_verified_and_learn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "r", {"fetch.yml": FLAKY})
    monkeypatch.chdir(repo)
    assert run(["verified"]) == 1
    assert run(["manager", "--once", "--backoff", "0", "--plain"]) == 0
    out = capsys.readouterr().out
    assert "transient failure" in out and "success in 2 attempt(s) after retry" in out
    assert run(["verified", "HEAD"]) == 0
    assert "verified" in capsys.readouterr().out
    assert run(["learn", "list", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["class"] == "transient" and entry["repairs"][0]["repair"] == "retry"
    assert run(["learn", "suggest"]) == 0
    assert "no suggestion" in capsys.readouterr().out
    assert run(["runs", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2  # both attempts are in the store


def test_manager_once_exits_1_on_an_invalid_workflow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "r", {"broken.yml": BROKEN})
    monkeypatch.chdir(repo)
    assert run(["manager", "--once", "--plain"]) == 1
    out = capsys.readouterr().out
    assert ".github/workflows/broken.yml: invalid" in out and "runs-on" in out
    assert run(["verified"]) == 1
    line = json.loads((repo / "QMOI_WORKFLOW_STATS.log").read_text().splitlines()[0])
    assert (line["result"], line["failure_class"]) == ("invalid", "misconfiguration")


def test_usage_errors_are_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["manager", "--once", "--fix", "sometimes"]) == 2
    assert "--fix must be off, safe or unsafe" in capsys.readouterr().err
    assert run(["manager", "--once"]) == 2
    assert "no git repository" in capsys.readouterr().err
    repo = make_repo(tmp_path / "r", {"fetch.yml": FLAKY})
    monkeypatch.chdir(repo)
    assert run(["verified", "no-such-branch"]) == 2


def test_the_script_runs_the_same_manager(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"fetch.yml": FLAKY})
    env = {k: v for k, v in os.environ.items() if k not in ("QMOI_HOME", "QMOI_DATABASE_URL")}
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "qmoi_workflow_manager.py"),
                           str(repo), "--once", "--backoff", "0", "--plain"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "success in 2 attempt(s)" in done.stdout
    assert git(repo, "rev-parse", "HEAD") in {p.stem for p in
                                              (repo / ".qmoi" / "verified").iterdir()}
