"""``hashFiles()``: @actions/glob matching over a workspace, then GitHub's digest.

The digest is SHA-256 over the concatenated raw SHA-256 digests of every matched regular
file, in glob traversal order; no match gives ''. Matching follows @actions/glob
(https://github.com/actions/toolkit/tree/main/packages/glob): one pattern per line, ``#``
comments, ``!`` negation, ``*``/``?``/``[…]``/``**``, dot files included, a pattern that
matches a directory also matches everything below it, and only files inside the workspace
count (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#hashfiles).

Reading the disk is not this module's business: the caller injects a ``FileSystem``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Literal, Protocol

from qmoi.expr.errors import ExpressionError

FOLLOW_SYMLINKS = "--follow-symbolic-links"

Kind = Literal["dir", "file", "missing"]


class FileSystem(Protocol):
    """The disk as hashFiles sees it; paths are absolute POSIX paths."""

    def kind(self, path: str, *, follow_symlinks: bool) -> Kind: ...

    def list_dir(self, path: str) -> list[str]:
        """Entry names in the order the OS returns them (readdir order)."""
        ...

    def read_bytes(self, path: str) -> bytes: ...

    def real_path(self, path: str) -> str: ...


_DIRECTORY, _FILE, _ALL = 1, 2, 3


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One ``hashFiles()`` glob, made absolute and split at ``/``."""

    negate: bool
    segments: tuple[str, ...]  # absolute: segments[0] == ""
    directory_only: bool

    @property
    def search_path(self) -> str:
        literal: list[str] = []
        for segment in self.segments:
            text = _literal(segment)
            if text is None:
                break
            literal.append(text)
        return "/" + "/".join(literal[1:])

    def match(self, path: str) -> int:
        if _match(self.segments, _split(path), partial=False):
            return _DIRECTORY if self.directory_only else _ALL
        return 0

    def partial(self, path: str) -> bool:
        return _match(self.segments, _split(path), partial=True)


def _split(path: str) -> tuple[str, ...]:
    return tuple([""] + [part for part in path.split("/") if part])


