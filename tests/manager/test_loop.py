"""End-to-end passes: fix before the run, retry a transient failure, repair a format gate,
stop honestly on a real test failure, and the marker, stats and knowledge base after."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qmoi.learn.kb import MemoryKnowledgeBase
from qmoi.manager import stats
from run_helpers import git, make_repo

RunPass = Callable[..., Any]  # the run_pass fixture of conftest.py

SET_ENV = """\
name: Env
on: push
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::set-env name=GREETING::hello"
      - run: test "$GREETING" = hello
"""

FLAKY_NETWORK = """\
name: Fetch
on: push
jobs:
  fetch:
    runs-on: ubuntu-latest
    steps:
      - name: Download
        run: |
          marker="$RUNNER_TOOL_CACHE/contacted-once"
          if [ ! -e "$marker" ]; then
            touch "$marker"
            echo "curl: (56) Recv failure: Connection reset by peer" >&2
            exit 56
          fi
          echo downloaded
"""

FORMAT_GATE = """\
name: Style
on: push
jobs:
  format:
    runs-on: ubuntu-latest
    steps:
      - run: ruff format --check --no-cache .
"""

REAL_TEST_FAILURE = """\
name: Tests
on: push
jobs:
  unit:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "FAILED tests/test_math.py::test_add - assert 5 == 4"
          echo "=========== 1 failed in 0.01s ==========="
          exit 1
"""


def _stats(repo: Path) -> list[dict[str, object]]:
    return stats.read(repo / "QMOI_WORKFLOW_STATS.log")


def test_a_disabled_command_is_fixed_before_the_run(tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"env.yml": SET_ENV})
    done = run_pass(repo)
    text = (repo / ".github/workflows/env.yml").read_text()
    assert "::set-env" not in text and 'GREETING=hello' in text and "$GITHUB_ENV" in text
    assert done.result.green
    assert done.workflow(".github/workflows/env.yml")["attempts"] == 1
    assert [f.path for f in done.result.validation.fixed] == [".github/workflows/env.yml"]
    # Not committed: the run used a snapshot of the working tree, whose marker says so.
    assert git(repo, "status", "--porcelain", ".github")
    assert done.result.commit != git(repo, "rev-parse", "HEAD")
    marker = json.loads(done.result.marker.read_text()) if done.result.marker else {}
    assert marker["base"] == git(repo, "rev-parse", "HEAD")


def test_with_fixes_off_the_disabled_command_fails_and_is_not_patched(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"env.yml": SET_ENV})
    done = run_pass(repo, fix="off")
    result = done.workflow(".github/workflows/env.yml")
    assert result["result"] == "failure" and result["attempts"] == 1
    assert "workflow patches are off" in str(result["reason"])
    assert "::set-env" in (repo / ".github/workflows/env.yml").read_text()
    line = _stats(repo)[-1]
    assert line["failure_class"] == "deprecation" and line["repair"] is None
    assert done.result.marker is None


def test_a_network_error_is_retried_and_classified_transient(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"fetch.yml": FLAKY_NETWORK})
    kb = MemoryKnowledgeBase()
    done = run_pass(repo, kb=kb)
    assert done.result.green
    lines = _stats(repo)
    assert [(x["attempt"], x["result"], x["failure_class"], x["repair"]) for x in lines] == [
        (1, "failure", "transient", "retry"), (2, "success", None, None)]
    [entry] = kb.entries()
    assert entry.failure_class == "transient"
    assert [(r.repair, r.successes, r.attempts) for r in entry.repairs] == [("retry", 1, 1)]


def test_a_format_gate_is_repaired_by_running_the_formatter(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"style.yml": FORMAT_GATE},
                     {"src/app.py": "x=1\ny  =  [1,2]\n"})
    done = run_pass(repo, commit=True)
    assert done.result.green, done.output
    assert (repo / "src/app.py").read_text() == "x = 1\ny = [1, 2]\n"
    lines = _stats(repo)
    assert [(x["result"], x["failure_class"], x["repair"]) for x in lines] == [
        ("failure", "lint", "formatter:ruff format ."), ("success", None, None)]
    # --commit: the formatter's change is a commit of its own, and that commit is verified.
    assert git(repo, "log", "-1", "--format=%s") == "qmoi: repair (formatter:ruff format .)"
    assert not git(repo, "status", "--porcelain", "src")
    assert done.result.commit == git(repo, "rev-parse", "HEAD")
    assert done.result.marker == repo / ".qmoi" / "verified" / f"{done.result.commit}.json"


def test_a_real_test_failure_stops_after_the_budget_without_a_marker(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"tests.yml": REAL_TEST_FAILURE})
    done = run_pass(repo, max_attempts=2)
    result = done.workflow(".github/workflows/tests.yml")
    assert not done.result.green and done.result.marker is None
    assert result["result"] == "failure" and result["attempts"] == 2
    assert "still failing after 2 attempt(s)" in str(result["reason"])
    lines = _stats(repo)
    assert [(x["attempt"], x["failure_class"], x["repair"]) for x in lines] == [
        (1, "test", "rerun-flaky"), (2, "test", None)]
    assert not (repo / ".qmoi" / "verified").exists()


def test_a_test_failing_twice_on_one_commit_is_real_not_flaky(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"tests.yml": REAL_TEST_FAILURE})
    kb = MemoryKnowledgeBase()
    done = run_pass(repo, kb=kb)
    result = done.workflow(".github/workflows/tests.yml")
    assert result["attempts"] == 2 and "a real failure" in str(result["reason"])
    [entry] = kb.entries()
    assert {r.repair: (r.successes, r.attempts) for r in entry.repairs} == {
        "rerun-flaky": (0, 1), "manual": (0, 1)}


def test_stats_lines_have_every_field(tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"fetch.yml": FLAKY_NETWORK})
    done = run_pass(repo, stats=Path("logs/stats.jsonl"))
    lines = stats.read(repo / "logs" / "stats.jsonl")
    assert len(lines) == 2 and not (repo / "QMOI_WORKFLOW_STATS.log").exists()
    for line in lines:
        assert set(line) >= {"time", "commit", "workflow", "attempt", "result", "duration_s",
                             "queue_s", "failure_class", "repair"}
        assert line["commit"] == done.result.commit
        assert line["workflow"] == ".github/workflows/fetch.yml"
        assert isinstance(line["duration_s"], float) and line["duration_s"] >= 0
        assert isinstance(line["queue_s"], float) and line["queue_s"] >= 0
        assert str(line["time"]).endswith("+00:00")


def test_state_inside_the_repository_stays_out_of_the_run(
        tmp_path: Path, run_pass: RunPass, monkeypatch: Any) -> None:
    clean = "name: C\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n" \
            "    steps:\n      - run: 'true'\n"
    repo = make_repo(tmp_path / "r", {"c.yml": clean}, {".gitignore": "state/\n"})
    monkeypatch.setenv("QMOI_HOME", str(repo / "qmoi-state"))  # neither excluded nor ignored
    done = run_pass(repo)
    assert done.result.green and done.result.commit == git(repo, "rev-parse", "HEAD")
    assert (repo / "qmoi-state" / "verified" / f"{done.result.commit}.json").is_file()
