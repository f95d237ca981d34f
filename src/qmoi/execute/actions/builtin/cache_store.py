"""The local store behind ``actions/cache``: one gzip tarball per (key, version) under
``.qmoi/cache/actions/``, never changed once written (GitHub's caches are immutable), and
matched the way the cache service matches (https://docs.github.com/en/actions/reference/workflows-and-actions/dependency-caching#matching-a-cache-key):
the exact ``key`` first, then each ``restore-keys`` entry in order — an exact match, else
the newest cache whose key starts with it. The version (a hash of the paths) must match too.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import tarfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

_WORKSPACE, _ABSOLUTE = "w", "a"


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A saved cache: the tarball of one (key, version), never changed once written."""

    key: str
    version: str
    archive: Path
    created: float
    size: int


def cache_version(paths: list[str]) -> str:
    """What a cache's paths make of its version (as actions/cache hashes its paths with the
    compression method)."""
    return hashlib.sha256("|".join([*paths, "gzip"]).encode()).hexdigest()


class CacheStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _stem(self, key: str, version: str) -> str:
        return hashlib.sha256(f"{key}\0{version}".encode()).hexdigest()[:40]

    def entries(self, version: str) -> list[CacheEntry]:
        found = []
        for meta in self.folder.glob("*.json"):
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            archive = meta.with_suffix(".tar.gz")
            if data.get("version") == version and archive.is_file():
                found.append(CacheEntry(str(data["key"]), version, archive,
                                        float(data["created"]), archive.stat().st_size))
        return found

    def match(self, key: str, restore_keys: list[str], version: str) -> CacheEntry | None:
        entries = self.entries(version)
        for wanted in [key, *restore_keys]:
            exact = [e for e in entries if e.key == wanted]
            if exact:
                return exact[0]
            if wanted is key:
                continue
            prefixed = sorted((e for e in entries if e.key.startswith(wanted)),
                              key=lambda e: e.created, reverse=True)
            if prefixed:
                return prefixed[0]
        return None

    def save(self, key: str, version: str, files: list[Path], workspace: Path) -> bool:
        """Write the cache; False when a cache with this key and version already exists."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = self._stem(key, version)
        final = self.folder / f"{stem}.tar.gz"
        if final.exists():
            return False
        temp = self.folder / f".{stem}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with tarfile.open(temp, "w:gz", compresslevel=1) as tar:
                for path in files:
                    tar.add(str(path), arcname=_arcname(path, workspace), recursive=False)
            try:
                os.link(temp, final)  # fails if another job saved it first
            except FileExistsError:
                return False
        finally:
            temp.unlink(missing_ok=True)
        meta = {"key": key, "version": version, "created": time.time()}
        (self.folder / f"{stem}.json").write_text(json.dumps(meta), encoding="utf-8")
        return True


def _arcname(path: Path, workspace: Path) -> str:
    if path.is_relative_to(workspace):
        return f"{_WORKSPACE}/{path.relative_to(workspace).as_posix()}"
    return f"{_ABSOLUTE}/{path.as_posix().lstrip('/')}"


def restore(entry: CacheEntry, workspace: Path) -> None:
    """Unpack a cache: workspace paths into the workspace, others where they were."""
    with tarfile.open(entry.archive, "r:gz") as tar:
        for member in tar.getmembers():
            area, _, rest = member.name.partition("/")
            if not rest and area not in (_WORKSPACE, _ABSOLUTE):
                continue
            base = workspace if area == _WORKSPACE else Path("/")
            member.name = rest or "."
            _extract(tar, member, base)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, base: Path) -> None:
    if hasattr(tarfile, "tar_filter"):  # Python 3.11.4+: refuse names escaping ``base``
        tar.extract(member, base, filter="tar")
    else:  # pragma: no cover - older 3.11 releases
        tar.extract(member, base)


def resolve_paths(patterns: list[str], workspace: Path) -> list[Path]:
    """Every file and folder ``path:`` names, folders expanded (each entry is archived on
    its own, so an exclusion inside an included folder holds): globs (``**`` too) relative
    to the workspace, ``~`` for the home folder, ``!pattern`` excluding."""
    chosen: dict[Path, None] = {}
    excluded: set[Path] = set()
    for pattern in patterns:
        negate = pattern.startswith("!")
        text = os.path.expanduser(pattern[1:] if negate else pattern)
        full = text if os.path.isabs(text) else str(workspace / text)
        hits = [entry for hit in glob.glob(full, recursive=True) for entry in _walk(Path(hit))]
        if negate:
            excluded.update(hits)
        else:
            chosen.update(dict.fromkeys(hits))
    return [path for path in chosen if path not in excluded]


def _walk(path: Path) -> list[Path]:
    if not path.is_dir() or path.is_symlink():
        return [path]
    found = [path]
    for folder, dirs, files in os.walk(path):
        found.extend(Path(folder, name) for name in sorted(dirs + files))
    return found