def _literal(segment: str) -> str | None:
    """The segment as a plain name, or None when it contains a wildcard."""
    out, i = [], 0
    while i < len(segment):
        c = segment[i]
        if c == "\\" and i + 1 < len(segment):
            out.append(segment[i + 1])
            i += 2
            continue
        if c in "*?":
            return None
        if c == "[":
            close = segment.find("]", i + 1)
            if close > i + 1:
                inner = segment[i + 1 : close]
                if len(inner) > 1:
                    return None
                out.append(inner)
                i = close + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _segment_regex(segment: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(segment):
        c = segment[i]
        if c == "\\" and i + 1 < len(segment):
            out.append(re.escape(segment[i + 1]))
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (close := segment.find("]", i + 2)) > 0:
            body = segment[i + 1 : close]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _match(pattern: tuple[str, ...], path: tuple[str, ...], *, partial: bool) -> bool:
    """minimatch's matchOne for one pattern; ``**`` spans any number of segments."""
    states = {0}
    for name in path:
        following: set[int] = set()
        for p in states:
            if p >= len(pattern):
                continue
            segment = pattern[p]
            if segment == "**":
                following.add(p)  # consume this name and stay on **
                following |= _step(pattern, p + 1, name)
            elif _segment_matches(segment, name):
                following.add(p + 1)
        states = _close_globstars(pattern, following)
        if not states:
            return False
    if partial:
        return True
    return any(p == len(pattern) for p in _close_globstars(pattern, states))


def _step(pattern: tuple[str, ...], p: int, name: str) -> set[int]:
    if p < len(pattern) and pattern[p] != "**" and _segment_matches(pattern[p], name):
        return {p + 1}
    return set()


def _close_globstars(pattern: tuple[str, ...], states: set[int]) -> set[int]:
    # A trailing or inner ** may also match zero segments.
    closed = set(states)
    for p in states:
        while p < len(pattern) and pattern[p] == "**":
            p += 1
            closed.add(p)
    return closed


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _segment_matches(segment: str, name: str) -> bool:
    if segment == "":
        return name == ""
    regex = _REGEX_CACHE.get(segment)
    if regex is None:
        regex = _REGEX_CACHE[segment] = _segment_regex(segment)
    return regex.match(name) is not None


def parse_patterns(text: str, workspace: str) -> list[_Pattern]:
    patterns: list[_Pattern] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = False
        while line.startswith("!"):
            negate, line = not negate, line[1:].strip()
        patterns.append(_make_pattern(line, negate, workspace))
    return patterns


def _make_pattern(line: str, negate: bool, workspace: str) -> _Pattern:
    if not line:
        raise ExpressionError("hashFiles(): a pattern is empty")
    parts = line.split("/")
    literals = [_literal(part) for part in parts]
    if any(text == ".." or (text == "." and i > 0) for i, text in enumerate(literals)):
        raise ExpressionError(f"hashFiles(): invalid pattern '{line}': '.' and '..' segments "
                              "are not allowed")
    directory_only = line.endswith("/")
    if line == "." or line.startswith("./"):
        line = workspace.rstrip("/") + line[1:]
    elif not line.startswith("/"):
        # @actions/glob roots relative patterns at the working directory (the workspace).
        line = workspace.rstrip("/") + "/" + line
    segments = tuple(part for part in line.split("/") if part)
    return _Pattern(negate, ("", *segments), directory_only)


def _with_descendants(patterns: list[_Pattern]) -> list[_Pattern]:
    out: list[_Pattern] = []
    for pattern in patterns:
        out.append(pattern)
        if pattern.directory_only or pattern.segments[-1] != "**":
            out.append(_Pattern(pattern.negate, (*pattern.segments, "**"), False))
    return out


def _search_paths(patterns: list[_Pattern]) -> list[str]:
    candidates = [p.search_path for p in patterns if not p.negate]
    known = set(candidates)
    result: list[str] = []
    for path in candidates:
        if path in result:
            continue
        parent, current = posixpath.dirname(path), path
        has_ancestor = False
        while parent != current:
            if parent in known:
                has_ancestor = True
                break
            current, parent = parent, posixpath.dirname(parent)
        if not has_ancestor:
            result.append(path)
    return result


def glob(patterns: list[_Pattern], fs: FileSystem, *, follow_symlinks: bool) -> list[str]:
    """Matched paths (files and directories) in @actions/glob's traversal order."""
    patterns = _with_descendants(patterns)
    stack: list[tuple[str, int]] = []
    for path in _search_paths(patterns):
        if fs.kind(path, follow_symlinks=False) != "missing":
            stack.insert(0, (path, 1))
    found: list[str] = []
    chain: list[str] = []  # real paths of the directories being walked, to stop cycles
    while stack:
        path, level = stack.pop()
        kind = 0
        for pattern in patterns:
            kind = kind & ~pattern.match(path) if pattern.negate else kind | pattern.match(path)
        partial = bool(kind) or any(not p.negate and p.partial(path) for p in patterns)
        if not kind and not partial:
            continue
        entry = fs.kind(path, follow_symlinks=follow_symlinks)
        if entry == "dir":
            if follow_symlinks:
                del chain[level - 1 :]
                real = fs.real_path(path)
                if real in chain:
                    continue
                chain.append(real)
            if kind & _DIRECTORY:
                found.append(path)
            elif not partial:
                continue
            names = fs.list_dir(path)
            stack.extend((posixpath.join(path, name), level + 1) for name in reversed(names))
        elif entry == "file" and kind & _FILE:
            found.append(path)
    return found


def hash_files(pattern_text: str, workspace: str, fs: FileSystem, *,
               follow_symlinks: bool = False) -> str:
    # Imported here: loading OpenSSL costs ~4 ms, and only a run evaluates hashFiles (a lint
    # imports this module for the function's signature and availability).
    import hashlib

    workspace = posixpath.normpath(workspace)
    prefix = workspace.rstrip("/") + "/"
    total = hashlib.sha256()
    matched = False
    for path in glob(parse_patterns(pattern_text, workspace), fs,
                     follow_symlinks=follow_symlinks):
        if not path.startswith(prefix) or fs.kind(path, follow_symlinks=True) == "dir":
            continue
        total.update(hashlib.sha256(fs.read_bytes(path)).digest())
        matched = True
    return total.hexdigest() if matched else ""
