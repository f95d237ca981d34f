"""A folder beside the runs (``<home>/workspaces``) where a run leaves what the next run can
use instead of creating it again: workspaces (``qmoi.execute.workspace_cache``), emptied
job folders (``qmoi.execute.jobdirs``) and spare files (``qmoi.execute.spares``).

Each kind is named by a prefix. An entry comes and goes by one rename: a run takes one by
renaming it into its own folder (atomic: of two runs taking the same entry one gets ENOENT
and tries the next), and leaves one by renaming it in, under a lock that counts them first,
so concurrent runs never pass the cap together. What a taker finds it checks before use.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from qmoi.execute.locks import flock

FOLDER = "workspaces"


class Shelf:
    """The entries named ``prefix*`` of the cache folder, as one process sees them: listed
    once, in an order of its own (concurrent takers seldom try the same entry), taken one at
    a time; thread-safe."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix = folder, prefix
        self._names: list[str] | None = None  # not tried yet
        self._lock = threading.Lock()

    def _next(self) -> str | None:
        with self._lock:
            if self._names is None:
                self._names = self.names()
                random.shuffle(self._names)
            return self._names.pop() if self._names else None

    def names(self) -> list[str]:
        try:
            with os.scandir(self.folder) as found:
                return [entry.name for entry in found if entry.name.startswith(self.prefix)]
        except OSError:
            return []

    def take(self, dest: Callable[[str], Path]) -> Path | None:
        """The next entry no one else took, renamed to ``dest(name)``; None when none is
        left."""
        while (name := self._next()) is not None:
            path = dest(name)
            try:
                os.rename(self.folder / name, path)
            except OSError as error:
                if error.errno == errno.EXDEV:  # the cache is on another file system
                    with self._lock:
                        self._names = []
                continue  # another run took it first
            return path
        return None

    def put(self, paths: list[Path], limit: int,
            move: Callable[[Path, Path], bool] | None = None) -> list[Path]:
        """Move ``paths`` into the cache (``move(path, target)``, a rename by default)
        while fewer than ``limit`` entries of this kind are there; those not moved."""
        if not paths or limit <= 0:
            return list(paths)
        left: list[Path] = []
        try:
            # Not its parents: a run's home that is gone (a Ray node's run folder, deleted
            # before the run's last executor closed) is not made again.
            self.folder.mkdir(exist_ok=True)
            with flock(self.folder / ".lock"):
                room = limit - len(self.names())
                for path in paths:
                    if room > 0 and (move or _rename)(path, self.folder / path.name):
                        room -= 1
                    else:
                        left.append(path)
        except OSError:
            return [path for path in paths if os.path.lexists(path)]
        return left


def discard(path: Path) -> None:
    """Delete what was taken from the cache and is not to be used (a link itself, never
    what it names)."""
    if path.is_symlink():
        with contextlib.suppress(OSError):
            path.unlink()
        return
    shutil.rmtree(path, ignore_errors=True)


def _rename(path: Path, target: Path) -> bool:
    try:
        os.rename(path, target)
    except OSError:
        return False
    return True
