"""The repository on a runner node: fetched with git from the coordinator's repository path
or a configured remote URL, never copied from the coordinator's folder.

Per node and source there is one bare mirror holding the objects; each Ray worker process
gets its own tiny bare repository borrowing those objects (``objects/info/alternates``), so
``git worktree add`` calls of different processes never share one ``worktrees/`` folder
(concurrent adds race on it). Fetched commits are kept under ``refs/qmoi/`` so
``git gc`` leaves them alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from qmoi.errors import QmoiError


class FetchError(QmoiError):
    """The job's commit could not be fetched onto this node."""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between the processes of this machine (nodes may share it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _has_commit(repository: Path, sha: str) -> bool:
    return _git(repository, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0


def mirror_for(workdir: Path, source: str) -> Path:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    return workdir / "repos" / digest


def fetch_commit(workdir: Path, source: str, sha: str) -> Path:
    """The node's mirror of ``source``, holding ``sha`` (fetched when missing)."""
    mirror = mirror_for(workdir, source)
    with _locked(mirror.with_suffix(".lock")):
        if not (mirror / "HEAD").exists():
            mirror.mkdir(parents=True, exist_ok=True)
            _git(mirror, "init", "-q", "--bare")
        if not _has_commit(mirror, sha):
            _fetch(mirror, source, sha)
    return mirror


def _fetch(mirror: Path, source: str, sha: str) -> None:
    # By commit first (any commit of a local repository, and of servers that allow it);
    # else every branch and tag, which holds the commit if it was pushed anywhere.
    done = _git(mirror, "fetch", "-q", "--no-tags", source, sha)
    if done.returncode != 0:
        done = _git(mirror, "fetch", "-q", "--no-tags", source,
                    "+refs/heads/*:refs/qmoi/heads/*", "+refs/tags/*:refs/qmoi/tags/*")
    if not _has_commit(mirror, sha):
        detail = done.stderr.strip().splitlines()
        raise FetchError(f"cannot fetch commit {sha[:12]} from {source}"
                         + (f": {detail[-1]}" if detail else ""))
    _git(mirror, "update-ref", f"refs/qmoi/{sha}", sha)


def process_repository(mirror: Path) -> Path:
    """This process's repository borrowing the mirror's objects (made once)."""
    repository = mirror.with_name(f"{mirror.name}.w{os.getpid()}")
    if not (repository / "HEAD").exists():
        shutil.rmtree(repository, ignore_errors=True)  # a dead process with the same pid
        repository.mkdir(parents=True)
        _git(repository, "init", "-q", "--bare")
        alternates = repository / "objects" / "info" / "alternates"
        alternates.write_text(str((mirror / "objects").resolve()) + "\n", encoding="utf-8")
    return repository


def remove_dead_repositories(workdir: Path) -> None:
    """Drop the per-process repositories of processes that are gone."""
    for path in (workdir / "repos").glob("*.w*"):
        pid = path.suffix[2:]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
