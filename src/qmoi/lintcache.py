"""A content-hash cache of lint results under ``.qmoi/cache/``.

The key is the file's bytes plus everything else that decides the result (QMOI's version,
the chosen rules, the configuration), so an unchanged tree is answered without parsing.

Each build of the lint code and each rule selection has a file of its own
(``lint-<salt>.json``): a cached run reads only the entries it can use, and the files of
other builds — which no run will ask again once QMOI is upgraded or edited — are deleted
beyond the few most recently used, instead of piling up in the one file every run parses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qmoi import __version__
from qmoi.digest import sha256
from qmoi.fsutil import atomic_write

MAX_ENTRIES = 20_000  # in one file; above it, entries this run did not use are dropped
KEEP_FILES = 4  # files of other builds or selections kept, most recently written first


# The code a lint result depends on: the top-level modules and these stages with their
# data. The stages after ``check`` (fix, plan, runners, store, …) never decide a
# diagnostic — an earlier stage never imports a later one — so editing them keeps the cache.
_LINT_PACKAGES = ("check", "parse", "expr", "model", "data")


def _lint_code(package: Path) -> list[Path]:
    files = list(package.glob("*.py"))
    for name in _LINT_PACKAGES:
        files.extend((package / name).rglob("*"))
    return sorted(files)


def code_fingerprint() -> str:
    """Identifies the installed QMOI lint code (each module's size and mtime), so that
    results cached by one build of the rules are never served by another — also in an
    editable install, where the version number does not change."""
    package = Path(__file__).resolve().parent
    digest = sha256(__version__.encode())
    for path in _lint_code(package):
        if path.suffix in (".py", ".json"):
            info = path.stat()
            digest.update(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}\n"
                          .encode())
    return digest.hexdigest()


class LintCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.salt = f"{code_fingerprint()}\0{fingerprint}\0".encode()
        self.file = folder / f"lint-{sha256(self.salt).hexdigest()[:16]}.json"
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            loaded = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass  # no cache yet, or a damaged one: start empty and rewrite it

    def key(self, data: bytes, kind: str) -> str:
        return sha256(self.salt + kind.encode() + b"\0" + data).hexdigest()

    def get(self, key: str) -> list[Any] | None:
        """The rows stored for ``key`` (``qmoi.lint.Row``, as JSON gives them back)."""
        rows = self.entries.get(key)
        if not isinstance(rows, list):
            return None
        self.used.add(key)
        return rows

    def put(self, key: str, rows: Sequence[Sequence[Any]]) -> None:
        self.entries[key] = rows
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        if len(self.entries) > MAX_ENTRIES:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.file, json.dumps(self.entries, separators=(",", ":")).encode())
        self.dirty = False
        self._drop_old_files()

    def _drop_old_files(self) -> None:
        others = []
        for path in self.file.parent.glob("lint*.json"):  # lint.json: the one-file layout
            if path != self.file:
                try:
                    others.append((path.stat().st_mtime_ns, path))
                except OSError:
                    continue  # removed by a concurrent run
        others.sort(reverse=True)
        for _, path in others[KEEP_FILES:]:
            path.unlink(missing_ok=True)
