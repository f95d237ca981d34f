"""Finding the files QMOI works on: the repository root and its workflow files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qmoi.errors import UsageError

WORKFLOW_DIR = Path(".github") / "workflows"
ACTION_NAMES = frozenset({"action.yml", "action.yaml"})
YAML_SUFFIXES = frozenset({".yml", ".yaml"})


@dataclass(frozen=True, slots=True)
class Target:
    """A file to check, how to show its path, and what kind of document it holds."""

    path: Path
    display: str
    kind: str  # "workflow" or "action"


def find_repo_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that has ``.github/workflows`` or ``.git``."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / WORKFLOW_DIR).is_dir() or (folder / ".git").exists():
            return folder
    return None


def _display(path: Path, cwd: Path) -> str:
    """The path as a user would type it from ``cwd`` (``../x.yml`` from a subfolder)."""
    if not path.is_absolute():
        return str(path)
    return os.path.relpath(path, cwd)


def _kind(path: Path) -> str:
    return "action" if path.name in ACTION_NAMES else "workflow"


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def _expand(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UsageError(f"no such file or directory: {path}")
    inner = path / WORKFLOW_DIR
    return _yaml_files(inner if inner.is_dir() else path)


def resolve_targets(paths: list[Path], cwd: Path) -> list[Target]:
    """Files named on the command line (folders expand to their workflows), or, with
    none named, the repository's ``.github/workflows`` found from ``cwd`` upward."""
    if not paths:
        root = find_repo_root(cwd)
        if root is None or not (root / WORKFLOW_DIR).is_dir():
            raise UsageError(f"no {WORKFLOW_DIR}/ folder found in {cwd} or any parent; "
                             "name the files to check")
        paths = [root / WORKFLOW_DIR]
    seen: set[Path] = set()
    targets: list[Target] = []
    for given in paths:
        for file in _expand(given):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                targets.append(Target(file, _display(file, cwd), _kind(file)))
    return targets


def qmoi_home(root: Path | None) -> Path | None:
    """Where QMOI keeps its state: ``$QMOI_HOME``, else ``<repo>/.qmoi`` (created, and
    listed in ``.git/info/exclude`` so it never shows up as untracked — also a
    ``$QMOI_HOME`` that lies inside the repository)."""
    override = os.environ.get("QMOI_HOME")
    if override:
        home = Path(override).absolute()
    elif root is None:
        return None
    else:
        home = root / ".qmoi"
    if root is not None:
        _exclude(root, home)
    home.mkdir(parents=True, exist_ok=True)
    return home


def _exclude(root: Path, home: Path) -> None:
    try:
        inside = home.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return  # outside the repository: nothing to hide from git
    if not inside.parts or not (root / ".git").is_dir():
        return
    # Anchored to the root ("/state/") so a folder of the same name deeper down stays
    # visible; git's ignore rules: https://git-scm.com/docs/gitignore#_pattern_format
    entry = ".qmoi/" if inside == Path(".qmoi") else f"/{inside.as_posix()}/"
    info = root / ".git" / "info"
    exclude = info / "exclude"
    try:
        current = exclude.read_text(encoding="utf-8") if exclude.exists() else ""
        if entry not in current.splitlines():
            info.mkdir(parents=True, exist_ok=True)
            prefix = "" if not current or current.endswith("\n") else "\n"
            with exclude.open("a", encoding="utf-8") as handle:
                handle.write(f"{prefix}{entry}\n")
    except OSError:
        pass  # a read-only checkout still works; it just shows the state folder as untracked
