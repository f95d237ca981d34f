"""The manager's parts on their own: escape hatches, snapshots, the marker, the knowledge
base files, suggestions, options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.errors import InputError, UsageError
from qmoi.learn.kb import JsonKnowledgeBase, MemoryKnowledgeBase
from qmoi.learn.kb_suggest import JobHistory, flaky, slow_installs, timeouts
from qmoi.manager import gitops
from qmoi.manager.hatches import escape_hatches, text_diff
from qmoi.manager.marker import VerifiedWorkflow, find_marker, write_marker
from qmoi.manager.options import ManagerOptions, parse_args
from qmoi.manager.versions import Detector, JsonlVersions, changes, local_actions
from run_helpers import git, make_repo

WF = "name: W\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"


def test_escape_hatches_in_a_diff() -> None:
    adds = text_diff("w.yml", "on: push\n", "on: pull_request_target\nenv:\n"
                     "  ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n")
    assert escape_hatches(adds) == ["ACTIONS_ALLOW_UNSECURE_COMMANDS", "pull_request_target"]
    assert escape_hatches(text_diff("w.yml", "permissions:\n  contents: read\n", "")) == [
        "removing permissions:"]
    pinned = text_diff("w.yml", "- uses: a/b@v1\n", "- uses: a/b@main\n")
    assert escape_hatches(pinned) == ["@main"]
    deletion = "--- a/tests/test_x.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-assert False\n"
    assert escape_hatches(deletion) == ["deleting tests"]
    assert escape_hatches(text_diff("x.py", "x=1\n", "x = 1\n")) == []


def test_a_snapshot_holds_the_working_tree_and_leaves_the_index_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"w.yml": WF}, {"a.txt": "one\n"})
    head = git(repo, "rev-parse", "HEAD")
    assert gitops.snapshot(repo) == head
    (repo / "a.txt").write_text("two\n")
    (repo / "new.txt").write_text("new\n")
    (repo / "stats.log").write_text("{}\n")
    snap = gitops.snapshot(repo, exclude=("stats.log",))
    assert snap != head and git(repo, "rev-parse", f"{snap}^") == head
    assert git(repo, "show", f"{snap}:a.txt") == "two"
    assert git(repo, "show", f"{snap}:new.txt") == "new"
    assert "stats.log" not in git(repo, "ls-tree", "--name-only", snap)
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "diff", "--cached", "--name-only") == ""  # nothing staged


def test_the_marker_verifies_its_commit_and_any_commit_with_the_same_tree(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"w.yml": WF})
    home = repo / ".qmoi"
    (repo / ".github/workflows/w.yml").write_text(WF.replace("'true'", "echo fixed"))
    snap = gitops.snapshot(repo)
    write_marker(home, repo, snap, "push", [VerifiedWorkflow(".github/workflows/w.yml",
                                                             "0" * 64, "success", 1)])
    assert find_marker(home, repo, "HEAD") is None
    found = find_marker(home, repo, snap)
    assert found is not None and found[1]["base"] == git(repo, "rev-parse", "HEAD")
    git(repo, "commit", "-q", "-am", "the same fix, committed by hand")
    again = find_marker(home, repo, "HEAD")
    assert again is not None and again[1]["commit"] == snap
    with pytest.raises(InputError, match="no commit named 'nope'"):
        find_marker(home, repo, "nope")


def test_detecting_changes_and_local_actions(tmp_path: Path) -> None:
    assert [(c.kind, c.path) for c in changes({"a": "1", "b": "2"}, {"b": "3", "c": "4"})] == [
        ("deleted", "a"), ("modified", "b"), ("new", "c")]
    action = tmp_path / "actions" / "hello" / "action.yml"
    action.parent.mkdir(parents=True)
    action.write_text("name: hello\nruns:\n  using: composite\n  steps: []\n")
    text = "steps:\n  - uses: ./actions/hello\n  - uses: ./../outside\n  - uses: a/b@v1\n"
    assert local_actions(tmp_path, text) == [action.resolve()]


def test_the_json_knowledge_base_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    kb = JsonKnowledgeBase(path)
    kb.record("sig", "test", "rerun-flaky", True, example="FAILED t", outcome="flaky")
    kb.record("sig", "test", "rerun-flaky", False)
    again = JsonKnowledgeBase(path)
    [entry] = again.entries()
    assert (entry.occurrences, entry.example) == (2, "FAILED t")
    assert [(r.repair, r.successes, r.attempts) for r in entry.repairs] == [
        ("rerun-flaky", 1, 2)]
    path.write_text("{not json")
    with pytest.raises(InputError, match="knowledge base cannot be read"):
        JsonKnowledgeBase(path)


def test_suggestions_from_history() -> None:
    memory = MemoryKnowledgeBase()
    memory.record("heuristic:test-failure @ ci.yml/unit: FAILED", "test", "rerun-flaky", True)
    memory.record("heuristic:runner-lost @ ci.yml/e2e: x", "transient", "retry", False,
                  example="##[error]The action 'Run e2e' has timed out after 10 minutes.")
    history = [
        JobHistory("ci.yml", "build", "success", None, 100.0, (("Run pip install -r r.txt",
                                                                  45.0),)),
        JobHistory("ci.yml", "build", "success", None, 90.0, (("Run pip install -r r.txt",
                                                                 50.0),)),
        JobHistory("ci.yml", "lint", "success", None, 20.0, (("Run npm ci", 40.0),
                                                             ("Cache node modules", 1.0))),
        JobHistory("ci.yml", "slow", "failure", "The job running on runner qmoi has exceeded "
                   "the maximum execution time of 360 minutes.", 21600.0, ()),
        JobHistory("ci.yml", "slow", "success", None, 200.0, ()),
    ]
    assert [(s.kind, s.where) for s in flaky(memory.entries())] == [("flaky", "ci.yml/unit")]
    cache = slow_installs(history)
    assert [(s.kind, s.where) for s in cache] == [("cache", "ci.yml/build")]
    found = timeouts(history, memory.entries())
    assert (found[0].where, found[0].message.split(" so")[0]) == (
        "ci.yml/slow", "set timeout-minutes: 7")
    assert "Run e2e" in found[1].message


def test_options_are_checked_and_parsed() -> None:
    options = parse_args(["repo", "--once", "--fix", "unsafe", "--max-attempts", "5"])
    assert (options.repo, options.once, options.fix.value, options.max_attempts) == (
        Path("repo"), True, "unsafe", 5)
    assert [ManagerOptions(backoff=2).retry_wait(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert ManagerOptions(backoff=50, backoff_cap=60).retry_wait(3) == 60.0
    with pytest.raises(UsageError, match="--fix must be"):
        parse_args(["--fix", "always"])
    with pytest.raises(UsageError, match="--max-attempts"):
        ManagerOptions(max_attempts=0)
    assert json.dumps(options.fix) == '"unsafe"'


def test_the_detector_records_new_modified_and_deleted_versions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.yml": WF, "b.yml": WF})
    log = JsonlVersions(tmp_path / "versions.jsonl")
    detector = Detector(repo, tmp_path / "seen.json", log)
    assert [c.kind for c in detector.scan("c1")] == ["new", "new"]
    (repo / ".github/workflows/a.yml").write_text(WF + "# edited\n")
    (repo / ".github/workflows/b.yml").unlink()
    found = Detector(repo, tmp_path / "seen.json", log).scan("c2")  # remembered on disk
    assert [(c.kind, c.path) for c in found] == [("modified", ".github/workflows/a.yml"),
                                                 ("deleted", ".github/workflows/b.yml")]
    lines = [json.loads(x) for x in (tmp_path / "versions.jsonl").read_text().splitlines()]
    assert [(x["path"][-5:], x["deleted"], x["commit"]) for x in lines] == [
        ("a.yml", False, "c1"), ("b.yml", False, "c1"), ("a.yml", False, "c2"),
        ("b.yml", True, "c2")]


def test_the_store_knowledge_base_reads_flaky_back(tmp_path: Path) -> None:
    from qmoi.learn.kb_store import StoreKnowledgeBase
    from qmoi.store import open_store

    store = open_store(tmp_path / "home")
    try:
        kb = StoreKnowledgeBase(store)
        kb.record("sig", "test", "rerun-flaky", True, example="FAILED t", outcome="flaky")
        kb.record("sig", "test", "external-fixer", False)
        assert [r.repair for r in kb.ranked("sig")] == ["rerun-flaky", "external-fixer"]
        [entry] = kb.entries()
        assert (entry.occurrences, entry.example) == (2, "FAILED t")
        assert [(r.repair, r.last_outcome) for r in entry.repairs] == [
            ("rerun-flaky", "flaky"), ("external-fixer", "failed")]
    finally:
        store.close()
