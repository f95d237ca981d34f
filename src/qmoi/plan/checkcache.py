"""Remembers workflow texts already found free of the errors GitHub refuses, so running the
same workflow again skips loading and running the rules (as ``qmoi lint``'s cache does).

The key covers the text, the QMOI version and every rule file's name, size and mtime, so
a changed rule invalidates it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from qmoi import __version__
from qmoi.digest import sha256
from qmoi.fsutil import atomic_write

_LIMIT = 2000


def _rules_fingerprint() -> str:
    # The rules' folder, found without importing qmoi.check (find_spec of a subpackage
    # imports its parent), so a run of known-clean workflows never loads the checker.
    spec = importlib.util.find_spec("qmoi")
    parts = [__version__]
    roots = (spec.submodule_search_locations or []) if spec else []
    for folder in (os.path.join(root, "check", "rules") for root in roots):
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


class CleanCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._salt = _rules_fingerprint()
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = []
        self._known: list[str] = [k for k in known if isinstance(k, str)] \
            if isinstance(known, list) else []
        self._set = set(self._known)
        self._dirty = False

    def _key(self, text: str) -> str:
        return sha256(f"{self._salt}\0{text}".encode()).hexdigest()

    def known_clean(self, text: str) -> bool:
        return self._key(text) in self._set

    def add(self, text: str) -> None:
        key = self._key(text)
        if key not in self._set:
            self._set.add(key)
            self._known.append(key)
            self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(self._known[-_LIMIT:]).encode("utf-8"))
        except OSError:
            pass  # a read-only checkout still runs; it just checks again next time
