"""File locks for workspaces: one per template checkout, and one per repository around the
git commands that change ``.git/worktrees``."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path

# Concurrent `git worktree add`/`prune` race on .git/worktrees ("failed to read
# .git/worktrees/<x>/commondir"), so they run one at a time — also across processes (the
# runner pool's workers), hence a file lock beside the thread lock.
_GIT_LOCK = threading.Lock()


@contextlib.contextmanager
def flock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made when missing) for the block."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def git_lock(repository: Path) -> Iterator[None]:
    """One thread of one process at a time changes ``repository``'s worktree records."""
    with _GIT_LOCK, flock(_lock_path(repository)):
        yield


def _lock_path(repository: Path) -> Path:
    """The lock file beside the records it guards, in the repository's ``.git`` folder (git
    leaves files it does not know there alone); in the temp folder, named for the
    repository, when ``.git`` is a file (the repository is itself a linked worktree or a
    submodule). One file per repository for good: a lock file that is deleted can be
    locked by two processes at once (one holds the old inode)."""
    dot_git = repository / ".git"
    if dot_git.is_dir():
        return dot_git / "qmoi-worktree.lock"
    import hashlib
    import tempfile

    digest = hashlib.sha1(str(repository.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"qmoi-worktree-{digest}.lock"
