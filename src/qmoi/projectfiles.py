"""Read the repository files a workflow refers to, so that rules can see them without I/O."""

from __future__ import annotations

import re
from pathlib import Path

from qmoi.check.base import Project
from qmoi.discover import find_repo_root

# `uses: ./path` in any quoting; the path ends at whitespace, a quote, `#` or `@`.
_LOCAL_USES = re.compile(r"""uses:\s*['"]?\./([^\s'"#@]+)""")
CONFIG_PATH = ".github/qmoi.yml"
MAX_REFERENCED_BYTES = 2 * 1024 * 1024


def _candidates(ref: str) -> list[str]:
    ref = ref.rstrip("/")
    if ref.endswith((".yml", ".yaml")):
        return [ref]
    return [f"{ref}/action.yml", f"{ref}/action.yaml"]


def _read(root: Path, rel: str) -> str | None:
    path = root / rel
    try:
        if not path.is_file() or path.stat().st_size > MAX_REFERENCED_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def project_for(path: Path, text: str) -> Project:
    """The files ``text`` (the content of ``path``) refers to, plus QMOI's config."""
    return ProjectFiles().project(path, text)


class ProjectFiles:
    """``project_for`` for the many files of one run: each folder's repository root, each
    resolved folder and each referenced file are looked up once, not once per file."""

    def __init__(self) -> None:
        self._roots: dict[Path, Path | None] = {}
        self._folders: dict[Path, Path] = {}
        self._texts: dict[tuple[Path, str], str | None] = {}

    def project(self, path: Path, text: str) -> Project:
        folder = path.parent
        if folder not in self._roots:
            self._roots[folder] = find_repo_root(folder)
        root = self._roots[folder]
        if root is None:
            return Project()
        try:
            own = self._resolve(path).relative_to(root).as_posix()
        except ValueError:
            own = None
        files: dict[str, str] = {}
        for rel in [CONFIG_PATH, *(c for m in _LOCAL_USES.finditer(text)
                                    for c in _candidates(m.group(1)))]:
            if rel not in files:
                content = self._read(root, rel)
                if content is not None:
                    files[rel] = content
        return Project(tuple(sorted(files.items())), own)

    def _resolve(self, path: Path) -> Path:
        if path.is_symlink():  # the link's target may live in another folder
            return path.resolve()
        folder = path.parent
        if folder not in self._folders:
            self._folders[folder] = folder.resolve()
        return self._folders[folder] / path.name

    def _read(self, root: Path, rel: str) -> str | None:
        key = (root, rel)
        if key not in self._texts:
            self._texts[key] = _read(root, rel)
        return self._texts[key]
