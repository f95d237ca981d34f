"""atomic_write: the whole new content or the old file, never half of one, and no temp file
left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qmoi.fsutil import atomic_write


def test_a_new_file_gets_the_data_and_owner_only_permissions(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    atomic_write(target, b'{"a": 1}\n')
    assert target.read_bytes() == b'{"a": 1}\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["cache.json"]


def test_an_existing_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "state"
    target.write_bytes(b"old content that is longer\n")
    target.chmod(0o640)
    inode = target.stat().st_ino
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != inode  # a rename over it, not a rewrite in place


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        atomic_write(target, b"data")
    assert target.is_dir() and os.listdir(tmp_path) == ["folder"]


def test_temp_names_never_collide(tmp_path: Path) -> None:
    for index in range(50):
        atomic_write(tmp_path / "same", str(index).encode())
    assert (tmp_path / "same").read_bytes() == b"49" and os.listdir(tmp_path) == ["same"]
