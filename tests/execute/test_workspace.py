"""Workspaces: one checkout of the commit per run, a private copy with a worktree record of
its own per job; git works in each as in a worktree; everything goes at the end."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from qmoi.execute import checkout, workspace
from qmoi.execute.checkout import WorkspaceError, template
from qmoi.execute.treecopy import UMASK
from qmoi.execute.workspace import WorkspacePool, discard_run
from run_helpers import git, make_repo, tree_snapshot


def _repo(tmp_path: Path, files: dict[str, str] | None = None) -> tuple[Path, str]:
    repo = make_repo(tmp_path / "r", {"ci.yml": "on: push\njobs: {}\n"},
                     files or {"a.txt": "a\n", "d/b.sh": "echo b\n"})
    return repo, git(repo, "rev-parse", "HEAD")


def _worktrees(repo: Path) -> list[str]:
    return git(repo, "worktree", "list", "--porcelain").split("\n\n")


def test_jobs_get_private_copies_where_git_works(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    os.chmod(repo / "d" / "b.sh", 0o755)
    git(repo, "commit", "-qam", "exec")
    git(repo, "tag", "v1")
    sha = git(repo, "rev-parse", "HEAD")
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    first, second = pool.acquire(sha), pool.acquire(sha)
    for ws in (first, second):
        assert (ws / "a.txt").read_text() == "a\n"
        assert os.access(ws / "d" / "b.sh", os.X_OK)
        assert git(ws, "rev-parse", "HEAD") == sha
        assert git(ws, "status", "--porcelain") == ""
        assert git(ws, "describe", "--tags") == "v1"
    (first / "a.txt").write_text("changed\n")
    git(first, "commit", "-qam", "in the job")
    assert git(second, "status", "--porcelain") == ""
    assert (second / "a.txt").read_text() == "a\n"
    assert git(second, "rev-parse", "HEAD") == sha != git(first, "rev-parse", "HEAD")
    assert len(_worktrees(repo)) == 4  # the main one, the template, two jobs
    pool.release(first)
    pool.release(second)
    pool.close()
    assert not first.exists() and not second.exists()
    assert len(_worktrees(repo)) == 2  # the template stays for the run's other jobs
    discard_run(repo, tmp_path / "run")
    assert len(_worktrees(repo)) == 1
    assert not (tmp_path / "run" / "workspaces").exists()


def test_the_commit_is_checked_out_once_per_run(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    repo, sha = _repo(tmp_path)
    made: list[Path] = []
    real = checkout._make_template

    def counting(repository: Path, path: Path, commit: str) -> None:
        made.append(path)
        real(repository, path, commit)

    monkeypatch.setattr(checkout, "_make_template", counting)
    pools = [WorkspacePool(repo, tmp_path / "run" / "workspaces") for _ in range(4)]
    found: list[Path] = []
    threads = [threading.Thread(target=lambda p=p: found.append(p.acquire(sha)))
               for p in pools for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and len(set(found)) == 12
    assert all(git(ws, "rev-parse", "HEAD") == sha for ws in found)


def test_the_worktree_lock_lives_in_the_repositorys_git_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    repo, sha = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    pool.release(pool.acquire(sha))
    pool.close()
    discard_run(repo, tmp_path / "run")
    assert (repo / ".git" / "qmoi-worktree.lock").is_file()
    assert not list(temp.iterdir())  # nothing left behind per repository
    assert "qmoi-worktree.lock" not in git(repo, "status", "--porcelain", "--ignored")


def test_a_large_tree_is_copied_by_cp(tmp_path: Path) -> None:
    files = {f"f{i // 20}/n{i}.txt": f"{i}\n" for i in range(200)}
    repo, sha = _repo(tmp_path, {**files, "link-target": "x\n"})
    (repo / "link").symlink_to("link-target")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    sha = git(repo, "rev-parse", "HEAD")
    source = template(repo, tmp_path / "ws", sha)
    assert source.entries > checkout.SMALL_TREE
    copy = workspace.clone(source, tmp_path / "ws" / "ws-big")
    assert (copy / "f9" / "n199.txt").read_text() == "199\n"
    assert os.readlink(copy / "link") == "link-target"
    assert git(copy, "status", "--porcelain") == ""


def test_a_bad_commit_is_a_clean_error(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    with pytest.raises(WorkspaceError, match="cannot check out commit 0000000000"):
        pool.acquire("0" * 40)
    pool.close()


def test_checkout_replacing_the_git_link_still_cleans_up(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    ws = pool.acquire(sha)
    (ws / ".git").unlink()
    subprocess.run(["git", "init", "-q"], cwd=ws, check=True)
    pool.release(ws)
    pool.close()
    assert len(_worktrees(repo)) == 2
    assert not any(p.name.startswith(".qmoi-") for p in (repo / ".git").iterdir())


def test_the_end_of_a_run_forgets_its_records_without_pruning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, sha = _repo(tmp_path)
    run_dir = tmp_path / "run"
    pool = WorkspacePool(repo, workspace.workspaces_folder(run_dir))
    pool.release(pool.acquire(sha))
    pool.reserve(sha, 1)  # a spare left unused
    pool.close()
    calls: list[tuple[str, ...]] = []
    real = workspace.git

    def counting(repository: Path, *args: str) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return real(repository, *args)

    monkeypatch.setattr(workspace, "git", counting)
    discard_run(repo, run_dir)
    assert calls == []  # every record was this run's: removed with its files
    assert not (repo / ".git" / "worktrees").exists() or \
        not list((repo / ".git" / "worktrees").iterdir())
    assert len(_worktrees(repo)) == 1


def test_a_crashed_runs_records_are_pruned(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    crashed = tmp_path / "crashed"
    workspace.prepare_template(repo, crashed, sha)
    shutil.rmtree(crashed)  # its coordinator was killed: files gone, records left
    assert len(_worktrees(repo)) == 2
    other = tmp_path / "run"
    workspace.prepare_template(repo, other, sha)
    discard_run(repo, other)
    assert len(_worktrees(repo)) == 1


def test_a_small_tree_is_copied_whole_with_a_record_of_its_own(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path, {"a.txt": "a\n", "d/e/deep.txt": "deep\n", "target": "t\n"})
    (repo / "link").symlink_to("target")
    os.chmod(repo / "d" / "e" / "deep.txt", 0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tree")
    sha = git(repo, "rev-parse", "HEAD")
    source = template(repo, tmp_path / "ws", sha)
    assert source.entries <= checkout.SMALL_TREE
    copy = workspace.clone(source, tmp_path / "ws" / "ws-small")
    assert (copy / "d" / "e" / "deep.txt").read_text() == "deep\n"
    assert os.access(copy / "d" / "e" / "deep.txt", os.X_OK)
    assert not os.access(copy / "a.txt", os.X_OK)
    assert os.readlink(copy / "link") == "target"
    assert (copy / "a.txt").stat().st_ino != (source.path / "a.txt").stat().st_ino
    record = repo / ".git" / "worktrees" / "ws-small"
    assert sorted(p.name for p in record.iterdir()) == ["HEAD", "commondir", "gitdir", "index"]
    assert (record / "gitdir").read_text() == f"{copy / '.git'}\n"
    assert git(copy, "status", "--porcelain") == ""
    (copy / "a.txt").write_text("b\n")
    git(copy, "commit", "-qam", "moved")  # the reflog starts with the job's first commit
    assert "moved" in git(copy, "reflog")
    assert (source.path / "a.txt").read_text() == "a\n"



def test_a_used_workspace_is_made_a_fresh_copy_again(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path, {"a.txt": "a\n", "d/b.sh": "echo b\n", "t": "t\n"})
    (repo / "link").symlink_to("t")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tree")
    sha = git(repo, "rev-parse", "HEAD")
    source = template(repo, tmp_path / "ws", sha)
    fresh = tree_snapshot(workspace.clone(source, tmp_path / "ws" / "ws-fresh"))
    used = workspace.clone(source, tmp_path / "ws" / "ws-used")
    (used / "a.txt").write_text("changed and longer\n")
    git(used, "commit", "-qam", "in the job")
    (used / "new").mkdir()
    (used / "new" / "x").write_text("x")
    (used / "d" / "b.sh").unlink()
    (used / "d" / "b.sh").mkdir()  # a file became a folder
    os.chmod(used / "t", 0o700)
    (used / "link").unlink()
    (used / "link").symlink_to("a.txt")
    admin = repo / ".git" / "worktrees" / "ws-used"
    assert workspace.reset(source, used, admin)
    assert tree_snapshot(used) == fresh
    assert git(used, "rev-parse", "HEAD") == sha
    assert git(used, "status", "--porcelain") == ""
    assert sorted(p.name for p in admin.iterdir()) == ["HEAD", "commondir", "gitdir", "index"]
    assert len(_worktrees(repo)) == 4


def test_a_workspace_with_a_file_linked_elsewhere_is_not_reset(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    source = template(repo, tmp_path / "ws", sha)
    used = workspace.clone(source, tmp_path / "ws" / "ws-used")
    os.link(used / "a.txt", tmp_path / "kept")
    (used / "a.txt").write_text("the job's\n")
    assert not workspace.reset(source, used, repo / ".git" / "worktrees" / "ws-used")
    assert (tmp_path / "kept").read_text() == "the job's\n"  # never rewritten through


def test_the_pool_hands_a_released_workspace_out_again_fresh(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    first = pool.acquire(sha)
    (first / "a.txt").write_text("dirty\n")
    (first / "junk").write_text("junk\n")
    pool.release(first)
    pool._remover.submit(lambda: None).result()  # the reset has run
    again = pool.acquire(sha)
    assert again == first
    assert (again / "a.txt").read_text() == "a\n" and not (again / "junk").exists()
    assert git(again, "status", "--porcelain") == ""
    pool.release(again)
    pool.close()
    assert not again.exists()
    discard_run(repo, tmp_path / "run")
    assert len(_worktrees(repo)) == 1


def test_a_finished_jobs_temp_folder_is_emptied_for_the_next_job(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    tools = tmp_path / "tools"
    first = workspace.prepare(pool, tmp_path / "run" / "jobs" / "a", sha, tools)
    assert first.file_commands.is_dir() and not list(first.file_commands.iterdir())
    (first.temp / "script.sh").write_text("x")
    (first.temp / "sub").mkdir()
    (first.temp / "sub" / "f").write_text("y")
    (first.file_commands / "set_env_1").write_text("A=1\n")
    inode = first.temp.stat().st_ino
    workspace.release(pool, first)
    pool._remover.submit(lambda: None).result()
    assert not first.temp.exists()
    second = workspace.prepare(pool, tmp_path / "run" / "jobs" / "b", sha, tools)
    assert second.temp.stat().st_ino == inode  # the same folder, moved
    assert [p.name for p in second.temp.iterdir()] == ["_runner_file_commands"]
    assert not list(second.file_commands.iterdir())
    os.chmod(second.temp, 0o700)  # changed by the job: not handed on
    workspace.release(pool, second)
    pool._remover.submit(lambda: None).result()
    third = workspace.prepare(pool, tmp_path / "run" / "jobs" / "c", sha, tools)
    # a new folder (not the inode: the file system may give the deleted one's number)
    assert third.temp.stat().st_mode & 0o7777 == 0o777 & ~UMASK
    assert third.file_commands.is_dir()
    workspace.release(pool, third)
    pool.close()
    assert not [p for p in (tmp_path / "run" / "workspaces").iterdir()
                if p.name.startswith("job-")]


def test_a_job_renews_a_released_workspace_the_removal_thread_has_not_reached(
        tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    tools = tmp_path / "tools"
    first = workspace.prepare(pool, tmp_path / "run" / "jobs" / "a", sha, tools)
    (first.workspace / "a.txt").write_text("dirty\n")
    (first.temp / "script.sh").write_text("x")
    (first.file_commands / "set_env_1").write_text("A=1\n")
    inode = first.temp.stat().st_ino
    busy = threading.Event()
    pool._remover.submit(busy.wait)  # the removal thread is behind
    workspace.release(pool, first)
    second = workspace.prepare(pool, tmp_path / "run" / "jobs" / "b", sha, tools)
    assert second.workspace == first.workspace  # renewed, not a new copy
    assert (second.workspace / "a.txt").read_text() == "a\n"
    assert git(second.workspace, "status", "--porcelain") == ""
    assert second.temp.stat().st_ino == inode and not first.temp.exists()
    assert [p.name for p in second.temp.iterdir()] == ["_runner_file_commands"]
    assert not list(second.file_commands.iterdir())
    busy.set()
    pool._remover.submit(lambda: None).result()  # the queued renewals find nothing to do
    assert (second.workspace / "a.txt").read_text() == "a\n" and second.temp.is_dir()
    assert len(list((tmp_path / "run" / "workspaces").glob("ws-*"))) == 1
    workspace.release(pool, second)
    pool.close()
    discard_run(repo, tmp_path / "run")
    assert len(_worktrees(repo)) == 1
    assert not list((tmp_path / "run" / "workspaces").glob("*"))
