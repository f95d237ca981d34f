"""Spare files: the plain files of finished jobs' temp folders (environment files, step
scripts), kept aside when the folder is emptied and handed out again, renamed, emptied and
given the mode a new file would have, as the next job's new files.

Creating a file is by far the dearest thing a job's set-up does here (a new inode: 0.5-0.7 ms
of CPU on this machine's ext4, against ~30 us for a rename and ~10 us for an open that
truncates), and a job of one ``run:`` step creates six in its temp folder. Only a file no
other name or job can reach is kept: a regular file with one link, owned by us, with no
extended attributes (ACLs included); anything else is deleted as before. The job's
processes are gone before its temp folder is emptied (``ProcessGroups.kill_all``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from qmoi.execute.treecopy import UMASK

# More than a burst of jobs frees at once is never needed; the rest are deleted.
_LIMIT = 128
_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
_REUSED = os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW


class SpareFiles:
    """A stash folder (created when first needed) holding spare files, thread-safe."""

    def __init__(self, folder: Path, limit: int = _LIMIT) -> None:
        self.folder, self._limit = folder, limit
        self._files: list[str] = []
        self._made = False
        self._count = 0
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
            info = entry.stat(follow_symlinks=False)
            if info.st_nlink != 1 or info.st_uid != os.geteuid():
                return False
            if os.listxattr(entry.path, follow_symlinks=False):
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
