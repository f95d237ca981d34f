"""A job's own folder (``RUNNER_WORKSPACE``: its ``event.json`` and ``temp``, which is
``RUNNER_TEMP`` with ``_runner_file_commands``): a finished job's is emptied on the removal
thread and kept, to be moved into place for the next job of the process with one rename.

GitHub's runner too empties one temp folder between jobs: "This directory is emptied at the
beginning and end of each job"
(https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables).
Making a folder costs 0.3-0.6 ms of CPU here, and a job's set-up made three (its folder, its
temp folder, the file commands folder); the plain files inside go to the spare files
(``qmoi.execute.spares``) and come back as the next job's ``event.json``, environment files
and scripts. A folder whose mode or attributes the job changed, or that cannot be emptied,
is deleted instead. At the end of a run the emptied folders go to the cache beside the runs
(``qmoi.execute.shelf``) for the next run's jobs, checked again when taken.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from pathlib import Path

from qmoi.execute.shelf import Shelf, discard
from qmoi.execute.spares import SpareFiles
from qmoi.execute.treecopy import UMASK, NotRestorable, empty
from qmoi.workers import Workers

TEMP = "temp"
FILE_COMMANDS = "_runner_file_commands"
# In RUNNER_TEMP, made for containers: their /github/home and /github/workflow (the event)
GITHUB_HOME = "_github_home"
GITHUB_WORKFLOW = "_github_workflow"
_MODE = 0o777 & ~UMASK  # a new folder's
_PREFIX = "job-"
# At most as many as one burst of jobs uses at once.
_LIMIT = 256


class JobDirs:
    """Emptied job folders kept under ``folder``; thread-safe."""

    def __init__(self, folder: Path, remover: Workers, spares: SpareFiles,
                 cache: Path | None = None) -> None:
        self.folder, self._remover, self._spares = folder, remover, spares
        self._shelf = None if cache is None else Shelf(cache, _PREFIX)
        self._kept: list[Path] = []  # emptied, ready
        self._dirty: list[Path] = []  # released, waiting to be emptied
        self.closing = False
        self._lock = threading.Lock()

    def discard(self, job_dir: Path) -> None:
        """Empty a finished job's folder on the removal thread and keep it."""
        with self._lock:
            self._dirty.append(job_dir)
        self._remover.submit(self._keep, job_dir)

    def _keep(self, job_dir: Path) -> None:
        with self._lock:
            if job_dir not in self._dirty:
                return  # a job emptied it already
            self._dirty.remove(job_dir)
        kept = self.folder / f"{_PREFIX}{os.urandom(6).hex()}"
        if self._emptied(job_dir, kept):
            with self._lock:
                self._kept.append(kept)

    def _emptied(self, job_dir: Path, dest: Path) -> bool:
        """Empty a finished job's folder and move it to ``dest``; False when it was deleted
        instead (the run is ending, or the job changed it beyond emptying)."""
        try:
            if self.closing and self._shelf is None:
                raise NotRestorable(str(job_dir))
            temp = job_dir / TEMP
            commands = temp / FILE_COMMANDS
            for folder, keep in ((job_dir, TEMP), (temp, FILE_COMMANDS), (commands, "")):
                if (folder.is_symlink() or not folder.is_dir()
                        or os.listxattr(folder, follow_symlinks=False)):
                    raise NotRestorable(str(folder))
                empty(folder, keep, self._spares)
                if os.lstat(folder).st_mode & 0o7777 != _MODE:
                    raise NotRestorable(str(folder))  # a job changed its mode: a new one
            os.rename(job_dir, dest)
        except (OSError, NotRestorable):
            shutil.rmtree(job_dir, ignore_errors=True)
            return False
        return True

    def place(self, job_dir: Path) -> None:
        """Make the job's folder at ``job_dir`` (its parent exists): an emptied one kept
        from an earlier job moved there, else one that waits to be emptied (emptied now),
        else one an earlier run left in the cache, else a new one."""
        with self._lock:
            kept = self._kept.pop() if self._kept else None
            dirty = self._dirty.pop() if kept is None and self._dirty else None
        if dirty is not None and self._emptied(dirty, job_dir):
            return
        if kept is not None:
            with contextlib.suppress(OSError):
                os.rename(kept, job_dir)  # fails onto a non-empty folder: a new one then
                return
            shutil.rmtree(kept, ignore_errors=True)
        if (self._shelf is not None and not os.path.lexists(job_dir)  # a lost attempt's
                and self._take(self._shelf, job_dir)):
            return
        (job_dir / TEMP / FILE_COMMANDS).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _take(shelf: Shelf, job_dir: Path) -> bool:
        """Move a folder an earlier run left into place at ``job_dir``, if one is as a new
        one would be (anything else there is deleted)."""
        while shelf.take(lambda _: job_dir) is not None:
            if _as_new(job_dir):
                return True
            discard(job_dir)
        return False

    def clear(self) -> None:
        """Leave the kept folders in the cache, or delete them (the run is ending; the
        removal thread has stopped)."""
        with self._lock:
            kept, self._kept = self._kept, []
        if self._shelf is not None:
            kept = self._shelf.put(kept, _LIMIT)
        for folder in kept:
            shutil.rmtree(folder, ignore_errors=True)


def _as_new(job_dir: Path) -> bool:
    """Whether a job folder taken from the cache is what :meth:`JobDirs.place` makes: three
    folders of ours, one in the other, with a new folder's mode, nothing else."""
    commands = job_dir / TEMP / FILE_COMMANDS
    try:
        for folder, inside in ((job_dir, [TEMP]), (job_dir / TEMP, [FILE_COMMANDS]),
                               (commands, [])):
            info = os.lstat(folder)
            if (not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o7777 != _MODE
                    or info.st_uid != os.geteuid()
                    or os.listxattr(folder, follow_symlinks=False)
                    or os.listdir(folder) != inside):
                return False
    except OSError:
        return False
    return True
