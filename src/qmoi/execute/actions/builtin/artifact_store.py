"""The run's artifact store, shared by all its jobs (also across processes: every change
is one atomic file-system operation): ``<run>/artifacts/<name hash>/`` holding
``meta.json`` and ``files/``. Names are unique within the run, as in artifacts v4, where a
second upload of a name fails with 409 unless it asks to overwrite.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

# https://github.com/actions/toolkit/blob/main/packages/artifact/src/internal/upload/path-and-artifact-name-validation.ts
INVALID_NAME_CHARACTERS = '"' + ":<>|*?\r\n\\/"


@dataclass(frozen=True, slots=True)
class Artifact:
    """An artifact uploaded during the run: its metadata and the folder holding its files."""

    name: str
    id: int
    size: int
    digest: str
    created: float
    files: Path


class ArtifactExists(Exception):
    """A name taken already (the service's 409 Conflict)."""


class ArtifactStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _slot(self, name: str) -> Path:
        return self.folder / hashlib.sha256(name.encode()).hexdigest()[:32]

    def _next_id(self) -> int:
        ids = self.folder / ".ids"
        ids.mkdir(parents=True, exist_ok=True)
        number = len(os.listdir(ids)) + 1
        while True:
            try:
                os.close(os.open(ids / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                return number
            except FileExistsError:
                number += 1

    def upload(self, name: str, files: list[tuple[Path, str]], overwrite: bool) -> Artifact:
        """Store ``files`` (source, path inside the artifact) under ``name``."""
        staging = self.folder / f".staging-{uuid.uuid4().hex[:10]}"
        try:
            digest, size = _copy(files, staging / "files")
            artifact = Artifact(name, self._next_id(), size, digest, time.time(),
                                self._slot(name) / "files")
            meta = {"name": name, "id": artifact.id, "size": size, "digest": digest,
                    "created": artifact.created}
            (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            if overwrite:
                self._delete(name)
            try:
                staging.rename(self._slot(name))
            except OSError:
                raise ArtifactExists(name) from None
            return artifact
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _delete(self, name: str) -> None:
        slot = self._slot(name)
        trash = self.folder / f".trash-{uuid.uuid4().hex[:10]}"
        try:
            slot.rename(trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def list(self) -> list[Artifact]:
        found = []
        for meta in self.folder.glob("*/meta.json"):
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            found.append(Artifact(str(data["name"]), int(data["id"]), int(data["size"]),
                                  str(data["digest"]), float(data["created"]),
                                  meta.parent / "files"))
        return sorted(found, key=lambda artifact: artifact.id)


def _copy(files: list[tuple[Path, str]], dest: Path) -> tuple[str, int]:
    """Copy the files; a digest over names and contents, and the total size."""
    dest.mkdir(parents=True)
    digest, size = hashlib.sha256(), 0
    for source, relative in sorted(files, key=lambda item: item[1]):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        data = target.read_bytes()
        digest.update(relative.encode() + b"\0" + hashlib.sha256(data).digest())
        size += len(data)
    return digest.hexdigest(), size


def extract(artifact: Artifact, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(artifact.files, dest, dirs_exist_ok=True)
