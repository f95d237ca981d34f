"""One linted file as the machine-readable reports see it: its path relative to the
repository root (what GitHub code scanning and annotations key on), its text, its findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qmoi.diagnostics import Located
from qmoi.source import SourceFile


@dataclass(frozen=True, slots=True)
class ReportedFile:
    """One linted file as the machine-readable reports see it."""

    # POSIX path relative to the repository root; None when the file lies outside it.
    relpath: str | None
    # The path as the user named it (the fallback when there is no repository path).
    display: str
    path: Path
    source: SourceFile
    found: Sequence[Located]


def repo_relative(path: Path, root: Path | None) -> str | None:
    if root is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
