"""Log and artifact files. Logs are written by the run recorder under the run's folder
(named by job key and step index); artifacts are copied into ``<home>/files/`` under their
SHA-256. Either way the path is QMOI's choice, never a name a user gave."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert

from qmoi.store.models import FileRow

_CHUNK = 1 << 20


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def seal_logs(conn: Connection, run_id: str, attempts: Mapping[str, int],
              run_dir: Path) -> int:
    """Record the finished log and summary files of these attempts (job key → attempt id)
    with their size and hash; the number of files recorded."""
    count, now = 0, time.time()
    for key, attempt_id in attempts.items():
        for kind, folder in (("log", run_dir / "logs" / key),
                             ("summary", run_dir / "summaries" / key)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    _insert(conn, run_id, attempt_id, kind, path, now)
                    count += 1
    return count


def _insert(conn: Connection, run_id: str | None, attempt_id: int | None, kind: str,
            path: Path, now: float) -> int:
    sha256, size = file_digest(path)
    return int(conn.execute(insert(FileRow).values(
        run_id=run_id, attempt_id=attempt_id, kind=kind, path=str(path), sha256=sha256,
        size=size, created_at=now).returning(FileRow.id)).scalar_one())


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the store keeps: its row id, path and SHA-256."""

    id: int
    path: Path
    sha256: str
    size: int


def put_artifact(conn: Connection, home: Path, source: Path, *, run_id: str | None = None,
                 attempt_id: int | None = None) -> StoredFile:
    """Copy ``source`` into the content-addressed folder (once per content) and record it."""
    sha256, size = file_digest(source)
    target = home / "files" / sha256[:2] / sha256
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy next to the target, then rename: a reader never sees half a file.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    file_id = _insert(conn, run_id, attempt_id, "artifact", target, time.time())
    return StoredFile(file_id, target, sha256, size)
