"""A job's folders on the host: the workspace holding the repository at the event's commit,
``RUNNER_TEMP`` and the shared ``RUNNER_TOOL_CACHE``.

Each workspace is a linked ``git worktree`` of the commit: it shares the repository's object
store (no clone, no copy of history), and, unlike ``git archive | tar``, steps that run
``git describe`` / ``git log`` / ``git diff`` work as they do after ``actions/checkout``.
The commit is the event's, never the uncommitted working tree, as on GitHub.

A run checks the commit out ONCE, into a template worktree (``git worktree add``, by
whichever process needs it first, under a file lock). Every job then gets a private copy of
the template's files (real copies, never hard links: a job may write anything) and a
worktree record of its own, written the way ``git worktree add`` writes it
(``.git/worktrees/<id>/{gitdir,commondir,HEAD,index}`` and a ``.git`` file pointing there,
https://git-scm.com/docs/gitrepository-layout#Documentation/gitrepository-layout.txt-worktrees)
and moved into place with one rename, so a concurrent git never sees half of one. That is
a copy of a few files per job instead of a serialised ``git worktree add``: jobs in
different worker processes prepare their workspaces in parallel, without a lock. The copied
index still describes the template's files (other inodes), so git re-reads a file once
before calling it unchanged. A job's workspace and record are deleted when it ends; the
run's template when the run ends (:func:`discard_run`). At the end of a run its workspaces
go to a cache beside the runs instead, for later runs (``qmoi.execute.workspace_cache``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from qmoi.errors import QmoiError
from qmoi.execute.checkout import (
    SMALL_TREE,
    Template,
    WorkspaceError,
    admin_of,
    git,
    template,
)
from qmoi.execute.jobdirs import FILE_COMMANDS, TEMP, JobDirs
from qmoi.execute.locks import git_lock
from qmoi.execute.shelf import FOLDER
from qmoi.execute.spares import PREFIX as SPARES
from qmoi.execute.spares import SpareFiles
from qmoi.execute.treecopy import (
    NotRestorable,
    copy_tree,
    write_new,
)
from qmoi.execute.workspace_cache import (
    PREFIX,
    RECORD_SKIP,
    TOP_SKIP,
    WorkspaceCache,
    refresh,
)
from qmoi.workers import Task, Workers


@dataclass(frozen=True, slots=True)
class JobFolders:
    """A job's folders on the host: its workspace, ``RUNNER_TEMP`` and the shared tool cache."""

    root: Path  # the job's folder under the run
    workspace: Path
    temp: Path
    tool_cache: Path
    repository: Path
    # Where the job's new temp files come from (``qmoi.execute.spares``)
    spares: SpareFiles | None = None

    @property
    def file_commands(self) -> Path:
        return self.temp / FILE_COMMANDS


