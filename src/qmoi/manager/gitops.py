"""The git the manager does, with real git: snapshots of the working tree as commits,
committing fixes, and applying or reverting a patch.

Runs check out a commit (as on GitHub), never the working tree. When fixes or repairs are
in the working tree but not committed, the manager runs a *snapshot*: a commit object whose
parent is HEAD and whose tree is the working tree, built in a temporary index so neither
the user's branch nor their staging area changes. With ``--commit`` the fixes are
committed on the branch instead and HEAD itself is run.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from qmoi.errors import InputError

QMOI_IDENTITY = {"GIT_AUTHOR_NAME": "QMOI", "GIT_AUTHOR_EMAIL": "qmoi@localhost",
                 "GIT_COMMITTER_NAME": "QMOI", "GIT_COMMITTER_EMAIL": "qmoi@localhost"}


def git(root: Path, *args: str, env: Mapping[str, str] | None = None,
        stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              input=stdin, env={**os.environ, **(env or {})}, check=False)
    except OSError as error:
        raise InputError(f"cannot run git: {error}") from None
    if check and done.returncode != 0:
        raise InputError(f"git {' '.join(args)} failed: {done.stderr.strip()}",
                         location=str(root))
    return done


def out(root: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    return git(root, *args, env=env).stdout.strip()


def head(root: Path) -> str:
    found = git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    if found.returncode != 0:
        raise InputError("the repository has no commit yet; commit once first",
                         location=str(root))
    return found.stdout.strip()


def tree_of(root: Path, commit: str) -> str:
    return out(root, "rev-parse", f"{commit}^{{tree}}")


def worktree_tree(root: Path, exclude: Sequence[str] = ()) -> str:
    """The tree object of the working tree as it is now (tracked changes and untracked,
    not ignored files, minus ``exclude``), written through a temporary index."""
    git_dir = Path(out(root, "rev-parse", "--absolute-git-dir"))
    fd, index = tempfile.mkstemp(prefix="qmoi-index-", dir=git_dir)
    os.close(fd)
    try:
        env = {"GIT_INDEX_FILE": index}
        git(root, "read-tree", head(root), env=env)
        # git refuses an exclusion naming an ignored path, which git leaves out anyway.
        pathspec = [f":(exclude){path}" for path in exclude
                    if git(root, "check-ignore", "-q", "--", path, check=False).returncode]
        git(root, "add", "-A", "--", ".", *pathspec, env=env)
        return out(root, "write-tree", env=env)
    finally:
        os.unlink(index)


def snapshot(root: Path, exclude: Sequence[str] = ()) -> str:
    """HEAD when the working tree matches it, else a new commit (child of HEAD) holding
    the working tree as ``worktree_tree`` sees it."""
    base = head(root)
    tree = worktree_tree(root, exclude)
    if tree == tree_of(root, base):
        return base
    return out(root, "commit-tree", tree, "-p", base, "-m",
               "qmoi: snapshot of the working tree", env=QMOI_IDENTITY)


def changed_between(root: Path, before: str, after: str) -> list[str]:
    """Paths that differ between two trees or commits."""
    return out(root, "diff", "--name-only", "--no-renames", before, after).splitlines()


def _identity(root: Path) -> dict[str, str]:
    """The user's identity when git has one, else QMOI's (a fresh CI box has none)."""
    known = git(root, "config", "user.email", check=False).stdout.strip()
    return {} if known or "GIT_AUTHOR_EMAIL" in os.environ else QMOI_IDENTITY


def commit_paths(root: Path, paths: Sequence[str], message: str) -> str | None:
    """Commit exactly ``paths`` (other staged changes stay staged, uncommitted); the new
    HEAD, or None when they hold no change."""
    if not paths:
        return None
    git(root, "add", "-A", "--", *paths)
    staged = git(root, "diff", "--cached", "--quiet", "--", *paths, check=False)
    if staged.returncode == 0:
        return None
    git(root, "commit", "-q", "-m", message, "--only", "--", *paths, env=_identity(root))
    return head(root)


def changed_since(root: Path, commit: str) -> list[str]:
    """Paths whose working-tree content differs from ``commit`` (untracked ones too)."""
    tracked = out(root, "diff", "--name-only", "--no-renames", commit, "--").splitlines()
    untracked = out(root, "ls-files", "--others", "--exclude-standard").splitlines()
    return sorted({*tracked, *untracked} - {""})


def patch_paths(diff: str) -> list[str]:
    """The files a unified diff touches (new and deleted ones too)."""
    found: list[str] = []
    for line in diff.splitlines():
        for prefix in ("+++ ", "--- "):
            if line.startswith(prefix):
                name = line[len(prefix):].split("\t")[0].strip()
                if name != "/dev/null":
                    name = name[2:] if name[:2] in ("a/", "b/") else name
                    if name not in found:
                        found.append(name)
    return found


def apply_patch(root: Path, diff: str, *, reverse: bool = False) -> str | None:
    """Apply (or undo) a unified diff to the working tree; None on success, else why not.
    ``git apply`` checks the whole patch first, so a bad patch changes nothing."""
    args = ["apply", "--whitespace=nowarn", *(["-R"] if reverse else []), "-"]
    done = git(root, *args, stdin=diff if diff.endswith("\n") else diff + "\n", check=False)
    return None if done.returncode == 0 else done.stderr.strip() or "git apply failed"
