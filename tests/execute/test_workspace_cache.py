"""Workspaces kept between runs: a run's fresh copies are parked beside the runs when it
ends, and a later run claims them (never one twice) and makes each an exact fresh copy of
its own commit, or deletes it; git never sees the parked ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from qmoi.execute import workspace
from qmoi.execute.checkout import template
from qmoi.execute.workspace import WorkspacePool, cache_folder, discard_run, workspaces_folder
from qmoi.execute.workspace_cache import Limits, WorkspaceCache
from run_helpers import commit, git, make_repo, run_repo, tree_snapshot

FILES = {"a.txt": "a\n", "d/b.sh": "echo b\n", "d/e/deep.txt": "deep\n"}


def _repo(tmp_path: Path, name: str = "r") -> tuple[Path, str]:
    repo = make_repo(tmp_path / name, {"ci.yml": "on: push\njobs: {}\n"}, FILES)
    os.chmod(repo / "d" / "b.sh", 0o755)
    commit(repo, "exec")
    return repo, git(repo, "rev-parse", "HEAD")


def _run_dir(tmp_path: Path, run: str) -> Path:
    return tmp_path / "home" / "runs" / run


def _pool(repo: Path, run_dir: Path, limits: Limits | None = None) -> WorkspacePool:
    pool = WorkspacePool(repo, workspaces_folder(run_dir), cache_folder(run_dir))
    if limits is not None:
        pool._cache = WorkspaceCache(cache_folder(run_dir), limits)
    return pool


def _run(repo: Path, run_dir: Path, sha: str, count: int,
         job: object = None, limits: Limits | None = None) -> list[Path]:
    """A run of ``count`` jobs at once on ``sha``, ``job`` called on each workspace; the
    workspaces it used."""
    pool = _pool(repo, run_dir, limits)
    used = [pool.acquire(sha) for _ in range(count)]
    for path in used:
        if callable(job):
            job(path)
        pool.release(path)
    pool.close()
    discard_run(repo, run_dir)
    return used


def _parked(tmp_path: Path) -> list[Path]:
    folder = cache_folder(_run_dir(tmp_path, "x"))
    return sorted(folder.glob("ws-*")) if folder.is_dir() else []



def _fresh(repo: Path, tmp_path: Path, sha: str) -> dict[str, tuple[str, int, str]]:
    """What a new copy of ``sha``'s checkout holds (made by a run of its own, no cache)."""
    run_dir = tmp_path / "model-run"
    source = template(repo, workspaces_folder(run_dir), sha)
    snapshot = tree_snapshot(workspace.clone(source, workspaces_folder(run_dir) / "ws-model"))
    discard_run(repo, run_dir)
    return snapshot


def _worktree_lines(repo: Path) -> list[str]:
    return git(repo, "worktree", "list").splitlines()


def _assert_fresh(path: Path, repo: Path, sha: str,
                  expected: dict[str, tuple[str, int, str]]) -> None:
    assert tree_snapshot(path) == expected
    assert git(path, "rev-parse", "HEAD") == sha
    assert git(path, "status", "--porcelain", "--ignored") == ""
    assert (path / ".git").read_text() == f"gitdir: {repo / '.git' / 'worktrees' / path.name}\n"
    record = repo / ".git" / "worktrees" / path.name
    assert (record / "gitdir").read_text() == f"{path / '.git'}\n"
    assert sorted(p.name for p in record.iterdir()) == ["HEAD", "commondir", "gitdir", "index"]


