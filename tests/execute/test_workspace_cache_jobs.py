"""Job folders and spare files kept between runs: a run leaves its emptied job folders and its
processes' stashes (files emptied) beside the runs; the next run's jobs take them instead of
creating new ones, and take only what is exactly as new."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qmoi.execute import jobdirs, spares, workspace
from qmoi.execute.jobdirs import FILE_COMMANDS, TEMP, JobDirs
from qmoi.execute.spares import SpareFiles, new_file
from qmoi.execute.treecopy import UMASK
from qmoi.execute.workspace import WorkspacePool, cache_folder, discard_run, workspaces_folder
from run_helpers import git, make_repo, run_repo


def _entries(cache: Path, prefix: str) -> list[Path]:
    return sorted(cache.glob(f"{prefix}*")) if cache.is_dir() else []


def _job(pool: WorkspacePool, run_dir: Path, key: str, sha: str,
         secret: str = "") -> workspace.JobFolders:
    """A job that wrote a script and an environment file in its temp folder."""
    folders = workspace.prepare(pool, run_dir / "jobs" / key, sha, run_dir.parent / "tools")
    for path in (folders.temp / f"{key}.sh", folders.file_commands / f"set_env_{key}"):
        os.close(new_file(folders.spares, str(path), 0o644))
        path.write_text(f"echo {secret}\n")
    return folders


def test_the_next_run_takes_the_last_runs_job_folders_and_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": "on: push\njobs: {}\n"}, {"a.txt": "a\n"})
    sha = git(repo, "rev-parse", "HEAD")
    first_run = tmp_path / "home" / "runs" / "1"
    pool = WorkspacePool(repo, workspaces_folder(first_run), cache_folder(first_run))
    jobs = [_job(pool, first_run, key, sha, "s3cr3t") for key in ("a", "b")]
    folders = {job.root.stat().st_ino for job in jobs}
    files = {path.stat().st_ino for job in jobs
             for path in (*job.temp.glob("*.sh"), *job.file_commands.iterdir())}
    for job in jobs:
        assert job.spares is not None
        job.spares.held_secrets()  # as the host says of a job with secrets
        workspace.release(pool, job)
    pool.close()
    discard_run(repo, first_run)
    cache = cache_folder(first_run)
    assert {path.stat().st_ino for path in _entries(cache, "job-")} == folders
    [stash] = _entries(cache, "spare-files-")
    assert {path.stat().st_ino for path in stash.iterdir()} == files
    assert all(path.stat().st_size == 0 for path in stash.iterdir())  # no job's secrets kept

    second_run = tmp_path / "home" / "runs" / "2"
    pool = WorkspacePool(repo, workspaces_folder(second_run), cache_folder(second_run))
    job = workspace.prepare(pool, second_run / "jobs" / "c", sha, tmp_path / "tools")
    assert job.root.stat().st_ino in folders
    assert [p.name for p in job.root.iterdir()] == [TEMP]
    assert [p.name for p in job.temp.iterdir()] == [FILE_COMMANDS]
    assert not list(job.file_commands.iterdir())
    made = [job.temp / f"new{n}.sh" for n in range(4)]
    for path in made:
        os.close(new_file(job.spares, str(path), 0o700))
    assert {path.stat().st_ino for path in made} == files
    assert all(path.read_bytes() == b"" for path in made)
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o700 & ~UMASK for path in made)
    os.close(new_file(job.spares, str(job.temp / "fifth"), 0o644))  # the stash is empty now
    assert (job.temp / "fifth").stat().st_ino not in files
    workspace.release(pool, job)
    pool.close()
    discard_run(repo, second_run)
    assert len(git(repo, "worktree", "list").splitlines()) == 1


def _dirs(tmp_path: Path, run: str) -> tuple[JobDirs, ThreadPoolExecutor, Path]:
    """A run's job folders with the cache at ``tmp_path / "cache"``."""
    folder = tmp_path / run
    (folder / "jobs").mkdir(parents=True)
    remover = ThreadPoolExecutor(max_workers=1)
    cache = tmp_path / "cache"
    stash = SpareFiles(folder / "spare-files-x", cache=cache)
    return JobDirs(folder, remover, stash, cache), remover, folder / "jobs"


def _leave(tmp_path: Path, count: int) -> list[Path]:
    """A run of ``count`` jobs at once that leaves its emptied folders in the cache."""
    dirs, remover, jobs = _dirs(tmp_path, "first")
    for n in range(count):
        dirs.place(jobs / f"j{n}")
    for n in range(count):
        dirs.discard(jobs / f"j{n}")
    remover.shutdown()
    dirs.closing = True
    dirs.clear()
    return _entries(tmp_path / "cache", "job-")


@pytest.mark.parametrize("change", [
    lambda p: (p / "left.txt").write_text("a file the folder should not hold"),
    lambda p: (p / TEMP / FILE_COMMANDS / "set_env_1").write_text("A=1\n"),
    lambda p: os.chmod(p / TEMP, 0o700),
    lambda p: (p / TEMP / FILE_COMMANDS).rmdir(),
    lambda p: (p / TEMP / "sub").mkdir(),
])
def test_a_job_folder_changed_in_the_cache_is_deleted_not_used(tmp_path: Path,
                                                              change: object) -> None:
    [parked] = _leave(tmp_path, 1)
    assert callable(change)
    change(parked)
    dirs, remover, jobs = _dirs(tmp_path, "second")
    dirs.place(jobs / "new")
    assert not parked.exists() and not _entries(tmp_path / "cache", "job-")
    assert [p.name for p in (jobs / "new").iterdir()] == [TEMP]
    assert [p.name for p in (jobs / "new" / TEMP).iterdir()] == [FILE_COMMANDS]
    assert not list((jobs / "new" / TEMP / FILE_COMMANDS).iterdir())
    assert (jobs / "new" / TEMP).stat().st_mode & 0o7777 == 0o777 & ~UMASK
    remover.shutdown()


