"""A content-hash cache of lint results under ``.qmoi/cache/``.

The key is the file's bytes plus everything else that decides the result (QMOI's version,
the chosen rules, the configuration), so an unchanged tree is answered without parsing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from qmoi import __version__
from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety, Severity
from qmoi.fsutil import atomic_write
from qmoi.source import Span

MAX_ENTRIES = 20_000


def _encode(d: Diagnostic) -> list[Any]:
    fix = None
    if d.fix is not None:
        fix = [d.fix.title, d.fix.safety.value,
               [[e.span.start, e.span.end, e.text] for e in d.fix.edits]]
    return [d.span.start, d.span.end, d.code, d.rule, d.severity.value, d.message, fix]


def _decode(path: str, item: list[Any]) -> Diagnostic:
    start, end, code, rule, severity, message, fix = item
    decoded = None
    if fix is not None:
        title, safety, edits = fix
        decoded = Fix(title, FixSafety(safety),
                      tuple(Edit(Span(s, e), text) for s, e, text in edits))
    return Diagnostic(path, Span(start, end), code, rule, Severity(severity), message, decoded)


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
    digest = hashlib.sha256(__version__.encode())
    for path in _lint_code(package):
        if path.suffix in (".py", ".json"):
            info = path.stat()
            digest.update(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}\n"
                          .encode())
    return digest.hexdigest()


class LintCache:
    def __init__(self, file: Path, fingerprint: str) -> None:
        self.file = file
        self.salt = f"{code_fingerprint()}\0{fingerprint}\0".encode()
        self.entries: dict[str, list[list[Any]]] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass  # no cache yet, or a damaged one: start empty and rewrite it

    def key(self, data: bytes, kind: str) -> str:
        return hashlib.sha256(self.salt + kind.encode() + b"\0" + data).hexdigest()

    def get(self, key: str, path: str) -> list[Diagnostic] | None:
        items = self.entries.get(key)
        if not isinstance(items, list):
            return None
        try:
            found = [_decode(path, item) for item in items]
        except (TypeError, ValueError):
            return None
        self.used.add(key)
        return found

    def put(self, key: str, found: list[Diagnostic]) -> None:
        self.entries[key] = [_encode(d) for d in found]
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
