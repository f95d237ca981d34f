"""A job's folders on the host: the workspace holding the repository at the event's commit,
``RUNNER_TEMP`` and the shared ``RUNNER_TOOL_CACHE``.

The workspace is a detached ``git worktree`` of the commit: it shares the repository's
object store, so it costs one checkout of the files (no clone, no copy of history), and,
unlike ``git archive | tar``, steps that run ``git describe`` / ``git log`` / ``git diff``
work as they do after ``actions/checkout``. It is removed (and pruned from ``.git``) when
the job ends. The commit is the event's, never the uncommitted working tree, as on GitHub.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from qmoi.errors import QmoiError

# `git worktree add` updates shared files under .git/worktrees; one at a time per process.
_GIT_LOCK = threading.Lock()


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


def prepare(repository: Path, job_dir: Path, sha: str, tool_cache: Path) -> JobFolders:
    """Create the job's folders with the repository checked out at ``sha``."""
    folders = JobFolders(job_dir, job_dir / "workspace", job_dir / "temp", tool_cache,
                         repository)
    folders.temp.mkdir(parents=True, exist_ok=True)
    folders.file_commands.mkdir(exist_ok=True)
    tool_cache.mkdir(parents=True, exist_ok=True)
    with _GIT_LOCK:
        done = _git(repository, "worktree", "add", "--detach", "--force",
                    str(folders.workspace), sha)
    if done.returncode != 0:
        raise WorkspaceError(f"cannot check out commit {sha[:12]} into the job's workspace: "
                             f"{done.stderr.strip()}")
    return folders


def release(folders: JobFolders) -> None:
    """Remove the workspace and its worktree entry; the job's logs stay."""
    with _GIT_LOCK:
        done = _git(folders.repository, "worktree", "remove", "--force",
                    str(folders.workspace))
    if done.returncode != 0:
        shutil.rmtree(folders.workspace, ignore_errors=True)
        with _GIT_LOCK:
            _git(folders.repository, "worktree", "prune")
    shutil.rmtree(folders.temp, ignore_errors=True)
