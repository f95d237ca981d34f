"""The external fixer (kept when the re-run is green, reverted when not, refused when it
opens an escape hatch) and ranking: a repair that made a signature green ranks first."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qmoi.learn.kb import MemoryKnowledgeBase, RepairStats
from qmoi.manager.repair import EXTERNAL, PATCH, order
from run_helpers import git, make_repo

RunPass = Callable[..., Any]

CHECK = """\
name: Check
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: python3 check.py
"""
BROKEN = 'raise SystemExit("the answer is wrong")\n'
PATCH_TEXT = """\
--- a/check.py
+++ b/check.py
@@ -1 +1 @@
-raise SystemExit("the answer is wrong")
+print("the answer is right")
"""
HATCH_PATCH = """\
--- a/.github/workflows/check.yml
+++ b/.github/workflows/check.yml
@@ -1,2 +1,4 @@
 name: Check
+env:
+  ACTIONS_ALLOW_UNSECURE_COMMANDS: true
 on: push
"""


def _fixer(repo: Path, diff: str) -> None:
    """A fixer command that saves what it was told and answers ``diff``."""
    (repo / "patch.diff").write_text(diff)
    script = repo / "fixer.sh"
    script.write_text('#!/bin/sh\ncat > "$0.input"\ncat "$(dirname "$0")/patch.diff"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (repo / ".github" / "qmoi.yml").write_text("fixer:\n  command: ./fixer.sh\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "fixer")


def test_the_external_fixers_patch_is_kept_when_the_rerun_is_green(
        tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"check.yml": CHECK}, {"check.py": BROKEN})
    _fixer(repo, PATCH_TEXT)
    kb = MemoryKnowledgeBase()
    done = run_pass(repo, kb=kb)
    assert done.result.green, done.output
    assert (repo / "check.py").read_text() == 'print("the answer is right")\n'
    told = (repo / "fixer.sh.input").read_text()
    assert '"workflow": ".github/workflows/check.yml"' in told and "the answer is wrong" in told
    [entry] = kb.entries()
    assert [(r.repair, r.successes) for r in entry.repairs] == [(EXTERNAL, 1)]


def test_a_patch_that_does_not_help_is_reverted(tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"check.yml": CHECK}, {"check.py": BROKEN})
    _fixer(repo, PATCH_TEXT.replace('print("the answer is right")',
                                    'raise SystemExit("still wrong")'))
    done = run_pass(repo)
    result = done.workflow(".github/workflows/check.yml")
    assert result["result"] == "failure" and result["attempts"] == 2
    assert (repo / "check.py").read_text() == BROKEN  # reverted
    assert "reverted the external fixer's patch" in done.output
    assert not git(repo, "status", "--porcelain", "check.py")


def test_an_escape_hatch_is_never_applied(tmp_path: Path, run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"check.yml": CHECK}, {"check.py": BROKEN})
    _fixer(repo, HATCH_PATCH)
    done = run_pass(repo)
    result = done.workflow(".github/workflows/check.yml")
    assert result["attempts"] == 1 and "escape hatch" in str(result["reason"])
    assert "ACTIONS_ALLOW_UNSECURE_COMMANDS" not in (
        repo / ".github/workflows/check.yml").read_text()


def test_a_repairs_rank_rises_after_it_succeeds() -> None:
    kb = MemoryKnowledgeBase()
    signature = "heuristic:x @ ci.yml/build: boom"
    assert order([PATCH, EXTERNAL], kb.ranked(signature)) == [PATCH, EXTERNAL]
    kb.record(signature, "misconfiguration", PATCH, False)
    kb.record(signature, "misconfiguration", EXTERNAL, True)
    assert [r.repair for r in kb.ranked(signature)] == [EXTERNAL, PATCH]
    assert order([PATCH, EXTERNAL], kb.ranked(signature)) == [EXTERNAL, PATCH]
    # Evidence counts: nine of ten beats one lucky success (Laplace), and untried sits
    # between a repair that failed and one that worked.
    assert order(["a", "b"], [RepairStats("a", 1, 1), RepairStats("b", 10, 9)]) == ["b", "a"]
    assert order(["failed", "new", "won"], [RepairStats("failed", 1, 0),
                                            RepairStats("won", 1, 1)]) == ["won", "new",
                                                                           "failed"]


def test_a_pass_records_the_winning_repair_for_next_time(tmp_path: Path,
                                                          run_pass: RunPass) -> None:
    repo = make_repo(tmp_path / "r", {"check.yml": CHECK}, {"check.py": BROKEN})
    _fixer(repo, PATCH_TEXT)
    kb = MemoryKnowledgeBase()
    run_pass(repo, kb=kb)
    [entry] = kb.entries()
    assert entry.repairs[0].repair == EXTERNAL and entry.repairs[0].score > 0.5
