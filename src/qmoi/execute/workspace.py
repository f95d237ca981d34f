"""A job's folders on the host: the workspace holding the repository at the event's commit,
``RUNNER_TEMP`` and the shared ``RUNNER_TOOL_CACHE``.

The workspace is a detached ``git worktree`` of the commit: it shares the repository's
object store, so it costs one checkout of the files (no clone, no copy of history), and,
unlike ``git archive | tar``, steps that run ``git describe`` / ``git log`` / ``git diff``
work as they do after ``actions/checkout``. It is removed (and pruned from ``.git``) when
the job ends. The commit is the event's, never the uncommitted working tree, as on GitHub.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from qmoi.errors import QmoiError

# Concurrent `git worktree add`/`remove` race on .git/worktrees ("failed to read
# .git/worktrees/<x>/commondir"), so they run one at a time — also across processes (the
# runner pool's workers), hence a file lock beside the thread lock.
_GIT_LOCK = threading.Lock()


@contextlib.contextmanager
def _git_lock(repository: Path) -> Iterator[None]:
    digest = hashlib.sha1(str(repository.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"qmoi-worktree-{digest}.lock"
    with _GIT_LOCK, path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class WorkspaceError(QmoiError):
    """The job's workspace could not be prepared."""


@dataclass(frozen=True, slots=True)
class JobFolders:
    root: Path  # the job's folder under the run
    workspace: Path
    temp: Path
    tool_cache: Path
    repository: Path

    @property
    def file_commands(self) -> Path:
        return self.temp / "_runner_file_commands"


def _git(repository: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repository, capture_output=True, text=True,
                          check=False)


def _add(repository: Path, path: Path, sha: str) -> Path:
    with _git_lock(repository):
        done = _git(repository, "worktree", "add", "--detach", "--force", str(path), sha)
    if done.returncode != 0:
        raise WorkspaceError(f"cannot check out commit {sha[:12]} into the job's workspace: "
                             f"{done.stderr.strip()}")
    return path


class WorkspacePool:
    """Worktrees of the run's commits, checked out ahead of need (``reserve``) on one
    background thread, and deleted on another after use (a plain delete; one
    ``git worktree prune`` at the end clears git's records), so a chain of short jobs does
    not pay a checkout and a removal per link."""

    def __init__(self, repository: Path, folder: Path) -> None:
        self.repository, self.folder = repository, folder
        self._adder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qmoi-worktree")
        self._remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qmoi-rmtree")
        self._spares: dict[str, list[Future[Path]]] = {}
        self._lock = threading.Lock()

    def _new(self, sha: str) -> Future[Path]:
        path = self.folder / f"ws-{uuid.uuid4().hex[:10]}"
        return self._adder.submit(_add, self.repository, path, sha)

    def reserve(self, sha: str, count: int) -> None:
        """Start checking out ``count`` workspaces of ``sha`` for jobs to come."""
        with self._lock:
            spares = self._spares.setdefault(sha, [])
            spares.extend(self._new(sha) for _ in range(max(0, count - len(spares))))

    def acquire(self, sha: str) -> Path:
        with self._lock:
            spares = self._spares.setdefault(sha, [])
            chosen = spares.pop(0) if spares else None
            if not spares:
                spares.append(self._new(sha))  # keep one ahead for the next job
        if chosen is None:
            return _add(self.repository, self.folder / f"ws-{uuid.uuid4().hex[:10]}", sha)
        return chosen.result()

    def release(self, path: Path) -> None:
        self._remover.submit(shutil.rmtree, path, True)

    def close(self) -> None:
        """Wait for the background work, delete the unused spares, prune git's records."""
        with self._lock:
            spares = [f for pending in self._spares.values() for f in pending]
            self._spares.clear()
        for future in spares:
            with contextlib.suppress(WorkspaceError):
                self.release(future.result())
        self._adder.shutdown(wait=True)
        self._remover.shutdown(wait=True)
        with _git_lock(self.repository):
            _git(self.repository, "worktree", "prune")


def prepare(pool: WorkspacePool, job_dir: Path, sha: str, tool_cache: Path) -> JobFolders:
    """Create the job's folders, with a workspace holding the repository at ``sha``."""
    workspace = pool.acquire(sha)
    folders = JobFolders(job_dir, workspace, job_dir / "temp", tool_cache, pool.repository)
    folders.file_commands.mkdir(parents=True, exist_ok=True)
    tool_cache.mkdir(parents=True, exist_ok=True)
    return folders


def release(pool: WorkspacePool, folders: JobFolders) -> None:
    """Give the workspace back for removal; the job's logs stay."""
    pool.release(folders.workspace)
    shutil.rmtree(folders.temp, ignore_errors=True)