def test_a_job_folder_link_in_the_cache_is_not_followed(tmp_path: Path) -> None:
    [parked] = _leave(tmp_path, 1)
    elsewhere = tmp_path / "elsewhere"
    parked.rename(elsewhere)
    parked.symlink_to(elsewhere)
    dirs, remover, jobs = _dirs(tmp_path, "second")
    dirs.place(jobs / "new")
    assert not (jobs / "new").is_symlink() and (jobs / "new" / TEMP / FILE_COMMANDS).is_dir()
    assert elsewhere.is_dir() and not os.path.lexists(parked)
    remover.shutdown()


def test_job_folders_in_the_cache_are_capped(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobdirs, "_LIMIT", 3)
    assert len(_leave(tmp_path, 5)) == 3
    assert not list((tmp_path / "first").glob("job-*"))  # the others were deleted


def test_a_lost_attempts_folder_is_replaced_without_taking_from_the_cache(
        tmp_path: Path) -> None:
    [parked] = _leave(tmp_path, 1)
    dirs, remover, jobs = _dirs(tmp_path, "second")
    (jobs / "again" / TEMP / FILE_COMMANDS).mkdir(parents=True)  # a lost attempt's
    dirs.place(jobs / "again")
    assert parked.exists()
    remover.shutdown()


def test_only_plain_files_of_ours_are_taken_from_a_stash(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stash = cache / "spare-files-old"
    stash.mkdir(parents=True)
    for name in ("f1", "f7", "f3", "fx", "other"):
        (stash / name).write_text("")
    os.link(stash / "f3", tmp_path / "linked")  # reachable by another name: not reused
    (stash / "f4").symlink_to(tmp_path / "linked")
    (stash / "f5").mkdir()
    kept = {(stash / name).stat().st_ino for name in ("f1", "f7")}
    spare = SpareFiles(tmp_path / "run" / "spare-files-new", cache=cache)
    made = [tmp_path / "run" / f"new{n}" for n in range(3)]
    for path in made:
        os.close(spare.create(str(path), 0o644))
    assert {path.stat().st_ino for path in made[:2]} == kept
    assert made[2].stat().st_ino not in kept
    assert (tmp_path / "linked").exists() and not list(cache.iterdir())
    assert sorted(p.name for p in (tmp_path / "run" / "spare-files-new").iterdir()) == []
    # the stash goes on counting its names from the highest one taken: no name reused
    (tmp_path / "run" / "x").write_text("x")
    with os.scandir(tmp_path / "run") as found:
        assert spare.keep(next(e for e in found if e.name == "x"))
    assert [p.name for p in (tmp_path / "run" / "spare-files-new").iterdir()] == ["f8"]


def test_stashes_in_the_cache_are_capped(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spares, "_STASHES", 1)
    cache = tmp_path / "cache"
    for n in range(2):
        stash = SpareFiles(tmp_path / f"run{n}" / f"spare-files-{n}", cache=cache)
        (tmp_path / f"run{n}" / "x").parent.mkdir(exist_ok=True)
        (tmp_path / f"run{n}" / "x").write_text("secret")
        with os.scandir(tmp_path / f"run{n}") as found:
            assert stash.keep(next(e for e in found if e.name == "x"))
        stash.held_secrets()
        stash.park()
    [parked] = _entries(cache, "spare-files-")
    assert parked.name == "spare-files-0" and (parked / "f1").read_bytes() == b""
    assert (tmp_path / "run1" / "spare-files-1" / "f1").read_bytes() == b""


def test_a_stash_link_in_the_cache_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "f1").write_text("someone's\n")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "spare-files-old").symlink_to(elsewhere)
    spare = SpareFiles(tmp_path / "run" / "spare-files-new", cache=tmp_path / "cache")
    os.close(spare.create(str(tmp_path / "run" / "new"), 0o644))
    assert (elsewhere / "f1").read_text() == "someone's\n"
    assert (tmp_path / "run" / "spare-files-new").is_dir()
    assert not (tmp_path / "run" / "spare-files-new").is_symlink()
    assert not list((tmp_path / "cache").iterdir())


def test_without_secrets_a_parked_stash_keeps_its_files_until_they_are_handed_out(
        tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stash = SpareFiles(tmp_path / "run1" / "spare-files-1", cache=cache)
    (tmp_path / "run1").mkdir()
    (tmp_path / "run1" / "x").write_text("echo plain\n")
    with os.scandir(tmp_path / "run1") as found:
        assert stash.keep(next(e for e in found if e.name == "x"))
    stash.park()
    [parked] = _entries(cache, "spare-files-")
    assert (parked / "f1").read_text() == "echo plain\n"  # no truncation at the run's end
    later = SpareFiles(tmp_path / "run2" / "spare-files-2", cache=cache)
    (tmp_path / "run2").mkdir(exist_ok=True)
    os.close(later.create(str(tmp_path / "run2" / "new.sh"), 0o644))
    assert (tmp_path / "run2" / "new.sh").read_bytes() == b""  # emptied as it is handed out


def test_no_parked_file_holds_a_secret_of_the_run(tmp_path: Path) -> None:
    secret = "s3cr3t-value-0147"
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: test "${{ secrets.TOKEN }}" != ""
              - run: echo done
        """})
    out = run_repo(repo, secrets={"TOKEN": secret})
    assert out.record.result == "success"
    parked = [path for stash in _entries(repo / ".qmoi" / "workspaces", "spare-files-")
              for path in stash.iterdir()]
    assert parked  # the scripts were kept for the next run
    assert all(secret.encode() not in path.read_bytes() for path in parked)
