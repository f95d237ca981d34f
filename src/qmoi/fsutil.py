"""File writes that never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# What tempfile.mkstemp opens with: a new file only, readable by its owner alone, not
# inherited by child processes. (tempfile itself imports random, shutil and more: ~2 ms of
# a run's start-up, for one name.)
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it
    over ``path`` (atomic on POSIX); the file's permission bits are kept."""
    folder = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = _new_temp(folder, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _new_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new file beside ``name`` in ``folder``, mode 0600, under a name no one else has."""
    while True:
        tmp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.qmoi-tmp")
        try:
            return os.open(tmp, _NEW, 0o600), tmp
        except FileExistsError:
            continue
