"""Where a ``uses:`` action lives: ``./path`` in the job's workspace (it must be there, as
on GitHub, where it has to be checked out first), ``owner/repo[/path]@ref`` in the action
cache (``qmoi actions pull``), ``docker://`` nowhere without a container engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qmoi.execute.actions.cache import ActionSpec, find
from qmoi.execute.actions.metadata import ActionError, load_action
from qmoi.model import Action, ActionRef


@dataclass(frozen=True, slots=True)
class Located:
    """A found action: its folder and metadata, the name shown in messages, and
    ``github.action_repository`` / ``action_ref`` (empty for a local action)."""

    folder: Path
    action: Action
    shown: str
    repository: str = ""
    ref: str = ""

    @property
    def local(self) -> bool:
        return not self.repository


def locate_remote(ref: ActionRef) -> Located:
    if ref.kind == "docker":
        raise ActionError(f"action {ref.raw} is an image, not an action to look up")
    if not ref.is_valid or ref.owner is None or ref.repo is None or ref.ref is None:
        raise ActionError(f"'{ref.raw}' is not a valid action reference "
                          "(owner/repo[/path]@ref, ./path or docker://image)")
    spec = ActionSpec(ref.owner, ref.repo, ref.ref)
    cached = find(spec)
    if cached is None:
        raise ActionError(f"action {ref.raw} is not in the action cache; fetch it once "
                          f"while online with: qmoi actions pull {spec.display}")
    folder = cached.path / ref.path if ref.path else cached.path
    action, _ = load_action(folder, ref.raw)
    return Located(folder, action, ref.raw, f"{ref.owner}/{ref.repo}", ref.ref)


def locate_local(ref: ActionRef, workspace: Path) -> Located:
    folder = workspace / (ref.path or ".")
    action, _ = load_action(folder, ref.raw)
    return Located(folder, action, ref.raw)
