"""The verified marker: ``.qmoi/verified/<commit>.json`` once every workflow the event
triggered passed for that commit. The sync uses it to skip runs GitHub would repeat."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmoi.errors import InputError
from qmoi.fsutil import atomic_write
from qmoi.manager import gitops
from qmoi.manager.stats import now_iso


@dataclass(frozen=True, slots=True)
class VerifiedWorkflow:
    """A workflow in the verified marker: the hash of its content, its result and attempts."""

    path: str
    sha256: str
    result: str
    attempts: int


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_marker(home: Path, root: Path, commit: str, event: str,
                 workflows: list[VerifiedWorkflow]) -> Path:
    """Write the marker of ``commit`` atomically. A snapshot commit records HEAD as its
    ``base``; any commit with the same tree is verified too (see ``find_marker``)."""
    head = gitops.head(root)
    data = {
        "commit": commit, "tree": gitops.tree_of(root, commit), "event": event,
        "base": None if commit == head else head, "time": now_iso(),
        "workflows": [{"path": w.path, "sha256": w.sha256, "result": w.result,
                       "attempts": w.attempts} for w in workflows],
    }
    folder = home / "verified"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{commit}.json"
    atomic_write(path, (json.dumps(data, indent=2) + "\n").encode())
    return path


def find_marker(home: Path, root: Path, revision: str) -> tuple[str, dict[str, Any]] | None:
    """The marker that verifies ``revision``: its own, else one of a commit with the same
    tree (the snapshot of uncommitted fixes the user then committed as they were)."""
    found = gitops.git(root, "rev-parse", "--verify", "-q", f"{revision}^{{commit}}",
                       check=False)
    if found.returncode != 0:
        raise InputError(f"no commit named {revision!r} in this repository",
                         location=str(root))
    commit = found.stdout.strip()
    folder = home / "verified"
    own = folder / f"{commit}.json"
    if own.is_file():
        return commit, _read(own)
    if not folder.is_dir():
        return None
    tree = gitops.tree_of(root, commit)
    for path in sorted(folder.glob("*.json")):
        data = _read(path)
        if data.get("tree") == tree:
            return commit, data
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