def test_a_later_run_claims_the_parked_workspaces(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    expected = _fresh(repo, tmp_path, sha)
    _run(repo, _run_dir(tmp_path, "1"), sha, 3)
    parked = _parked(tmp_path)
    assert len(parked) == 3
    inodes = {path.stat().st_ino for path in parked}
    assert len(_worktree_lines(repo)) == 1  # git knows none of them
    assert git(repo, "worktree", "prune", "--dry-run", "--verbose") == ""
    run_dir = _run_dir(tmp_path, "2")
    pool = _pool(repo, run_dir)
    claimed = [pool.acquire(sha) for _ in range(4)]
    assert {path.stat().st_ino for path in claimed[:3]} | inodes == inodes  # reused ...
    assert claimed[3].stat().st_ino not in inodes  # ... and one copied: the cache was empty
    assert not _parked(tmp_path)
    for path in claimed:
        assert path.parent == workspaces_folder(run_dir)
        _assert_fresh(path, repo, sha, expected)
    assert len(_worktree_lines(repo)) == 6  # the repository, the template, four jobs
    for path in claimed:
        pool.release(path)
    pool.close()
    discard_run(repo, run_dir)
    assert len(_parked(tmp_path)) == 4
    assert len(_worktree_lines(repo)) == 1
    assert git(repo, "worktree", "prune", "--dry-run", "--verbose") == ""


def _messy_job(path: Path) -> None:
    """What a job may leave behind: new, changed, deleted and re-typed files, a commit and
    a branch (HEAD moved), a staged file (the index), ignored files."""
    (path / "a.txt").write_text("changed and longer\n")
    git(path, "commit", "-qam", "in the job")
    git(path, "checkout", "-qb", f"topic-{path.name}")
    (path / "new").mkdir()
    (path / "new" / "x").write_text("x")
    (path / "untracked.txt").write_text("u")
    (path / "d" / "e" / "deep.txt").unlink()
    (path / "d" / "b.sh").unlink()
    (path / "d" / "b.sh").mkdir()  # a file became a folder
    os.chmod(path / "d", 0o700)
    (path / "link").symlink_to("a.txt")
    (path / "a.txt").write_text("modified, not committed\n")
    git(path, "add", "untracked.txt")
    (path / ".gitignore").write_text("*.log\n")
    (path / "build.log").write_text("log")


def test_nothing_a_job_leaves_reaches_the_next_run(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    expected = _fresh(repo, tmp_path, sha)
    _run(repo, _run_dir(tmp_path, "1"), sha, 2, _messy_job)
    assert len(_parked(tmp_path)) == 2
    for parked in _parked(tmp_path):  # made fresh before parking: no job's files wait here
        assert not (parked / "untracked.txt").exists() and not (parked / "new").exists()
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    for path in (pool.acquire(sha), pool.acquire(sha)):
        _assert_fresh(path, repo, sha, expected)
        assert len(git(path, "branch", "--list", "topic-*").split()) == 2  # the repository's
        assert git(path, "reflog") == ""  # the reflog starts with this job
    pool.close()


def test_a_workspace_of_another_commit_becomes_this_commits(tmp_path: Path) -> None:
    repo, first = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), first, 2)
    (repo / "a.txt").unlink()
    shutil.rmtree(repo / "d" / "e")
    (repo / "d" / "e").write_text("a file where a folder was\n")
    os.chmod(repo / "d" / "b.sh", 0o644)
    (repo / "new" / "deeper").mkdir(parents=True)
    (repo / "new" / "deeper" / "n.txt").write_text("n\n")
    (repo / "link").symlink_to("new")
    commit(repo, "second")
    second = git(repo, "rev-parse", "HEAD")
    expected = _fresh(repo, tmp_path, second)
    inodes = {path.stat().st_ino for path in _parked(tmp_path)}
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    claimed = [pool.acquire(second), pool.acquire(second)]
    assert {path.stat().st_ino for path in claimed} == inodes
    for path in claimed:
        _assert_fresh(path, repo, second, expected)
        assert git(path, "log", "--format=%s", "-1") == "second"
    pool.close()


def test_a_workspace_parked_by_another_repository_gets_this_ones_files(
        tmp_path: Path) -> None:
    other, other_sha = _repo(tmp_path, "other")
    _run(other, _run_dir(tmp_path, "1"), other_sha, 1)  # the same home: a shared QMOI_HOME
    repo = make_repo(tmp_path / "mine", {"ci.yml": "on: push\njobs: {}\n"}, {"z.txt": "z\n"})
    sha = git(repo, "rev-parse", "HEAD")
    expected = _fresh(repo, tmp_path, sha)
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    path = pool.acquire(sha)
    assert not _parked(tmp_path)  # claimed
    _assert_fresh(path, repo, sha, expected)
    assert len(_worktree_lines(other)) == 1
    pool.close()


