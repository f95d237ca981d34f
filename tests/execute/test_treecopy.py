"""treecopy.restore and rewrite: a file already holding the right bytes is left as it is, any
other is rewritten, so the tree ends equal to its source either way."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qmoi.execute import treecopy
from qmoi.execute.treecopy import restore, rewrite

_OLD = (1_000_000_000, 1_000_000_000)


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file()}


def _pair(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, Path]:
    source, dest = tmp_path / "source", tmp_path / "dest"
    for root in (source, dest):
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
    return source, dest


def test_an_untouched_file_is_not_rewritten(tmp_path: Path) -> None:
    source, dest = _pair(tmp_path, {"a.txt": b"a\n", "d/b.sh": b"echo b\n"})
    os.utime(dest / "a.txt", _OLD)
    restore(str(source), str(dest))
    assert (dest / "a.txt").stat().st_mtime == _OLD[1]
    assert _tree(dest) == _tree(source)


def test_a_file_changed_at_the_same_size_is_restored(tmp_path: Path) -> None:
    source, dest = _pair(tmp_path, {"a.txt": b"abc\n", "d/b.sh": b"echo b\n"})
    (dest / "a.txt").write_bytes(b"xyz\n")
    (dest / "d" / "b.sh").write_bytes(b"echo b\nmore\n")
    os.chmod(dest / "d" / "b.sh", 0o700)
    inode = (dest / "a.txt").stat().st_ino
    restore(str(source), str(dest))
    assert _tree(dest) == _tree(source) and (dest / "a.txt").stat().st_ino == inode


def test_a_file_whose_mode_alone_changed_gets_its_mode_back(tmp_path: Path) -> None:
    source, dest = _pair(tmp_path, {"run.sh": b"#!/bin/sh\n"})
    os.chmod(source / "run.sh", 0o755)
    os.chmod(dest / "run.sh", 0o600)
    os.utime(dest / "run.sh", _OLD)
    restore(str(source), str(dest))
    assert _tree(dest) == _tree(source) and (dest / "run.sh").stat().st_mtime == _OLD[1]


def test_files_over_the_compared_size_are_rewritten(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(treecopy, "_COMPARED", 4)
    source, dest = _pair(tmp_path, {"big": b"0123456789"})
    os.utime(dest / "big", _OLD)
    restore(str(source), str(dest))
    assert (dest / "big").stat().st_mtime != _OLD[1] and _tree(dest) == _tree(source)


def test_rewrite_leaves_a_file_holding_the_text_and_fixes_one_that_does_not(
        tmp_path: Path) -> None:
    same, other, missing = tmp_path / "same", tmp_path / "other", tmp_path / "missing"
    same.write_text("gitdir: /x\n")
    other.write_text("gitdir: /y\n")
    for path in (same, other):
        os.utime(path, _OLD)
    for path in (same, other, missing):
        rewrite(str(path), "gitdir: /x\n")
    assert same.stat().st_mtime == _OLD[1] and other.stat().st_mtime != _OLD[1]
    assert {p.read_text() for p in (same, other, missing)} == {"gitdir: /x\n"}