def _copy_files(source: Template, dest: Path) -> None:
    if source.entries <= SMALL_TREE:
        copy_tree(str(source.path), str(dest), TOP_SKIP)
        return
    dest.mkdir(parents=True)
    names = [entry.name for entry in os.scandir(source.path) if entry.name != ".git"]
    if not names:
        return
    # --reflink=auto: a copy-on-write clone where the filesystem can (btrfs, xfs), else a
    # plain copy; -a keeps modes, symlinks and times.
    done = subprocess.run(["cp", "-a", "--reflink=auto", "--", *names, str(dest)],
                          cwd=source.path, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise WorkspaceError(f"cannot copy the checkout into the job's workspace: "
                             f"{done.stderr.strip()}")


def clone(source: Template, path: Path) -> Path:
    """A private workspace at ``path``: the template's files and a worktree record of its
    own (a copy of the template's without its ``gitdir``, which names the new ``.git``)."""
    try:
        _copy_files(source, path)
        worktrees = source.admin.parent
        # Staged beside worktrees/ (git reads every entry inside it), then renamed in.
        staging = worktrees.parent / f".qmoi-new-{path.name}"
        copy_tree(str(source.admin), str(staging), RECORD_SKIP)
        write_new(str(staging / "gitdir"), f"{path / '.git'}\n")
        admin = worktrees / path.name
        os.rename(staging, admin)
        write_new(str(path / ".git"), f"gitdir: {admin}\n")
    except OSError as error:
        raise WorkspaceError(f"cannot prepare the job's workspace: {error}") from None
    return path


def reset(source: Template, path: Path, admin: Path) -> bool:
    """Make a finished job's workspace and record what :func:`clone` would make now, in
    place (no file or folder created unless the job deleted it); False when it could not,
    and then the caller deletes them."""
    staging = admin.parent.parent / f".qmoi-new-{path.name}"
    try:
        # Out of worktrees/ while it is rewritten: git reads every record in there.
        os.rename(admin, staging)
    except OSError:
        return False
    try:
        refresh(source, path, staging, admin, TOP_SKIP)
    except (OSError, NotRestorable):
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def remove(path: Path, admin: Path | None) -> None:
    """Delete a workspace and its worktree record (renamed out of worktrees/ first, so git
    never reads a half-deleted record)."""
    if admin is not None:
        dead = admin.parent.parent / f".qmoi-old-{admin.name}"
        with contextlib.suppress(OSError):
            os.rename(admin, dead)
            shutil.rmtree(dead, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)


class WorkspacePool:
    """Workspaces of the run's commits: copies of the run's template, made ahead of need
    (``reserve``) on a background thread; after use each is made a fresh copy again in
    place (:func:`reset`) on another, for the next job of the same commit, or deleted.
    With a ``cache`` folder (:func:`cache_folder`), workspaces parked there by earlier runs
    are claimed before the template is copied, and this pool's go there when it closes."""

    def __init__(self, repository: Path, folder: Path, cache: Path | None = None) -> None:
        self.repository, self.folder = repository, folder
        self._cache = None if cache is None else WorkspaceCache(cache)
        self._adder = Workers(1, "qmoi-workspace")
        self._remover = Workers(1, "qmoi-rmtree")
        self._spares: dict[str, list[Task[Path]]] = {}
        self._reset: dict[str, list[Path]] = {}  # used ones made fresh again, by commit
        self._made: dict[Path, tuple[str, Template]] = {}
        # Released but not renewed yet (workspace: its commit). Under a burst the one
        # removal thread falls behind: a job then renews one itself rather than copy a new
        # workspace now and have the old one deleted at the end (twice the files).
        self._dirty: dict[Path, str] = {}
        # The plain files of emptied job folders; a stash of its own for each process
        # (the pool's worker processes share the run's folder)
        self.spares = SpareFiles(folder / f"{SPARES}{os.urandom(6).hex()}", cache=cache)
        self.jobs = JobDirs(folder, self._remover, self.spares, cache)
        self._closing = False
        self._lock = threading.Lock()

    def _make(self, sha: str) -> Path:
        source = template(self.repository, self.folder, sha)
        path = None
        if self._cache is not None and source.entries <= SMALL_TREE:
            path = self._cache.claim(source, self.folder)
        if path is None:
            path = clone(source, self.folder / f"{PREFIX}{os.urandom(6).hex()}")
        with self._lock:
            self._made[path] = (sha, source)
        return path

    def reserve(self, sha: str, count: int) -> None:
        """Start preparing ``count`` workspaces of ``sha`` for jobs to come."""
        with self._lock:
            spares = self._spares.setdefault(sha, [])
            spares.extend(self._adder.submit(self._make, sha)
                          for _ in range(max(0, count - len(spares))))

    def acquire(self, sha: str) -> Path:
        while True:
            with self._lock:
                ready = self._reset.get(sha)
                if ready:
                    return ready.pop()
                dirty = next((p for p, s in self._dirty.items() if s == sha), None)
                if dirty is not None:
                    del self._dirty[dirty]
                spares = self._spares.get(sha) if dirty is None else None
                chosen = spares.pop(0) if spares else None
            if dirty is None:
                return self._make(sha) if chosen is None else chosen.result()
            if self._renew(dirty):
                return dirty

    def release(self, path: Path) -> None:
        with self._lock:
            self._dirty[path] = self._made.get(path, ("", None))[0]
        self._remover.submit(self._recycle, path)

    def _recycle(self, path: Path) -> None:
        with self._lock:
            if self._dirty.pop(path, None) is None:
                return  # a job renewed it already
        if self._renew(path):
            with self._lock:
                if self._keeps():
                    self._reset.setdefault(self._made[path][0], []).append(path)
                    return
            self._renew(path, keep=False)

    def _keeps(self) -> bool:
        """Whether a workspace made fresh again is kept: for the run's next job, or, once
        the run is ending, for the cache (under the lock)."""
        return not self._closing or self._cache is not None

    def _renew(self, path: Path, keep: bool = True) -> bool:
        """Make a released workspace a fresh copy again in place, or delete it (when
        ``keep`` is False, the run is ending, or it cannot be reset); whether it was kept."""
        with self._lock:
            source = self._made.get(path, ("", None))[1]
            keep = keep and self._keeps()
        admin = None if source is None else source.admin.parent / path.name
        if (keep and source is not None and admin is not None
                and source.entries <= SMALL_TREE and reset(source, path, admin)):
            return True
        with self._lock:
            self._made.pop(path, None)
        remove(path, admin)
        return False

    def close(self) -> None:
        """Wait for the background work, then leave the workspaces made fresh again, the
        emptied job folders and the spare files in the cache while it has room (with no
        cache, or no room, they are deleted)."""
        with self._lock:
            self._closing = self.jobs.closing = True
            spares = [f for pending in self._spares.values() for f in pending]
            self._spares.clear()
        for future in spares:
            with contextlib.suppress(WorkspaceError):
                self.release(future.result())
        self._adder.shutdown(wait=True)
        self._remover.shutdown(wait=True)
        with self._lock:
            fresh, self._reset = self._reset, {}
            made = dict(self._made)
        for paths in fresh.values():
            pairs = [(path, made[path][1].admin.parent / path.name) for path in paths]
            if self._cache is not None and paths:
                left = set(self._cache.park(pairs, made[paths[0]][1].size))
                pairs = [pair for pair in pairs if pair[0] in left]
            for path, admin in pairs:
                remove(path, admin)
        self.jobs.clear()
        self.spares.park()
        # Records of workspaces deleted without this pool (a crashed job's) are pruned by
        # discard_run at the end of the run.


def workspaces_folder(run_dir: Path) -> Path:
    return run_dir / FOLDER


def cache_folder(run_dir: Path) -> Path:
    """Where runs beside ``run_dir`` (``<home>/runs/<id>``) keep workspaces for each other:
    ``<home>/workspaces``, as the tool cache is ``<home>/toolcache``."""
    return run_dir.parent.parent / FOLDER


def prepare_template(repository: Path, run_dir: Path, sha: str) -> None:
    """Check the run's commit out ahead of its first job (errors are the jobs' to report)."""
    with contextlib.suppress(QmoiError, OSError):
        template(repository, workspaces_folder(run_dir), sha)


def check_out_early(repository: Path, run_dir: Path, sha: str) -> threading.Thread:
    """Start checking the run's commit out (the template every job's workspace copies) on
    a thread: ``git worktree add`` runs on another core while the caller goes on, and the
    first job finds it done. Join the thread before the run's folders go."""
    thread = threading.Thread(target=prepare_template, name="qmoi-checkout", daemon=True,
                              args=(repository, run_dir, sha))
    thread.start()
    return thread


def discard_run(repository: Path, run_dir: Path) -> None:
    """At the end of a run: delete its template checkouts and whatever workspaces are left,
    and let git forget their records."""
    folder = workspaces_folder(run_dir)
    if not folder.is_dir():
        return
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and (Path(entry.path) / ".git").is_file():
            try:
                admin: Path | None = admin_of(Path(entry.path))
            except (OSError, WorkspaceError):
                admin = None
            remove(Path(entry.path), admin)  # the template, a spare: record and files
    shutil.rmtree(folder, ignore_errors=True)
    if _stale_records(repository):
        with git_lock(repository):
            git(repository, "worktree", "prune")


def _stale_records(repository: Path) -> bool:
    """Whether ``git worktree prune`` has anything to do: a worktree record whose working
    tree is gone (this run's template, a crashed job's or run's workspace). Each job's own
    record was removed with its workspace, so most runs skip the git process."""
    dot_git = repository / ".git"
    if not dot_git.is_dir():
        return True  # a repository whose .git is a file: let git look
    try:
        records = list(os.scandir(dot_git / "worktrees"))
    except OSError:
        return False
    for record in records:
        try:
            target = (Path(record.path) / "gitdir").read_text(encoding="utf-8").strip()
        except OSError:
            return True
        if not os.path.exists(target):
            return True
    return False


def prepare(pool: WorkspacePool, job_dir: Path, sha: str, tool_cache: Path) -> JobFolders:
    """Create the job's folders, with a workspace holding the repository at ``sha``."""
    workspace = pool.acquire(sha)
    folders = JobFolders(job_dir, workspace, job_dir / TEMP, tool_cache, pool.repository,
                         pool.spares)
    job_dir.parent.mkdir(parents=True, exist_ok=True)
    pool.jobs.place(job_dir)
    tool_cache.mkdir(parents=True, exist_ok=True)
    return folders


def release(pool: WorkspacePool, folders: JobFolders) -> None:
    """Give the workspace and the job's folder back for reuse or removal, off the job's
    thread (the next job of a chain waits for this one's end); the job's logs stay."""
    pool.release(folders.workspace)
    pool.jobs.discard(folders.root)