def test_concurrent_claims_never_hand_out_one_entry_twice(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 12)
    inodes = {path.stat().st_ino for path in _parked(tmp_path)}
    assert len(inodes) == 12
    # Four runs at once, each with its own pool (as the worker processes have), three
    # jobs each: twelve claims for twelve entries.
    pools = [_pool(repo, _run_dir(tmp_path, f"run{n}")) for n in range(4)]
    found: list[Path] = []
    start = threading.Barrier(12)

    def claim(pool: WorkspacePool) -> None:
        start.wait()
        found.append(pool.acquire(sha))

    threads = [threading.Thread(target=claim, args=(pool,)) for pool in pools for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = {path.stat().st_ino for path in found}
    assert len(found) == 12 and len(set(found)) == 12
    assert len(claimed) == 12 and claimed <= inodes  # every entry once, none copied
    assert all(git(path, "status", "--porcelain") == "" for path in found)
    for pool in pools:
        pool.close()


_CLAIMER = """
import os, sys, time
from pathlib import Path
from qmoi.execute.workspace import WorkspacePool, cache_folder, workspaces_folder
repo, run_dir, sha, go = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
pool = WorkspacePool(repo, workspaces_folder(run_dir), cache_folder(run_dir))
pool.release(pool.acquire(sha))  # the template made, one claimed: now wait for the other
while not go.exists():
    time.sleep(0.001)
print(*(pool.acquire(sha).stat().st_ino for _ in range(6)))
"""


def test_two_processes_claiming_at_once_never_get_the_same_entry(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 10)
    parked = {path.stat().st_ino for path in _parked(tmp_path)}
    go = tmp_path / "go"
    claimers = [subprocess.Popen([sys.executable, "-c", _CLAIMER, str(repo),
                                  str(_run_dir(tmp_path, f"p{n}")), sha, str(go)],
                                 stdout=subprocess.PIPE, text=True) for n in range(2)]
    deadline = time.monotonic() + 30
    while len(_parked(tmp_path)) > 8:  # each took one before the start
        assert all(claimer.poll() is None for claimer in claimers)
        assert time.monotonic() < deadline
    go.touch()
    got = [int(inode) for claimer in claimers for inode in claimer.communicate()[0].split()]
    assert all(claimer.returncode == 0 for claimer in claimers)
    assert len(got) == 12 and len(set(got)) == 12
    # The two taken first came back to their processes, the eight left went out once each,
    # and two were copied.
    assert set(got) & parked == parked
    assert not _parked(tmp_path)


def test_the_cap_is_respected_also_by_concurrent_runs(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 5, limits=Limits(entries=3))
    assert len(_parked(tmp_path)) == 3
    assert len(_worktree_lines(repo)) == 1  # the two left over deleted with their records
    pools = [_pool(repo, _run_dir(tmp_path, f"run{n}"), Limits(entries=4)) for n in range(3)]
    for pool in pools:  # two jobs at once each: six workspaces, three of them claimed
        both = [pool.acquire(sha), pool.acquire(sha)]
        for path in both:
            pool.release(path)
        pool._remover.submit(lambda: None).result()
    threads = [threading.Thread(target=pool.close) for pool in pools]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(_parked(tmp_path)) == 4
    for n in range(3):
        discard_run(repo, _run_dir(tmp_path, f"run{n}"))
    assert len(_worktree_lines(repo)) == 1


def test_the_bytes_cap_keeps_large_checkouts_out(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    model = tmp_path / "model-run"
    size = template(repo, workspaces_folder(model), sha).size
    workflow = len("on: push\njobs: {}\n")
    assert size == sum(len(text) for text in FILES.values()) + workflow + len(
        f"gitdir: {repo / '.git' / 'worktrees' / ('tpl-' + sha[:20])}\n")
    discard_run(repo, model)
    _run(repo, _run_dir(tmp_path, "1"), sha, 4, limits=Limits(bytes=size * 2 + 1))
    assert len(_parked(tmp_path)) == 2


def test_a_large_tree_is_never_parked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": "on: push\njobs: {}\n"},
                     {f"f/n{i}.txt": f"{i}\n" for i in range(150)})
    sha = git(repo, "rev-parse", "HEAD")
    _run(repo, _run_dir(tmp_path, "1"), sha, 2)
    assert not _parked(tmp_path)
    assert len(_worktree_lines(repo)) == 1


def _damage_and_claim(tmp_path: Path, damage: object) -> tuple[Path, Path, str]:
    """Park one workspace, ``damage`` it, and acquire one in a new run, which must be a new
    copy; the repository, the damaged entry's path and the commit."""
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 1)
    [entry] = _parked(tmp_path)
    assert callable(damage)
    damage(entry)
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    path = pool.acquire(sha)
    _assert_fresh(path, repo, sha, _fresh(repo, tmp_path, sha))
    assert path.name != entry.name  # a new copy: the damaged entry was not used ...
    assert not list(workspaces_folder(_run_dir(tmp_path, "2")).glob(entry.name))  # ... but deleted
    assert not _parked(tmp_path)
    pool.close()
    discard_run(repo, _run_dir(tmp_path, "2"))
    assert len(_worktree_lines(repo)) == 1
    return repo, entry, sha


