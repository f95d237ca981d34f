"""Spare files: what a finished job's temp folder held, handed out again as new files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qmoi.execute import workspace
from qmoi.execute.run_step import _write_script
from qmoi.execute.spares import SpareFiles, new_file
from qmoi.execute.treecopy import UMASK, empty
from qmoi.execute.workspace import WorkspacePool
from run_helpers import git, make_repo


def _entry(path: Path) -> os.DirEntry[str]:
    with os.scandir(path.parent) as entries:
        return next(entry for entry in entries if entry.name == path.name)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_kept_file_comes_back_empty_with_a_new_files_mode(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    old = tmp_path / "old"
    old.write_text("A=1\nsecret\n")
    old.chmod(0o700)
    inode = old.stat().st_ino
    assert spares.keep(_entry(old)) and not old.exists() and len(spares) == 1
    fd = spares.create(str(tmp_path / "new"), 0o644)
    os.close(fd)
    new = tmp_path / "new"
    assert new.stat().st_ino == inode and new.read_bytes() == b""
    assert _mode(new) == 0o644 & ~UMASK and len(spares) == 0
    assert not list((tmp_path / "stash").iterdir())


def test_without_spares_a_file_is_created(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    os.close(spares.create(str(tmp_path / "a"), 0o600))
    os.close(new_file(None, str(tmp_path / "b"), 0o644))
    assert _mode(tmp_path / "a") == 0o600 & ~UMASK and (tmp_path / "b").read_bytes() == b""
    assert not (tmp_path / "stash").exists()  # made only when something is kept


def test_only_files_no_one_else_reaches_are_kept(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    linked = tmp_path / "linked"
    linked.write_text("x")
    os.link(linked, tmp_path / "elsewhere")
    (tmp_path / "link").symlink_to(linked)
    (tmp_path / "folder").mkdir()
    for name in ("linked", "link", "folder"):
        assert not spares.keep(_entry(tmp_path / name))
    assert (tmp_path / "link").is_symlink() and linked.exists() and len(spares) == 0


def test_a_file_with_extended_attributes_is_not_kept(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    marked = tmp_path / "marked"
    marked.write_text("x")
    try:
        os.setxattr(marked, "user.qmoi", b"1")
    except OSError:
        pytest.skip("no user extended attributes on this file system")
    assert not spares.keep(_entry(marked)) and marked.exists()


def test_the_stash_holds_at_most_its_limit(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash", limit=2)
    for n in range(3):
        (tmp_path / f"f{n}").write_text("x")
    kept = [spares.keep(_entry(tmp_path / f"f{n}")) for n in range(3)]
    assert kept == [True, True, False] and (tmp_path / "f2").exists()


def test_a_spare_gone_from_the_stash_is_skipped(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    for name in ("a", "b"):
        (tmp_path / name).write_text("x")
        assert spares.keep(_entry(tmp_path / name))
    for path in list((tmp_path / "stash").iterdir()):
        path.unlink()
    os.close(spares.create(str(tmp_path / "new"), 0o644))
    assert (tmp_path / "new").read_bytes() == b"" and len(spares) == 0


def test_emptying_a_folder_keeps_its_plain_files_and_deletes_the_rest(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    folder = tmp_path / "temp"
    (folder / "keep").mkdir(parents=True)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep").write_text("y")
    (folder / "script.sh").write_text("x")
    empty(folder, "keep", spares)
    assert [p.name for p in folder.iterdir()] == ["keep"] and len(spares) == 1


def test_a_script_written_to_a_spare_holds_exactly_its_text(tmp_path: Path) -> None:
    spares = SpareFiles(tmp_path / "stash")
    old = tmp_path / "old.sh"
    old.write_text("a much longer script than the next one\n" * 10)
    assert spares.keep(_entry(old))
    _write_script(spares, str(tmp_path / "new.sh"), "true\n")
    assert (tmp_path / "new.sh").read_text() == "true\n"
    assert _mode(tmp_path / "new.sh") == 0o666 & ~UMASK


def test_the_next_jobs_new_files_are_the_last_jobs_emptied_ones(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"ci.yml": "on: push\njobs: {}\n"}, {"a.txt": "a\n"})
    sha = git(repo, "rev-parse", "HEAD")
    pool = WorkspacePool(repo, tmp_path / "run" / "workspaces")
    tools = tmp_path / "tools"
    first = workspace.prepare(pool, tmp_path / "run" / "jobs" / "a", sha, tools)
    assert first.spares is pool.spares
    (first.temp / "script.sh").write_text("x")
    (first.file_commands / "set_env_1").write_text("A=1\n")
    inodes = {(first.temp / "script.sh").stat().st_ino,
              (first.file_commands / "set_env_1").stat().st_ino}
    workspace.release(pool, first)
    pool._remover.submit(lambda: None).result()
    second = workspace.prepare(pool, tmp_path / "run" / "jobs" / "b", sha, tools)
    assert [p.name for p in second.temp.iterdir()] == ["_runner_file_commands"]
    assert not list(second.file_commands.iterdir()) and len(pool.spares) == 2
    made = [second.file_commands / "set_env_2", second.file_commands / "set_output_2"]
    for path in made:
        os.close(new_file(second.spares, str(path), 0o644))
    assert {path.stat().st_ino for path in made} == inodes
    assert all(path.read_bytes() == b"" for path in made)
    workspace.release(pool, second)
    pool.close()
    workspace.discard_run(repo, tmp_path / "run")
    assert not (tmp_path / "run" / "workspaces").exists()
