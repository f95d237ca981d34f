"""Reading an action's metadata (``action.yml`` / ``action.yaml``) from its folder, with the
checks the runner makes when it loads one (R:src/Runner.Worker/ActionManifestManager.cs):
``runs.using`` must be a known kind, a node action needs ``main``, a composite's ``run``
steps need ``shell``. Problems become messages located in the file.

https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax
"""

from __future__ import annotations

import threading
from pathlib import Path

from qmoi.diagnostics import Severity
from qmoi.errors import QmoiError
from qmoi.model import Action, build_action
from qmoi.parse import Mapping, parse_yaml, read_source
from qmoi.source import SourceFile, Span

ACTION_FILES = ("action.yml", "action.yaml")
_CACHE: dict[tuple[str, int, int], Action] = {}
_LOCK = threading.Lock()


class ActionError(QmoiError):
    """An action that cannot be found, loaded or run here."""


def _where(source: SourceFile, span: Span) -> str:
    at = source.position(span.start)
    return f"{source.path}:{at.line}:{at.column}"


def metadata_file(folder: Path) -> Path | None:
    for name in ACTION_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_action(folder: Path, shown: str) -> tuple[Action, Path]:
    """The action in ``folder`` and its metadata file; ``shown`` names it in messages."""
    path = metadata_file(folder)
    if path is None:
        if (folder / "Dockerfile").is_file():
            # No metadata but a Dockerfile: the runner builds and runs it as a Docker
            # action with no inputs (ActionManager.cs).
            return _dockerfile_action(folder, shown), folder / "Dockerfile"
        raise ActionError(f"Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under "
                          f"'{folder}'. Did you forget to run actions/checkout before running "
                          f"your local action?")
    info = path.stat()
    key = (str(path), info.st_mtime_ns, info.st_size)
    with _LOCK:
        found = _CACHE.get(key)
    if found is None:
        found = _read(path, shown)
        with _LOCK:
            _CACHE[key] = found
    return found, path


def _dockerfile_action(folder: Path, shown: str) -> Action:
    source = SourceFile(f"{shown} (Dockerfile)", "runs:\n  using: docker\n  image: Dockerfile\n")
    parsed = parse_yaml(source)
    assert isinstance(parsed.root, Mapping)  # the text above is a mapping
    return build_action(parsed.root, source)


def _read(path: Path, shown: str) -> Action:
    source, problems = read_source(path, f"{shown} ({path.name})")
    if problems:
        raise ActionError(f"{problems[0].path}: {problems[0].message}")
    parsed = parse_yaml(source)
    errors = [d for d in parsed.diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise ActionError(f"{_where(source, errors[0].span)}: {errors[0].message}")
    if not isinstance(parsed.root, Mapping):
        raise ActionError(f"{source.path}: the action metadata must be a mapping")
    action = build_action(parsed.root, source)
    _validate(action)
    return action


def _validate(action: Action) -> None:
    source, runs = action.source, action.runs
    if runs is None or runs.using is None:
        at = action.root.span if runs is None else runs.span
        raise ActionError(f"{_where(source, at)}: the action has no 'runs.using'")
    if runs.kind is None:
        raise ActionError(f"{_where(source, runs.using.span)}: 'runs.using: "
                          f"{runs.using.value}' is not a kind of action the runner knows "
                          "(composite, docker, node12, node16, node20, node24)")
    if runs.kind == "node" and (runs.main is None or not runs.main.value):
        raise ActionError(f"{_where(source, runs.span)}: a JavaScript action needs "
                          "'runs.main'")
    if runs.kind == "composite":
        for step in runs.steps:
            if step.run is not None and step.shell is None:
                raise ActionError(f"{_where(source, step.span)}: Required property is "
                                  "missing: shell (every run step of a composite action "
                                  "names its shell)")
