"""HEAD and its surroundings read in four git processes give what asking git one question
at a time gives: commit, parent, branch or detached HEAD, origin's default branch, the
origin URL after insteadOf rewriting, and user.name."""

from __future__ import annotations

from pathlib import Path

from qmoi.plan import git as plan_git
from qmoi.plan.event import _read_repo, _read_repo_slowly
from run_helpers import commit, git, make_repo

JOB = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"


def _same_both_ways(repo: Path) -> plan_git.Head:
    head = plan_git.read_head(repo)
    assert head is not None
    assert head.commit == plan_git.commit(repo, head.commit.sha)
    assert head.parent == plan_git.parent_sha(repo, head.commit.sha)
    assert head.ref == plan_git.current_ref(repo)
    assert head.default_branch == plan_git.default_branch(repo)
    fast, slow = _read_repo(repo), _read_repo_slowly(repo)
    assert (fast.sha, fast.ref, fast.full_name, fast.default_branch, fast.actor) == (
        slow.sha, slow.ref, slow.full_name, slow.default_branch, slow.actor)
    return head


def test_a_fresh_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": JOB})
    head = _same_both_ways(repo)
    assert head.parent == plan_git.ZERO_SHA and head.origin_url is None


def test_origin_with_insteadof_a_parent_and_a_detached_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": JOB})
    (repo / "f.txt").write_text("x")
    commit(repo, "second\n\nwith a body")
    git(repo, "config", "url.git@github.com:.insteadOf", "gh:")
    git(repo, "config", "--add", "url.git@github.com:octo/.insteadOf", "gh:octo/")
    git(repo, "remote", "add", "origin", "gh:octo/hello.git")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    git(repo, "config", "user.name", "Someone Else")
    head = _same_both_ways(repo)
    assert head.origin_url == git(repo, "remote", "get-url", "origin")
    assert head.default_branch == "trunk" and head.user_name == "Someone Else"
    assert head.commit.message == "second\n\nwith a body"
    git(repo, "checkout", "-q", "--detach")
    assert _same_both_ways(repo).ref is None


def test_longest_insteadof_wins() -> None:
    rules = {"url.https://a/.insteadof": ["x:"], "url.https://b/.insteadof": ["x:y/"]}
    assert plan_git.rewrite_url("x:y/z", rules) == "https://b/z"
    assert plan_git.rewrite_url("x:q", rules) == "https://a/q"
    assert plan_git.rewrite_url("other", rules) == "other"


def test_no_repository_or_no_commit_is_none(tmp_path: Path) -> None:
    assert plan_git.read_head(tmp_path) is None
    git(tmp_path, "init", "-q")
    assert plan_git.read_head(tmp_path) is None


def test_a_query_started_early_gives_the_same_head_and_reaps_its_processes(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": JOB})
    query = plan_git.HeadQuery(repo)
    assert query.result() == plan_git.read_head(repo)
    unused = plan_git.HeadQuery(repo)
    unused.close()  # a caller that stopped before asking
    assert all(p is None or p.returncode is not None for p in unused._started)


def _changes_both_ways(repo: Path) -> tuple[str, ...] | None:
    """What the query read along (None: it could not tell), after checking that a push
    event synthesised with it lists what asking git afterwards lists."""
    from qmoi.plan.event import synthesise_event

    head = plan_git.HeadQuery(repo, changes=True).result()
    assert head is not None
    expected = plan_git.changed_files(repo, head.parent, head.commit.sha)
    assert expected is not None
    if head.changed is not None:
        assert list(head.changed) == expected
    fast = synthesise_event(repo, "push", query=plan_git.HeadQuery(repo, changes=True))
    slow = synthesise_event(repo, "push", query=plan_git.HeadQuery(repo))
    assert fast.changed_files == slow.changed_files == tuple(expected)
    return head.changed


def test_a_push_reads_its_changed_files_along_the_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": JOB}, {"a.txt": "a", "d/b.txt": "b"})
    assert _changes_both_ways(repo) == (".github/workflows/ci.yml", "a.txt", "d/b.txt")
    (repo / "a.txt").write_text("changed")
    git(repo, "mv", "d/b.txt", "moved.txt")  # a rename is a deletion and an addition
    commit(repo, "second")
    assert _changes_both_ways(repo) == ("a.txt", "d/b.txt", "moved.txt")
    commit(repo, "empty")  # diff-tree says nothing at all: asked again afterwards
    assert _changes_both_ways(repo) is None
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    (repo / "side.txt").write_text("s")
    commit(repo, "side")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "side")
    assert _changes_both_ways(repo) is None  # a merge: asked again afterwards


def test_changes_of_another_commit_are_dropped() -> None:
    sha = "a" * 40
    assert plan_git._changed(f"{sha}\x00x\x00", sha, "") == ("x",)
    assert plan_git._changed(f"{'b' * 40}\x00x\x00", sha, "") is None  # HEAD moved
    assert plan_git._changed(f"{sha}\x00x\x00", sha, f"{'c' * 40} {'d' * 40}") is None
    assert plan_git._changed(None, sha, "") is None
