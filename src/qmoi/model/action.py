"""Action metadata (``action.yml``).

https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qmoi.model.step import Step
from qmoi.model.values import EMPTY, EntryMap
from qmoi.parse.nodes import Mapping, Node, Scalar
from qmoi.source import SourceFile, Span

RunsKind = Literal["composite", "node", "docker"]

NODE_RUNTIMES = frozenset({"node12", "node16", "node20", "node24"})
"""``runs.using`` values of JavaScript actions the runner knows (gha-semantics.md §3.11)."""


@dataclass(frozen=True, slots=True)
class ActionInput:
    """An input an ``action.yml`` declares, with the nodes it was read from."""

    name: str
    name_span: Span
    key: Scalar
    node: Node
    description: Scalar | None = None
    required: Scalar | None = None
    default: Scalar | None = None
    deprecation_message: Scalar | None = None

    @property
    def is_required(self) -> bool:
        return self.required is not None and self.required.as_bool() is True


@dataclass(frozen=True, slots=True)
class ActionOutput:
    """An output; ``value`` is set (and required) for composite actions only."""

    name: str
    name_span: Span
    key: Scalar
    node: Node
    description: Scalar | None = None
    value: Scalar | None = None


@dataclass(frozen=True, slots=True)
class Runs:
    """``runs:`` of any kind. Fields that do not apply to the kind stay None / empty."""

    node: Node
    using: Scalar | None = None
    main: Scalar | None = None
    pre: Scalar | None = None
    post: Scalar | None = None
    pre_if: Scalar | None = None
    post_if: Scalar | None = None
    image: Scalar | None = None
    entrypoint: Scalar | None = None
    pre_entrypoint: Scalar | None = None
    post_entrypoint: Scalar | None = None
    args: tuple[Scalar, ...] = ()
    env: EntryMap = EMPTY
    steps: tuple[Step, ...] = ()

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def kind(self) -> RunsKind | None:
        if self.using is None:
            return None
        using = self.using.value
        if using == "composite":
            return "composite"
        if using == "docker":
            return "docker"
        if using in NODE_RUNTIMES:
            return "node"
        return None


@dataclass(frozen=True, slots=True)
class Branding:
    """An action's ``branding``: its Marketplace icon and colour."""

    node: Node
    icon: Scalar | None = None
    color: Scalar | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A typed ``action.yml``: its metadata, inputs, outputs, ``runs`` and branding."""

    source: SourceFile
    root: Mapping
    name: Scalar | None = None
    description: Scalar | None = None
    author: Scalar | None = None
    inputs: tuple[ActionInput, ...] = ()
    outputs: tuple[ActionOutput, ...] = ()
    runs: Runs | None = None
    branding: Branding | None = None

    @property
    def span(self) -> Span:
        return self.root.span

    def input(self, name: str) -> ActionInput | None:
        """The input called ``name``; input ids are case-insensitive, as the runner reads them."""
        folded = name.casefold()
        for item in reversed(self.inputs):
            if item.name.casefold() == folded:
                return item
        return None