def test_an_entry_without_its_record_is_discarded(tmp_path: Path) -> None:
    _damage_and_claim(tmp_path, lambda entry: shutil.rmtree(entry / ".qmoi-record"))


def test_an_entry_with_half_its_record_is_discarded(tmp_path: Path) -> None:
    _damage_and_claim(tmp_path, lambda entry: (entry / ".qmoi-record" / "index").unlink())


def test_an_entry_without_its_git_file_is_discarded(tmp_path: Path) -> None:
    _damage_and_claim(tmp_path, lambda entry: (entry / ".git").unlink())


def test_an_entry_with_a_file_linked_elsewhere_is_discarded(tmp_path: Path) -> None:
    kept = tmp_path / "kept"

    def link(entry: Path) -> None:
        os.link(entry / "a.txt", kept)
        kept.write_text("someone else's\n")

    _damage_and_claim(tmp_path, link)
    assert kept.read_text() == "someone else's\n"  # never rewritten through the link


def test_an_entry_that_is_a_link_is_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"

    def replace_by_link(entry: Path) -> None:
        entry.rename(elsewhere)
        entry.symlink_to(elsewhere)
        (elsewhere / "mine.txt").write_text("mine\n")

    _damage_and_claim(tmp_path, replace_by_link)
    assert (elsewhere / "mine.txt").read_text() == "mine\n"
    assert (elsewhere / ".qmoi-record").is_dir()  # left as it was


def test_a_half_deleted_tree_comes_back_whole(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    expected = _fresh(repo, tmp_path, sha)
    _run(repo, _run_dir(tmp_path, "1"), sha, 1)
    [entry] = _parked(tmp_path)
    shutil.rmtree(entry / "d")  # files gone, the record whole: restored like a job's deletes
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    path = pool.acquire(sha)
    assert path.name == entry.name  # used: restore brought the files back
    _assert_fresh(path, repo, sha, expected)
    pool.close()


def test_a_repository_with_a_file_named_like_the_record_is_never_parked(
        tmp_path: Path) -> None:
    repo, first = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), first, 1)  # one parked from before the file came
    (repo / ".qmoi-record").write_text("the project's\n")
    commit(repo, "a file of that name")
    sha = git(repo, "rev-parse", "HEAD")
    expected = _fresh(repo, tmp_path, sha)
    run_dir = _run_dir(tmp_path, "2")
    pool = _pool(repo, run_dir)
    path = pool.acquire(sha)  # the parked one cannot take the name: a new copy
    _assert_fresh(path, repo, sha, expected)
    assert (path / ".qmoi-record").read_text() == "the project's\n"
    pool.release(path)
    pool.close()
    discard_run(repo, run_dir)
    assert not _parked(tmp_path)  # nor is this run's parked
    assert len(_worktree_lines(repo)) == 1


