"""Detect: which workflow and local action files exist now, what changed since the
manager last looked (new, modified, deleted), and the record of every version seen."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from qmoi.discover import ACTION_NAMES, WORKFLOW_DIR, YAML_SUFFIXES
from qmoi.fsutil import atomic_write

if TYPE_CHECKING:
    from qmoi.store import Store

# ``uses: ./path`` (a local action or a reusable workflow in the same repository).
_LOCAL_USES = re.compile(r"""^\s*(?:-\s+)?uses:\s*["']?(\./[^\s"'#@]+)""", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Change:
    """A workflow or local action file that is new, modified or deleted since the last look."""

    kind: str  # new | modified | deleted
    path: str  # in the repository, POSIX


class VersionRecorder(Protocol):
    def record(self, path: str, text: str | None, commit: str | None) -> None:
        """A version of a workflow or action file (``text`` None: it was deleted)."""
        ...


def local_actions(root: Path, workflow_text: str) -> list[Path]:
    """The ``action.yml`` files of the local actions a workflow uses."""
    found: list[Path] = []
    for match in _LOCAL_USES.finditer(workflow_text):
        folder = (root / match.group(1)).resolve()
        if not folder.is_relative_to(root.resolve()):
            continue  # ``./../x`` cannot be an action of this repository
        for name in sorted(ACTION_NAMES):
            if (folder / name).is_file() and folder / name not in found:
                found.append(folder / name)
    return found


def watched_files(root: Path) -> dict[str, Path]:
    """Workflow files and the local action files they use, by repository path."""
    folder = root / WORKFLOW_DIR
    files: dict[str, Path] = {}
    if not folder.is_dir():
        return files
    for path in sorted(folder.iterdir()):
        if path.suffix in YAML_SUFFIXES and path.is_file():
            files[path.relative_to(root).as_posix()] = path
            text = path.read_text(encoding="utf-8", errors="replace")
            for action in local_actions(root, text):
                files[action.relative_to(root.resolve()).as_posix()] = action
    return files


def digests(files: Mapping[str, Path]) -> dict[str, str]:
    found = {}
    for name, path in files.items():
        try:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # deleted between listing and reading: it counts as gone
    return found


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    found = [Change("new", p) for p in after if p not in before]
    found += [Change("modified", p) for p in after if p in before and before[p] != after[p]]
    found += [Change("deleted", p) for p in before if p not in after]
    return sorted(found, key=lambda c: (c.path, c.kind))


class Detector:
    """Remembers the digests of the watched files between passes (and manager runs, in
    ``seen.json``) and records each new version with ``recorder``."""

    def __init__(self, root: Path, state: Path, recorder: VersionRecorder) -> None:
        self.root, self.state, self.recorder = root, state, recorder
        self.seen: dict[str, str] = _load(state)

    def scan(self, commit: str | None) -> list[Change]:
        files = watched_files(self.root)
        now = digests(files)
        found = changes(self.seen, now)
        for change in found:
            text = None if change.kind == "deleted" else files[change.path].read_text(
                encoding="utf-8", errors="replace")
            self.recorder.record(change.path, text, commit)
        self.remember(now)
        return found

    def remember(self, now: Mapping[str, str]) -> None:
        """Take ``now`` as the known state (after the manager's own fixes, so they do not
        count as the user's changes next time)."""
        self.seen = dict(now)
        self.state.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.state, json.dumps(self.seen, indent=1).encode())

    def current(self) -> dict[str, str]:
        return digests(watched_files(self.root))


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


class JsonlVersions:
    """Workflow versions as JSON lines (``versions.jsonl`` in the manager's folder): path,
    content hash, content (None when deleted), commit, time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, path: str, text: str | None, commit: str | None) -> None:
        digest = None if text is None else hashlib.sha256(text.encode()).hexdigest()
        line = {"time": time.time(), "path": path, "sha256": digest, "content": text,
                "commit": commit, "deleted": text is None}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


class StoreVersions:
    """New and modified versions go to the store's ``workflow_versions`` (path, content
    hash, content, commit); a deletion, which that table cannot hold, to ``deleted``."""

    def __init__(self, store: Store, deleted: JsonlVersions) -> None:
        self.store, self.deleted = store, deleted

    def record(self, path: str, text: str | None, commit: str | None) -> None:
        if text is None:
            self.deleted.record(path, None, commit)
            return
        from qmoi.store.runrow import record_version

        with self.store.transaction() as conn:
            record_version(conn, path, text, commit, time.time())
