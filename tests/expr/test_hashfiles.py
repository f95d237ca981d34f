"""hashFiles(): @actions/glob matching and the runner's digest, over an in-memory tree
(docs: https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#hashfiles)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import pytest

from qmoi.cli.expr import LocalFiles
from qmoi.expr import EvalOptions, ExpressionError, evaluate, parse_expression
from qmoi.expr.hashfiles import glob, hash_files, parse_patterns

WS = "/ws"


class MemoryFiles:
    """Directories list their entries in insertion order, like an unsorted readdir."""

    def __init__(self, files: dict[str, bytes], links: dict[str, str] | None = None) -> None:
        self.files = {f"{WS}/{k}": v for k, v in files.items()}
        self.links = {f"{WS}/{k}": f"{WS}/{v}" for k, v in (links or {}).items()}
        self.dirs: dict[str, list[str]] = {}
        for path in [*self.files, *self.links]:
            parts = path.split("/")
            for i in range(2, len(parts)):
                parent, name = "/".join(parts[:i]) or "/", parts[i]
                entries = self.dirs.setdefault(parent, [])
                if name not in entries:
                    entries.append(name)

    def _resolve(self, path: str) -> str:
        for link, target in self.links.items():
            if path == link or path.startswith(link + "/"):
                return target + path[len(link):]
        return path

    def kind(self, path: str, *, follow_symlinks: bool) -> Literal["dir", "file", "missing"]:
        if path in self.links and not follow_symlinks:
            return "file"
        path = self._resolve(path)
        if path in self.dirs:
            return "dir"
        return "file" if path in self.files else "missing"

    def list_dir(self, path: str) -> list[str]:
        return list(self.dirs[self._resolve(path)])

    def read_bytes(self, path: str) -> bytes:
        return self.files[self._resolve(path)]

    def real_path(self, path: str) -> str:
        return self._resolve(path)


TREE = MemoryFiles({
    "package-lock.json": b"root lock",
    "app/package-lock.json": b"app lock",
    "app/src/index.js": b"js",
    ".hidden/package-lock.json": b"hidden",
    "lib/b.txt": b"b",
    "lib/a.txt": b"a",
})


def digest(*contents: bytes) -> str:
    outer = hashlib.sha256()
    for content in contents:
        outer.update(hashlib.sha256(content).digest())
    return outer.hexdigest()


def matched(patterns: str, fs: MemoryFiles = TREE) -> list[str]:
    return [p[len(WS) + 1:] for p in glob(parse_patterns(patterns, WS), fs,
                                          follow_symlinks=False)]


def test_globstar_includes_hidden_files_in_traversal_order() -> None:
    assert matched("**/package-lock.json") == [
        "package-lock.json", "app/package-lock.json", ".hidden/package-lock.json"]


def test_negation_and_comments() -> None:
    assert matched("**/package-lock.json\n# comment\n!app/**") == [
        "package-lock.json", ".hidden/package-lock.json"]
    assert matched("!!lib/a.txt") == ["lib/a.txt"]


def test_directory_patterns_match_their_descendants() -> None:
    assert matched("lib") == ["lib", "lib/b.txt", "lib/a.txt"]
    assert matched("lib/") == ["lib", "lib/b.txt", "lib/a.txt"]


def test_wildcards_and_character_classes() -> None:
    assert matched("lib/?.txt") == ["lib/b.txt", "lib/a.txt"]
    assert matched("lib/[a].txt") == ["lib/a.txt"]
    assert matched("lib/[!a].txt") == ["lib/b.txt"]
    assert matched("app/*/*.js") == ["app/src/index.js"]
    assert matched("./lib/a.txt") == ["lib/a.txt"]


def test_digest_is_sha256_of_file_digests_and_empty_when_nothing_matches() -> None:
    assert hash_files("lib/*.txt", WS, TREE) == digest(b"b", b"a")
    assert hash_files("nothing/*", WS, TREE) == ""


def test_files_outside_the_workspace_and_directories_are_skipped() -> None:
    fs = MemoryFiles({"a": b"1"})
    fs.files["/etc/passwd"] = b"secret"
    fs.dirs.setdefault("/", []).append("etc")
    fs.dirs["/etc"] = ["passwd"]
    assert hash_files("/etc/passwd", WS, fs) == ""
    assert hash_files("a\n/etc/*", WS, fs) == digest(b"1")


def test_symlinks_are_followed_only_on_request() -> None:
    fs = MemoryFiles({"real/x.txt": b"x"}, links={"alias": "real"})
    assert hash_files("alias/*", WS, fs) == ""
    assert hash_files("alias/*", WS, fs, follow_symlinks=True) == digest(b"x")


@pytest.mark.parametrize("pattern", ["../x", "a/./b", "a/../b"])
def test_relative_segments_are_rejected(pattern: str) -> None:
    with pytest.raises(ExpressionError, match="not allowed"):
        parse_patterns(pattern, WS)


def test_hash_files_through_the_evaluator() -> None:
    options = EvalOptions(workspace=WS, files=TREE)
    # Each literal pattern is its own search root, searched in argument order.
    tree = parse_expression("hashFiles('lib/a.txt', 'lib/b.txt')")
    assert evaluate(tree, {}, options=options) == digest(b"a", b"b")
    tree = parse_expression("hashFiles('--follow-symbolic-links', 'lib/a.txt')")
    assert evaluate(tree, {}, options=options) == digest(b"a")
    with pytest.raises(ExpressionError, match="not allowed") as info:
        evaluate(parse_expression("hashFiles('../x')"), {}, options=options)
    assert info.value.span is not None


def test_on_a_real_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.lock").write_bytes(b"lock")
    options = EvalOptions(workspace=str(tmp_path), files=LocalFiles())
    tree = parse_expression("hashFiles('**/*.lock')")
    assert evaluate(tree, {}, options=options) == digest(b"lock")
