"""The action cache: remote actions fetched with git by ``qmoi actions pull owner/repo@ref``
into ``~/.cache/qmoi/actions/<owner>/<repo>/<ref>`` (``$QMOI_ACTION_CACHE`` overrides the
folder), so a run finds them offline. A pulled action keeps its files and a
``.qmoi-action.json`` record of where it came from (URL, ref, commit, time); no history.

The URL comes from ``$QMOI_ACTIONS_URL_TEMPLATE`` (``{owner}`` and ``{repo}`` are filled
in), default GitHub's; tests point it at local bare repositories.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from qmoi.errors import QmoiError, UsageError

DEFAULT_URL_TEMPLATE = "https://github.com/{owner}/{repo}.git"
RECORD = ".qmoi-action.json"
# GitHub owner and repository names: letters, digits, '-', '_' and '.'.
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class ActionCacheError(QmoiError):
    """An action could not be fetched into the cache."""


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A remote action as ``uses:`` names it: ``owner/repo@ref``."""

    owner: str
    repo: str
    ref: str

    @property
    def display(self) -> str:
        return f"{self.owner}/{self.repo}@{self.ref}"


@dataclass(frozen=True, slots=True)
class CachedAction:
    """An action pulled into the cache, with the record of where and when it came from."""

    spec: ActionSpec
    path: Path
    sha: str
    url: str
    pulled_at: float


def parse_spec(text: str) -> ActionSpec:
    """``owner/repo@ref`` (a ``/path`` after the repository is allowed and ignored: the
    whole repository is fetched)."""
    name, at, ref = text.strip().partition("@")
    parts = name.split("/")
    if not at or not ref or len(parts) < 2 or not all(_valid(p) for p in parts[:2]):
        raise UsageError(f"expected owner/repo@ref, got {text!r}")
    if ref.startswith("-") or ".." in ref.split("/"):
        raise UsageError(f"{ref!r} is not a usable git ref")
    return ActionSpec(parts[0], parts[1], ref)


def _valid(part: str) -> bool:
    return bool(_NAME.fullmatch(part)) and part not in (".", "..")


def cache_root() -> Path:
    override = os.environ.get("QMOI_ACTION_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qmoi" / "actions"


def action_dir(spec: ActionSpec, root: Path | None = None) -> Path:
    """Owner and repository fold case (GitHub's do); a ref's ``/`` is escaped so
    ``releases/v1`` stays one folder."""
    base = root if root is not None else cache_root()
    return base / spec.owner.lower() / spec.repo.lower() / quote(spec.ref, safe="")


def url_for(spec: ActionSpec) -> str:
    template = os.environ.get("QMOI_ACTIONS_URL_TEMPLATE") or DEFAULT_URL_TEMPLATE
    return template.format(owner=spec.owner, repo=spec.repo)


def find(spec: ActionSpec, root: Path | None = None) -> CachedAction | None:
    return _read_record(action_dir(spec, root))


def _read_record(folder: Path) -> CachedAction | None:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        spec = ActionSpec(str(data["owner"]), str(data["repo"]), str(data["ref"]))
        return CachedAction(spec, folder, str(data["sha"]), str(data["url"]),
                            float(data["pulled_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def list_cached(root: Path | None = None) -> list[CachedAction]:
    base = root if root is not None else cache_root()
    found = []
    for folder in sorted(base.glob("*/*/*")):
        if folder.is_dir() and not folder.name.startswith(".tmp-"):
            record = _read_record(folder)
            if record is not None:
                found.append(record)
    return found


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, env=env)


def _fetch(folder: Path, url: str, ref: str) -> str:
    """Fetch ``ref`` (branch, tag or commit) into ``folder``; its commit."""
    if _git(["fetch", "-q", "--depth", "1", url, ref], folder).returncode == 0:
        return _git(["rev-parse", "FETCH_HEAD"], folder).stdout.strip()
    # A commit the server will not hand out by name, or an abbreviated sha: fetch it all.
    done = _git(["fetch", "-q", url, "+refs/heads/*:refs/remotes/origin/*",
                 "+refs/tags/*:refs/tags/*"], folder)
    if done.returncode != 0:
        raise ActionCacheError(f"cannot fetch {url}: {done.stderr.strip()}")
    for candidate in (ref, f"origin/{ref}"):
        found = _git(["rev-parse", "--verify", "-q", f"{candidate}^{{commit}}"], folder)
        if found.returncode == 0:
            return found.stdout.strip()
    raise ActionCacheError(f"{url} has no branch, tag or commit named {ref!r}")


def pull(spec: ActionSpec, root: Path | None = None) -> CachedAction:
    """Fetch ``spec`` with git and put its files in the cache (replacing an older copy)."""
    dest = action_dir(spec, root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = dest.parent / f".tmp-{uuid.uuid4().hex[:10]}"
    url = url_for(spec)
    try:
        work.mkdir()
        _git(["init", "-q"], work)
        sha = _fetch(work, url, spec.ref)
        done = _git(["-c", "advice.detachedHead=false", "checkout", "-q", sha], work)
        if done.returncode != 0:
            raise ActionCacheError(f"cannot check out {spec.display}: {done.stderr.strip()}")
        shutil.rmtree(work / ".git")
        record = {"owner": spec.owner, "repo": spec.repo, "ref": spec.ref, "sha": sha,
                  "url": url, "pulled_at": time.time()}
        (work / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        _replace(work, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = find(spec, root)
    assert found is not None
    return found


def _replace(new: Path, dest: Path) -> None:
    old = dest.parent / f".tmp-old-{uuid.uuid4().hex[:10]}"
    if dest.exists():
        dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
