"""The host disk as ``hashFiles()`` reads it (``qmoi.expr.FileSystem``)."""

from __future__ import annotations

import os
import stat
from typing import Literal


class HostFiles:
    def kind(self, path: str, *, follow_symlinks: bool) -> Literal["dir", "file", "missing"]:
        try:
            mode = os.stat(path, follow_symlinks=follow_symlinks).st_mode
        except OSError:
            return "missing"
        return "dir" if stat.S_ISDIR(mode) else "file"

    def list_dir(self, path: str) -> list[str]:
        try:
            with os.scandir(path) as entries:
                return [entry.name for entry in entries]
        except OSError:
            return []

    def read_bytes(self, path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    def real_path(self, path: str) -> str:
        return os.path.realpath(path)


HOST_FILES = HostFiles()
