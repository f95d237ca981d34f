"""A finished job's folder is emptied and moved whole into place for the next job."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qmoi.execute.jobdirs import FILE_COMMANDS, TEMP, JobDirs
from qmoi.execute.spares import SpareFiles
from qmoi.execute.treecopy import UMASK


def _dirs(tmp_path: Path) -> tuple[JobDirs, ThreadPoolExecutor]:
    (tmp_path / "pool").mkdir()
    (tmp_path / "jobs").mkdir()
    remover = ThreadPoolExecutor(max_workers=1)
    return JobDirs(tmp_path / "pool", remover, SpareFiles(tmp_path / "pool" / "s")), remover


def test_the_next_job_gets_the_last_jobs_folder_emptied(tmp_path: Path) -> None:
    dirs, remover = _dirs(tmp_path)
    first = tmp_path / "jobs" / "a"
    dirs.place(first)
    assert [p.name for p in first.iterdir()] == [TEMP]
    assert [p.name for p in (first / TEMP).iterdir()] == [FILE_COMMANDS]
    (first / "event.json").write_text("{}")
    (first / "mine").mkdir()
    (first / TEMP / "x.sh").write_text("true\n")
    (first / TEMP / FILE_COMMANDS / "set_env_1").write_text("A=1\n")
    inode = first.stat().st_ino
    dirs.discard(first)
    remover.submit(lambda: None).result()
    assert not first.exists() and len(dirs._spares) == 3
    second = tmp_path / "jobs" / "b"
    dirs.place(second)
    assert second.stat().st_ino == inode
    assert [p.name for p in second.iterdir()] == [TEMP]
    assert [p.name for p in (second / TEMP).iterdir()] == [FILE_COMMANDS]
    assert not list((second / TEMP / FILE_COMMANDS).iterdir())
    remover.shutdown()


def test_a_folder_the_job_changed_is_not_handed_on(tmp_path: Path) -> None:
    dirs, remover = _dirs(tmp_path)
    for n, change in enumerate((lambda p: os.chmod(p, 0o700),
                                lambda p: os.chmod(p / TEMP / FILE_COMMANDS, 0o700),
                                lambda p: (p / TEMP / FILE_COMMANDS).rmdir())):
        job = tmp_path / "jobs" / f"j{n}"
        dirs.place(job)
        change(job)
        dirs.discard(job)
        remover.submit(lambda: None).result()
        assert not job.exists() and not dirs._kept
    fresh = tmp_path / "jobs" / "fresh"
    dirs.place(fresh)
    assert (fresh / TEMP / FILE_COMMANDS).is_dir()
    assert fresh.stat().st_mode & 0o7777 == 0o777 & ~UMASK
    remover.shutdown()


def test_a_folder_waiting_to_be_emptied_is_emptied_by_the_next_job(tmp_path: Path) -> None:
    dirs, remover = _dirs(tmp_path)
    first = tmp_path / "jobs" / "a"
    dirs.place(first)
    (first / TEMP / "x").write_text("x")
    inode = first.stat().st_ino
    busy = remover.submit(lambda: None)
    busy.result()
    dirs._dirty.append(first)  # released, the removal thread not there yet
    second = tmp_path / "jobs" / "b"
    dirs.place(second)
    assert second.stat().st_ino == inode and not first.exists()
    assert [p.name for p in (second / TEMP).iterdir()] == [FILE_COMMANDS]
    dirs.closing = True
    dirs.discard(second)
    remover.shutdown()
    assert not second.exists() and not dirs._kept
    dirs.clear()
