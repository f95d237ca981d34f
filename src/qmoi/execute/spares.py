"""Spare files: the plain files of finished jobs' temp folders (environment files, step
scripts), kept aside when the folder is emptied and handed out again, renamed, emptied and
given the mode a new file would have, as the next job's new files.

Creating a file is by far the dearest thing a job's set-up does here (a new inode: 0.5-0.7 ms
of CPU on this machine's ext4, against ~30 us for a rename and ~10 us for an open that
truncates), and a job of one ``run:`` step creates six in its temp folder. Only a file no
other name or job can reach is kept: a regular file with one link, owned by us, with no
extended attributes (ACLs included); anything else is deleted as before. The job's
processes are gone before its temp folder is emptied (``ProcessGroups.kill_all``).

At the end of a run a process's stash goes to the cache beside the runs
(``qmoi.execute.shelf``); the next run's process takes one there before it creates its first
file, and keeps only the files that pass the same test. A reused file is emptied as it is
handed out; the stash's files are emptied before it is parked too when a job of the run
held secrets or masked values (its scripts may hold them). Without any, a script holds
nothing the run's saved plan, event and logs do not (~8 ms less at the end of a run of
100 steps here).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from pathlib import Path

from qmoi.execute.shelf import Shelf, discard
from qmoi.execute.treecopy import UMASK

# More than a burst of jobs frees at once is never needed; the rest are deleted. A worker
# process's first burst comes from the stash a run left: ~30 jobs of ~7 files each in a
# 256-leg matrix here (128 left ~40 % of the next run's files to be created).
_LIMIT = 256
_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
_REUSED = os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW
PREFIX = "spare-files-"
# Stashes in the cache: one per worker process of a run or two
_STASHES = 32


class SpareFiles:
    """A stash folder (created when first needed) holding spare files, thread-safe."""

    def __init__(self, folder: Path, limit: int = _LIMIT, cache: Path | None = None) -> None:
        """``folder`` is named ``PREFIX…`` when there is a ``cache``."""
        self.folder, self._limit, self._cache = folder, limit, cache
        self._tried = cache is None  # whether a stash was looked for in the cache
        self._files: list[str] = []
        self._made = False
        self._count = 0
        self._sensitive = False  # whether a job that gave files back held secrets
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    def keep(self, entry: os.DirEntry[str]) -> bool:
        """Move ``entry`` into the stash if it can be reused; False when the caller is to
        delete it instead."""
        if not entry.is_file(follow_symlinks=False):
            return False
        try:
            if not _reusable(entry.path, entry.stat(follow_symlinks=False)):
                return False
            name = self._slot()
            if name is None:
                return False
            os.rename(entry.path, name)
        except OSError:
            return False
        with self._lock:
            self._files.append(name)
        return True

    def _slot(self) -> str | None:
        with self._lock:
            if len(self._files) >= self._limit:
                return None
            self._count += 1
            name = str(self.folder / f"f{self._count}")
            made, self._made = self._made, True
        if not made:
            self.folder.mkdir(parents=True, exist_ok=True)
        return name

    def create(self, path: str, mode: int = 0o666) -> int:
        """A descriptor open for writing on a new, empty file at ``path`` with mode
        ``mode`` less the umask, as ``open(path, O_CREAT | O_TRUNC)`` would make it."""
        while True:
            with self._lock:
                spare = self._files.pop() if self._files else None
            if spare is None and self._take():
                continue
            if spare is None:
                return os.open(path, _NEW, mode)
            try:
                os.rename(spare, path)
            except OSError:
                continue  # gone from the stash: try the next one
            fd = os.open(path, _REUSED)
            try:
                os.fchmod(fd, mode & ~UMASK)
            except OSError:
                os.close(fd)
                raise
            return fd

    def _take(self) -> bool:
        """Make the stash one an earlier run left, once, if this one has none yet; whether
        it holds any files now."""
        with self._lock:
            if self._tried or self._made or self._cache is None:
                return False
            self._tried = self._made = True  # files are kept in the stash taken, if any
        with contextlib.suppress(OSError):  # the run's folder (its checkout made it already)
            self.folder.parent.mkdir(parents=True, exist_ok=True)
        taken = Shelf(self._cache, PREFIX).take(lambda _: self.folder)
        if taken is not None and not _ours(taken):
            discard(taken)  # a link (never followed) or not ours: a new stash
            taken = None
        if taken is None:
            with contextlib.suppress(OSError):
                self.folder.mkdir(exist_ok=True)
            return False
        files, count = _usable(self.folder)
        with self._lock:
            self._files.extend(files)
            self._count = max(self._count, count)
            return bool(self._files)

    def held_secrets(self) -> None:
        """A job with secrets or masked values is giving its files back."""
        self._sensitive = True

    def park(self) -> None:
        """Leave the stash in the cache, its files emptied if a job held secrets (the run
        is ending: no job takes or gives files any more)."""
        with self._lock:
            files, self._files = self._files, []
        for name in files if self._sensitive else ():
            try:
                os.close(os.open(name, _REUSED | os.O_NONBLOCK))
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(name)
        if files and self._cache is not None:
            Shelf(self._cache, PREFIX).put([self.folder], _STASHES)


def _reusable(path: str, info: os.stat_result) -> bool:
    """Whether no other name or job can reach the file (``info`` is its lstat)."""
    return (stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == os.geteuid()
            and not os.listxattr(path, follow_symlinks=False))


def _ours(folder: Path) -> bool:
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()


def _usable(folder: Path) -> tuple[list[str], int]:
    """The files of a stash taken from the cache that may be reused (the rest are deleted)
    and the highest number among their names (``f<n>``)."""
    files: list[str] = []
    count = 0
    with os.scandir(folder) as entries:
        found = list(entries)
    for entry in found:
        try:
            number = int(entry.name[1:]) if entry.name.startswith("f") else -1
            if number > 0 and _reusable(entry.path, entry.stat(follow_symlinks=False)):
                files.append(entry.path)
                count = max(count, number)
                continue
            _delete(entry)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                _delete(entry)
    return files, count


def _delete(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=True)
    else:
        os.unlink(entry.path)


def new_file(spares: SpareFiles | None, path: str, mode: int = 0o666) -> int:
    """``spares.create``, or a plain ``open`` creating the file when there is no stash."""
    if spares is None:
        return os.open(path, _NEW, mode)
    return spares.create(path, mode)


def write_file(spares: SpareFiles | None, path: str, data: bytes, mode: int = 0o666) -> None:
    """A new file at ``path`` holding ``data``: open, write, close (a text file object also
    made an fstat, an ioctl and two lseeks)."""
    fd = new_file(spares, path, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