def test_a_crash_while_parking_or_claiming_leaves_nothing_git_trips_over(
        tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 3)
    *claimed, kept = _parked(tmp_path)
    for run, entry in zip(("crashed", "killed"), claimed, strict=True):
        run_dir = _run_dir(tmp_path, run)
        folder = workspaces_folder(run_dir)
        # A run claimed one and died before its record was back in git's worktrees ...
        template(repo, folder, sha)
        entry.rename(folder / entry.name)
        # ... and died while parking another: its record inside it, still in the run.
        pool = WorkspacePool(repo, folder)
        path = pool.acquire(sha)
        pool._adder.shutdown(wait=True)
        pool._remover.shutdown(wait=True)
        (repo / ".git" / "worktrees" / path.name).rename(path / ".qmoi-record")
        assert git(repo, "worktree", "prune", "--dry-run", "--verbose") == ""
        assert len(_worktree_lines(repo)) == 2  # the repository and the run's template
        if run == "crashed":  # the coordinator lived: the run's end cleans up
            discard_run(repo, run_dir)
            assert not folder.exists()
        else:  # the run's folder went by hand: the next run's end prunes its template
            shutil.rmtree(run_dir)
            workspace.prepare_template(repo, _run_dir(tmp_path, "next"), sha)
            discard_run(repo, _run_dir(tmp_path, "next"))
        assert len(_worktree_lines(repo)) == 1
        assert git(repo, "worktree", "prune", "--dry-run", "--verbose") == ""
    assert _parked(tmp_path) == [kept]  # the rest of the cache is untouched, and usable:
    pool = _pool(repo, _run_dir(tmp_path, "last"))
    path = pool.acquire(sha)
    assert path.name == kept.name
    _assert_fresh(path, repo, sha, _fresh(repo, tmp_path, sha))
    pool.close()


def test_pruning_leaves_parked_workspaces_alone(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    _run(repo, _run_dir(tmp_path, "1"), sha, 1)
    git(repo, "worktree", "prune")
    git(repo, "gc", "-q", "--prune=now")
    [entry] = _parked(tmp_path)
    pool = _pool(repo, _run_dir(tmp_path, "2"))
    path = pool.acquire(sha)
    assert path.name == entry.name
    _assert_fresh(path, repo, sha, _fresh(repo, tmp_path, sha))
    pool.close()


def test_the_cache_lives_beside_the_runs(tmp_path: Path) -> None:
    assert cache_folder(tmp_path / ".qmoi" / "runs" / "123") == tmp_path / ".qmoi" / "workspaces"


def test_runs_hand_their_workspaces_on_and_each_job_sees_only_the_commit(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "inode=$(stat -c %i .)"
                  test "$(cat a.txt)" = a && test ! -e junk && test -z "$(git status --porcelain)"
                  test "$(git rev-parse HEAD)" = "$GITHUB_SHA"
                  echo junk > junk && echo changed > a.txt
                  git -c user.name=t -c user.email=t@example.com commit -qam "in the job"
        """}, {"a.txt": "a\n"})
    inodes = []
    for _ in range(2):
        out = run_repo(repo)  # QCity's pool: the workers park and claim
        assert out.record.result == "success", out.logs("j")
        inodes += [line for line in out.logs("j") if line.startswith("inode=")]
        assert len(_worktree_lines(repo)) == 1
        assert len(list((repo / ".qmoi" / "workspaces").glob("ws-*"))) == 1
    assert len(inodes) == 2 and inodes[0] == inodes[1]  # the same folder, made fresh


def test_a_home_gone_before_the_pool_closes_is_not_made_again(tmp_path: Path) -> None:
    # A Ray node deletes a run's folders (its home with them) before the run's executor
    # closes in a worker that lives on.
    repo, sha = _repo(tmp_path)
    run_dir = _run_dir(tmp_path, "1")
    pool = _pool(repo, run_dir)
    folders = workspace.prepare(pool, run_dir / "jobs" / "j", sha, tmp_path / "tools")
    workspace.release(pool, folders)
    pool._remover.submit(lambda: None).result()
    shutil.rmtree(tmp_path / "home")
    pool.close()
    assert not (tmp_path / "home").exists()
