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
    """A commit as a push payload's ``commits`` entry describes it."""

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
    return repository_of(url) if url else None


def repository_of(url: str) -> str | None:
    """``owner/repo`` from a remote URL (https, ssh or scp-like)."""
    found = _REMOTE.search(url.strip())
    return f"{found.group(1)}/{found.group(2)}" if found else None


@dataclass(frozen=True, slots=True)
class Head:
    """What an event needs of the repository, read with four git processes instead of nine
    (each git costs a few milliseconds of a run's start): ``ref`` is None on a detached
    HEAD; ``parent`` the first parent or the zero SHA."""

    commit: Commit
    parent: str
    ref: str | None
    default_branch: str | None
    origin_url: str | None
    user_name: str | None
    # The files the commit changed against its first parent (every file of a root
    # commit), when asked for and git could tell in the same breath; else None.
    changed: tuple[str, ...] | None = None


_WHERE = ("rev-parse", "--is-inside-work-tree", "--git-common-dir", "--symbolic-full-name",
          "HEAD")
_SHOW = ("show", "-s", "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%B", "HEAD")
_CONFIG = ("config", "-z", "--get-regexp",
           r"^(user\.name|remote\.origin\.url|url\..*\.insteadof)$")
# A push's changed files (``changed_files(root, parent, HEAD)``), asked along the rest: the
# plumbing command is not swayed by log.* or diff.* settings, and it names the commit first,
# so an answer about another commit (HEAD moved in between) is told apart and dropped.
_CHANGED = ("diff-tree", "-r", "-z", "--name-only", "--no-renames", "--root", "HEAD")


class HeadQuery:
    """``read_head``'s three git questions (four with ``changes``), started at once: they
    run side by side, and beside whatever the caller does until it asks for ``result``
    (``qmoi run`` starts them before importing the workflow model and the executor)."""

    def __init__(self, root: Path, changes: bool = False) -> None:
        """``changes``: also ask which files HEAD changed (``Head.changed``), which a
        push event needs (a fourth process instead of one started after the others)."""
        self.root = root
        questions = (_WHERE, _SHOW, _CONFIG, _CHANGED) if changes else (_WHERE, _SHOW, _CONFIG)
        self._started = [_start(root, args) for args in questions]
        self._answers: list[str | None] | None = None

    def close(self) -> None:
        """Wait for the processes (a caller that stopped before asking reaps them)."""
        if self._answers is None:
            self._answers = [_finish(process) for process in self._started]

    def result(self) -> Head | None:
        """The answer of ``read_head`` (waits for the three processes)."""
        self.close()
        assert self._answers is not None
        where, text, config = self._answers[:3]
        lines = (where or "").split("\n")
        if len(lines) != 3 or lines[0] != "true" or not text:
            return None
        common = (self.root / lines[1]).resolve()
        ref = lines[2] if lines[2].startswith("refs/") else None
        full, parents, name, email, when, message = (text.split("\x00", 5) + [""] * 6)[:6]
        settings = _settings(config or "")
        origin, names = settings.get("remote.origin.url"), settings.get("user.name")
        return Head(Commit(full, message.rstrip("\n"), name, email, when),
                    parents.split(" ")[0] if parents else ZERO_SHA, ref,
                    _origin_head(self.root, common),
                    None if origin is None else rewrite_url(origin[0], settings),
                    names[-1] if names else None,  # git config: the last value wins
                    _changed(self._answers[3], full, parents)
                    if len(self._answers) > 3 else None)


def _changed(out: str | None, sha: str, parents: str) -> tuple[str, ...] | None:
    if out is None or " " in parents:
        return None  # git failed, or a merge (diff-tree compares it with no parent)
    names = out.split("\x00")
    if names[0] != sha:
        return None  # another commit, or no line at all (a commit that changes nothing)
    return tuple(name for name in names[1:] if name)


def _start(root: Path, args: tuple[str, ...]) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen(["git", *args], cwd=root, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                text=True)
    except OSError:
        return None


def _finish(process: subprocess.Popen[str] | None) -> str | None:
    """What ``git(..., check=False)`` returns for a started process."""
    if process is None:
        return None
    out, _ = process.communicate()
    return out.removesuffix("\n") if process.returncode == 0 else None


def read_head(root: Path) -> Head | None:
    """The repository's HEAD and what surrounds it; None when ``root`` is no repository
    or HEAD has no commit (the callers ask again, one question at a time, to word the
    error)."""
    return HeadQuery(root).result()


def _settings(out: str) -> dict[str, list[str]]:
    """``git config -z --get-regexp`` output: each key's values in order."""
    found: dict[str, list[str]] = {}
    for entry in out.split("\x00"):
        key, _, value = entry.partition("\n")
        if key:
            found.setdefault(key, []).append(value)
    return found


def rewrite_url(url: str, settings: dict[str, list[str]]) -> str:
    """``url`` after ``url.<base>.insteadOf`` as ``git remote get-url`` applies it: the
    longest matching prefix wins (https://git-scm.com/docs/git-config#Documentation/git-config.txt-urlltbasegtinsteadOf)."""
    best, base = "", ""
    for key, prefixes in settings.items():
        if not (key.startswith("url.") and key.endswith(".insteadof")):
            continue
        for prefix in prefixes:
            if url.startswith(prefix) and len(prefix) > len(best):
                best, base = prefix, key[len("url."):-len(".insteadof")]
    return base + url[len(best):] if best else url


def _origin_head(root: Path, common: Path) -> str | None:
    """The branch ``refs/remotes/origin/HEAD`` points at: its file in the files backend
    (symbolic refs are never packed); git itself for a reftable repository."""
    try:
        text = (common / "refs" / "remotes" / "origin" / "HEAD").read_text(encoding="utf-8")
    except OSError:
        return default_branch(root) if (common / "reftable").exists() else None
    target = text.strip().removeprefix("ref:").strip()
    return target.rsplit("/", 1)[-1] if text.startswith("ref:") and target else None


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
