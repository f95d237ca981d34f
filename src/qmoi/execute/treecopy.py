"""Copies of a small checkout, and a used copy made equal to its source again.

On the filesystems measured here creating a file or a folder is what a copy costs
(0.3-0.6 ms of CPU each on a busy ext4, against ~5 us to rewrite a file that exists), so
a finished job's workspace is not deleted and copied again for the next job of the run:
:func:`restore` deletes whatever the job added, rewrites every file of the source in
place with its bytes and mode, and gives up (the caller then deletes the copy) on
anything it cannot make exactly as a fresh copy would be — a file hard-linked elsewhere
(rewriting it would change the other name's content), extended attributes, an entry it
cannot read or delete.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qmoi.execute.spares import SpareFiles

_NO_SKIP: frozenset[str] = frozenset()


def _umask() -> int:
    """The process's umask, read from /proc where it can be (os.umask can only read it by
    setting it, which races with files other threads create meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()
# Files up to this size are compared before they are rewritten (one read each).
_COMPARED = 1 << 16


class NotRestorable(Exception):
    """The copy cannot be made equal to its source in place."""


def copy_file(source: str, dest: str, mode: int, size: int) -> None:
    """A new file with ``source``'s bytes, created with its permission bits (under the
    umask, as git's checkout creates files); times are the copy's own, as after a fresh
    checkout. copy_file_range clones extents where the filesystem can."""
    fout = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode & 0o7777)
    try:
        _fill(source, fout, size)
    finally:
        os.close(fout)


def _fill(source: str, fout: int, size: int) -> None:
    fin = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
    try:
        left = size
        while left > 0:
            try:
                done = os.copy_file_range(fin, fout, left)
            except OSError:  # across filesystems on old kernels, or not supported
                done = os.write(fout, os.read(fin, min(left, 1 << 20)))
            if done == 0:  # the file shrank meanwhile
                break
            left -= done
    finally:
        os.close(fin)


def copy_tree(source: str, dest: str, skip: frozenset[str] = _NO_SKIP) -> None:
    """A real copy of a small tree, ``skip`` left out at its top: one system call per
    entry where it can (shutil.copytree also copied times, flags and extended attributes
    and checked each name twice)."""
    os.mkdir(dest)
    with os.scandir(source) as entries:
        found = [entry for entry in entries if entry.name not in skip]
    for entry in found:
        target = os.path.join(dest, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_dir():
            copy_tree(entry.path, target)
        else:
            info = entry.stat()
            copy_file(entry.path, target, info.st_mode, info.st_size)


def write_new(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def rewrite(path: str, text: str) -> None:
    """``path`` holding exactly ``text`` (made if missing, rewritten in place if not)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        write_new(path, text)
        return
    try:
        now = os.fstat(fd)
        if now.st_nlink != 1 or os.listxattr(fd):
            raise NotRestorable(path)
        data = text.encode("utf-8")
        if now.st_size == len(data) and _holds(path, data):
            return
        os.ftruncate(fd, 0)  # only now: a name linked elsewhere is never cut through
        os.write(fd, data)
    finally:
        os.close(fd)


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds ``data`` (its size checked already): rewriting a
    file cuts its blocks off and allocates new ones, reading it is ~10x cheaper here, and
    most files a job was given it leaves as they were."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False  # unreadable (a job's chmod): rewritten
    try:
        return os.read(fd, len(data) + 1) == data
    finally:
        os.close(fd)


def restore(source: str, dest: str, skip: frozenset[str] = _NO_SKIP,
            keep: frozenset[str] = _NO_SKIP) -> None:
    """Make the tree ``dest`` equal to ``source`` (``skip`` left out of both at the top,
    ``keep`` left alone in ``dest``). Raises ``NotRestorable`` or ``OSError`` when it
    cannot; ``dest`` is then half restored and must be deleted."""
    info = os.lstat(dest)
    if info.st_uid != os.geteuid() or os.listxattr(dest, follow_symlinks=False):
        raise NotRestorable(dest)  # a fresh copy is ours and has no attributes
    wanted = os.lstat(source).st_mode & 0o7777
    if info.st_mode & 0o7777 != wanted:
        os.chmod(dest, wanted)
    with os.scandir(source) as entries:
        want = {entry.name: entry for entry in entries if entry.name not in skip}
    with os.scandir(dest) as entries:
        have = {entry.name: entry for entry in entries if entry.name not in keep}
    for name, entry in have.items():
        model = want.get(name)
        if model is None or _kind(model) != _kind(entry):
            _delete(entry)
    for name, model in want.items():
        target = os.path.join(dest, name)
        found = have.get(name)
        if found is not None and _kind(found) != _kind(model):
            found = None  # deleted above
        if model.is_symlink():
            link = os.readlink(model.path)
            if found is not None and os.readlink(target) == link:
                continue
            if found is not None:
                os.unlink(target)
            os.symlink(link, target)
        elif model.is_dir():
            if found is None:
                copy_tree(model.path, target)
            else:
                restore(model.path, target)
        else:
            _restore_file(model, target, found is not None)


def _restore_file(model: os.DirEntry[str], target: str, exists: bool) -> None:
    info = model.stat()
    if not exists:
        copy_file(model.path, target, info.st_mode, info.st_size)
        return
    fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        now = os.fstat(fd)
        if now.st_nlink != 1 or now.st_uid != os.geteuid() or os.listxattr(fd):
            raise NotRestorable(target)
        if now.st_mode & 0o7777 != info.st_mode & 0o7777:
            os.fchmod(fd, info.st_mode & 0o7777)
        if now.st_size == info.st_size and _same(model.path, target, info.st_size):
            return
        os.ftruncate(fd, 0)  # only now: a file linked elsewhere is never cut through
        _fill(model.path, fd, info.st_size)
    finally:
        os.close(fd)


def _same(source: str, target: str, size: int) -> bool:
    """Whether a small file ``target`` holds ``source``'s ``size`` bytes (larger files are
    rewritten without looking)."""
    if size > _COMPARED:
        return False
    try:
        fd = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        data = os.read(fd, size + 1)
    finally:
        os.close(fd)
    return len(data) == size and _holds(target, data)


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return "other"  # a fifo or socket a job left: never in a checkout


def _delete(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)  # raises on what it cannot delete
    else:
        os.unlink(entry.path)


def empty(folder: Path, keep: str = "", spares: SpareFiles | None = None) -> None:
    """Delete what is inside ``folder`` but ``keep`` (its plain files go to ``spares`` when
    it takes them); raises on what it cannot delete."""
    with os.scandir(folder) as entries:
        found = [entry for entry in entries if entry.name != keep]
    for entry in found:
        if spares is None or not spares.keep(entry):  # keep takes plain files only
            _delete(entry)
