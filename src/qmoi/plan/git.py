"""The few facts about a repository the planner reads from ``git`` (real subprocesses)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from qmoi.errors import InputError

ZERO_SHA = "0" * 40
_REMOTE = re.compile(r"(?:[:/])([^/:]+)/([^/]+?)(?:\.git)?/?$")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    message: str
    author_name: str
    author_email: str
    timestamp: str  # ISO 8601, as in GitHub's push payload


def git(root: Path, *args: str, check: bool = True) -> str | None:
    """``git args`` in ``root``: its stdout without the final newline, or None when it fails
    and ``check`` is False."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False)
    except OSError as error:
        raise InputError(f"cannot run git: {error}") from None
    if done.returncode != 0:
        if check:
            raise InputError(f"git {' '.join(args)} failed: {done.stderr.strip()}",
                             location=str(root))
        return None
    return done.stdout.removesuffix("\n")


def is_repository(root: Path) -> bool:
    return git(root, "rev-parse", "--is-inside-work-tree", check=False) == "true"


def head_sha(root: Path) -> str | None:
    return git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)


def current_ref(root: Path) -> str | None:
    """``refs/heads/<branch>`` of the checked-out branch, None on a detached HEAD."""
    return git(root, "symbolic-ref", "-q", "HEAD", check=False)


def parent_sha(root: Path, sha: str) -> str:
    """The first parent, or the zero SHA for a root commit (as GitHub's ``before``)."""
    return git(root, "rev-parse", "--verify", "-q", f"{sha}^", check=False) or ZERO_SHA


def remote_repository(root: Path) -> str | None:
    """``owner/repo`` from the ``origin`` remote's URL (https, ssh or scp-like)."""
    url = git(root, "remote", "get-url", "origin", check=False)
    if not url:
        return None
    found = _REMOTE.search(url.strip())
    return f"{found.group(1)}/{found.group(2)}" if found else None


def commit(root: Path, sha: str) -> Commit:
    text = git(root, "show", "-s", "--format=%H%x00%an%x00%ae%x00%aI%x00%B", sha) or ""
    full, name, email, when, message = (text.split("\x00", 4) + [""] * 5)[:5]
    return Commit(full, message.rstrip("\n"), name, email, when)


def changed_files(root: Path, before: str, after: str) -> list[str] | None:
    """Files changed between two commits (GitHub's two-dot diff for a push), or every file
    of ``after`` when ``before`` is the zero SHA; None when git cannot tell."""
    if before == ZERO_SHA:
        out = git(root, "ls-tree", "-r", "--name-only", "-z", after, check=False)
    else:
        out = git(root, "diff", "--name-only", "--no-renames", "-z", before, after,
                  check=False)
    if out is None:
        return None
    return [name for name in out.split("\x00") if name]


def working_tree_changes(root: Path) -> list[str]:
    """Paths that differ from HEAD in the working tree (staged, unstaged or untracked)."""
    out = git(root, "status", "--porcelain", "-z", "--untracked-files=all", check=False) or ""
    names: list[str] = []
    entries = out.split("\x00")
    i = 0
    while i < len(entries):
        entry = entries[i]
        if len(entry) > 3:
            names.append(entry[3:])
            if entry[0] in "RC":
                i += 1  # the rename's source path follows
        i += 1
    return names


def default_branch(root: Path) -> str | None:
    """The origin's default branch when git knows it (``origin/HEAD``)."""
    ref = git(root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False)
    return ref.rsplit("/", 1)[-1] if ref else None
