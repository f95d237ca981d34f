"""What ``qmoi run`` reads besides the workflows: the repository's root, the event, NAME=VALUE
options, dotenv files and secrets (user mistakes become ``UsageError``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qmoi.errors import UsageError


def _root(cwd: Path, workflows: list[Path]) -> Path:
    from qmoi.discover import find_repo_root

    for start in (cwd, *(w if w.is_dir() else w.parent for w in workflows)):
        found = find_repo_root(start)
        if found is not None and (found / ".git").exists():
            return found
    raise UsageError(f"no git repository found at or above {cwd}; qmoi run needs one")


def _event(root: Path, name: str, path: Path | None, inputs: dict[str, str],
           query: Any = None) -> Any:
    from qmoi.plan import load_event, synthesise_event

    if path is not None:
        return load_event(path, name, root, inputs, query)
    return synthesise_event(root, name, inputs, query)


def _dry_run_info() -> Any:
    from qmoi.plan import RunInfo

    return RunInfo("0")


def _pairs(values: list[str], option: str, separator: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition(separator)
        if not sep or not name:
            raise UsageError(f"{option} expects NAME{separator}VALUE, got {value!r}")
        found[name] = text
    return found


def _file(path: Path | None) -> dict[str, str]:
    from qmoi.plan.dotenv import read_dotenv

    return {} if path is None else read_dotenv(path)


def _secrets(given: list[str], path: Path | None) -> dict[str, str]:
    found = _file(path)
    for item in given:
        name, sep, value = item.partition("=")
        if not sep:
            if name not in os.environ:
                raise UsageError(f"secret {name} is not set in the environment; "
                                 f"use -s {name}=VALUE")
            value = os.environ[name]
        found[name] = value
    return found
