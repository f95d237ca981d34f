"""Workspaces kept between runs, in a folder beside the runs (``<home>/workspaces``).

At the end of a run its workspaces (each made a fresh copy of the run's commit already) are
not deleted but parked here, up to a cap; a later run claims one instead of copying its
template and makes it a fresh copy of *its* commit in place (``treecopy.restore``, the
checks that renew a workspace within a run). Creating and deleting files is what a
workspace costs on the file systems measured here (see ``qmoi.execute.treecopy``), and a
256-leg matrix made and deleted ~200 of them per run.

A parked entry is one folder, ``ws-<id>``: the workspace's files, its ``.git`` file, and
its worktree record (``.git/worktrees/<id>``) moved inside it as ``.qmoi-record``, so git no
longer knows it (``git worktree list`` and ``prune`` never see the cache). Every step is a
rename, and an entry appears in the cache and leaves it by one rename:

* parking: the record into the workspace (git forgets the worktree), then the workspace
  into the cache. A crash in between leaves a plain folder in the run's folder.
* claiming: the entry into the claiming run's folder (``rename`` is atomic: of two runs
  claiming the same entry one gets ENOENT and tries the next), then the record and files
  are restored in place from the run's template, and the record renamed into git's
  worktrees last. An entry that is not whole (record or ``.git`` missing, not a folder)
  or cannot be restored exactly is deleted, never used.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qmoi.execute.shelf import Shelf, discard
from qmoi.execute.treecopy import NotRestorable, restore, rewrite

if TYPE_CHECKING:
    from qmoi.execute.checkout import Template

# Not copied from the template's record: ``gitdir`` names the template (each copy writes
# its own), ``locked`` is the template's, ``ORIG_HEAD`` is left by the reset inside
# ``git worktree add`` (a fresh clone has none) and ``logs/`` holds the reflog entry of
# that checkout (git starts the reflog with the job's first move of HEAD,
# https://git-scm.com/docs/git-config#Documentation/git-config.txt-corelogAllRefUpdates).
# Creating a file or folder is what a copy costs (0.3-0.6 ms of CPU each on the ext4 this
# was measured on): three fewer per job.
RECORD_SKIP = frozenset(("gitdir", "locked", "ORIG_HEAD", "logs"))
GITDIR = frozenset(("gitdir",))
TOP_SKIP = frozenset((".git",))

PREFIX = "ws-"
_RECORD = ".qmoi-record"
_PARKED_KEEP = frozenset((".git", _RECORD))
# What a record needs before it is worth restoring (a half-deleted one is discarded).
_RECORD_FILES = ("HEAD", "commondir", "gitdir", "index")
# More than one burst of jobs ever uses at once is never needed, and the files of parked
# workspaces stay on disk between runs: at most this many, and this many bytes of files.
LIMIT = 256
BUDGET = 512 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """How much the cache may hold of parked workspaces: entries, and bytes of their files."""

    entries: int = LIMIT
    bytes: int = BUDGET

    def room(self, size: int) -> int:
        """How many workspaces of ``size`` bytes of files the cache may hold."""
        return min(self.entries, self.bytes // max(size, 1))


class WorkspaceCache:
    """Parked workspaces as one pool of workspaces sees them; thread-safe."""

    def __init__(self, folder: Path, limits: Limits = Limits()) -> None:
        self.folder, self.limits = folder, limits
        self._shelf = Shelf(folder, PREFIX)

    def claim(self, source: Template, folder: Path) -> Path | None:
        """A parked workspace moved into ``folder`` and made a fresh copy of ``source`` with
        its record in git's worktrees; None when the cache has none left to give."""
        while (path := self._shelf.take(lambda name: folder / name)) is not None:
            if adopt(source, path):
                return path
            discard(path)
        return None

    def park(self, workspaces: list[tuple[Path, Path]], size: int) -> list[Path]:
        """Move fresh copies (workspace, its record), ``size`` bytes of files each, into the
        cache while it has room; the workspaces left (the caller deletes them)."""
        records = dict(workspaces)
        return self._shelf.put(list(records), self.limits.room(size),
                               lambda path, target: _park(path, records[path], target))


def _park(path: Path, admin: Path, target: Path) -> bool:
    """Park one workspace: its record inside it (git forgets it), then it into the cache."""
    record = path / _RECORD
    try:
        os.rename(admin, record)
    except OSError:
        return False  # another file system, or the job left a folder of that name
    try:
        os.rename(path, target)
    except OSError:
        return False
    return True


def adopt(source: Template, path: Path) -> bool:
    """Make a claimed entry at ``path`` what ``clone(source, path)`` would make: its record
    and files restored from the template's in place, the record then renamed into git's
    worktrees. False when it cannot (the caller deletes it)."""
    record = path / _RECORD
    admin = source.admin.parent / path.name
    try:
        if not _whole(path, record):
            return False
        # Everything but .git and the record is made the template's; a template with an
        # entry named like the record fails here (the name is taken) and is never cached.
        refresh(source, path, record, admin, _PARKED_KEEP)
    except (OSError, NotRestorable):
        return False
    return True


def refresh(source: Template, path: Path, record: Path, admin: Path,
            keep: frozenset[str]) -> None:
    """Make a workspace at ``path`` and its record, set aside at ``record`` (out of git's
    worktrees, which git reads whole), a fresh copy of ``source`` in place, the record then
    renamed to ``admin`` (which fails onto a record of that name: never two in one). Keeps
    ``keep`` at the workspace's top. Raises OSError or NotRestorable when it cannot."""
    restore(str(source.admin), str(record), RECORD_SKIP, GITDIR)
    rewrite(str(record / "gitdir"), f"{path / '.git'}\n")
    restore(str(source.path), str(path), TOP_SKIP, keep)
    rewrite(str(path / ".git"), f"gitdir: {admin}\n")
    os.rename(record, admin)


def _whole(path: Path, record: Path) -> bool:
    """Whether a claimed entry is as parking left it: folders (never a link to follow), a
    ``.git`` file, and a record with the files every worktree record has."""
    try:
        return (stat.S_ISDIR(_mode(path)) and stat.S_ISDIR(_mode(record))
                and stat.S_ISREG(_mode(path / ".git"))
                and all(stat.S_ISREG(_mode(record / name)) for name in _RECORD_FILES))
    except OSError:
        return False


def _mode(path: Path) -> int:
    return os.lstat(path).st_mode
