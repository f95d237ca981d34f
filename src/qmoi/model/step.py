"""Steps (of a job or a composite action) and the action reference in ``uses:``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qmoi.model.values import EMPTY, EntryMap
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span

RefKind = Literal["local", "docker", "remote"]
StepKind = Literal["run", "uses", "wait", "wait-all", "cancel", "parallel"]


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A parsed ``uses:`` value.

    Forms (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
    "jobs.<job_id>.steps[*].uses"): ``./path`` (in the workspace), ``docker://image``,
    ``owner/repo[/path]@ref``. A remote reference missing its owner, repo or ref keeps those
    fields None; :attr:`is_valid` tells.
    """

    raw: str
    span: Span
    kind: RefKind
    owner: str | None = None
    repo: str | None = None
    path: str | None = None
    ref: str | None = None
    image: str | None = None
    # The reference without its ref (``owner/repo/path``, ``./path`` or the image), and
    # that lower-cased, as rules look actions up: made once, as several rules read them
    # for every step.
    name: str = field(init=False, compare=False, repr=False)
    name_lower: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind == "local":
            name = self.raw
        elif self.kind == "docker":
            name = self.image or ""
        else:
            name = "/".join(p for p in (self.owner, self.repo, self.path) if p)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "name_lower", name.lower())

    @property
    def is_valid(self) -> bool:
        if self.kind == "local":
            return bool(self.path)
        if self.kind == "docker":
            return bool(self.image)
        return bool(self.owner and self.repo and self.ref)

    @property
    def repository(self) -> str | None:
        """``owner/repo`` of a remote reference."""
        if self.owner and self.repo:
            return f"{self.owner}/{self.repo}"
        return None


def parse_action_ref(text: str, span: Span) -> ActionRef:
    """Parse a ``uses:`` string; never raises (malformed parts become None)."""
    raw = text.strip()
    if raw.startswith("./") or raw == ".":
        return ActionRef(raw, span, "local", path=raw)
    if raw.startswith("docker://"):
        return ActionRef(raw, span, "docker", image=raw[len("docker://") :])
    # The runner splits on '@' and requires exactly two parts, so a second '@' is malformed.
    name, at, ref = raw.partition("@")
    parts = name.split("/")
    owner = parts[0] or None
    repo = parts[1] if len(parts) > 1 and parts[1] else None
    path = "/".join(parts[2:]) or None
    good_ref = ref if at and ref and "@" not in ref else None
    return ActionRef(raw, span, "remote", owner, repo, path, good_ref)


@dataclass(frozen=True, slots=True)
class Step:
    """One step: ``run``, ``uses``, or one of the background-step controls.

    ``index`` is the step's position in its ``steps`` list (0-based, counting every item;
    inside ``parallel`` it counts within the group). Background steps
    (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
    "jobs.<job_id>.steps[*].background", "wait", "wait-all", "cancel", "parallel"):
    ``background: true`` starts a run/uses step asynchronously; ``wait`` names step ids,
    ``wait-all`` takes no value (``wait_all`` tells whether the key is present), ``cancel``
    names one id, and ``parallel`` holds a group of steps.
    """

    index: int
    node: Mapping
    id: Scalar | None = None
    name: Scalar | None = None
    if_: Scalar | None = None
    uses: Scalar | None = None
    action: ActionRef | None = None
    run: Scalar | None = None
    shell: Scalar | None = None
    with_: EntryMap = EMPTY
    env: EntryMap = EMPTY
    working_directory: Scalar | None = None
    continue_on_error: Scalar | None = None
    timeout_minutes: Scalar | None = None
    background: Scalar | None = None
    wait: tuple[Scalar, ...] | None = None
    wait_all: bool = False
    cancel: Scalar | None = None
    parallel: tuple[Step, ...] | None = None

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def kind(self) -> StepKind | None:
        """What the step does, when exactly one of the deciding keys is set; else None."""
        present: list[StepKind] = []
        if self.run is not None:
            present.append("run")
        if self.uses is not None:
            present.append("uses")
        if self.wait is not None:
            present.append("wait")
        if self.wait_all:
            present.append("wait-all")
        if self.cancel is not None:
            present.append("cancel")
        if self.parallel is not None:
            present.append("parallel")
        return present[0] if len(present) == 1 else None

    @property
    def is_background(self) -> bool:
        return self.background is not None and self.background.as_bool() is True

    @property
    def display_name(self) -> str:
        """The name GitHub shows: ``name``, else ``Run <first line>`` or ``Run <uses>``."""
        if self.name is not None and self.name.value:
            return self.name.value
        if self.run is not None:
            first = self.run.value.strip().splitlines()
            return f"Run {first[0] if first else ''}".rstrip()
        if self.uses is not None:
            return f"Run {self.uses.value}"
        return f"Step {self.index + 1}"
