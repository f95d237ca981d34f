"""Settings shared by workflows and jobs: permissions, defaults, concurrency, needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from qmoi.model.values import as_bool, expression_of, mapping
from qmoi.parse.nodes import Node, Scalar
from qmoi.source import Span


@dataclass(frozen=True, slots=True)
class PermissionScope:
    """One ``scope: level`` pair of a permissions mapping (``contents: read``)."""

    name: str
    level: str | None
    name_span: Span
    span: Span
    key: Scalar
    node: Node


@dataclass(frozen=True, slots=True)
class Permissions:
    """``permissions:`` — a shorthand scalar (``read-all``/``write-all``) or scopes.

    https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions
    ``permissions: {}`` gives no scopes and no shorthand: every scope is ``none``.
    """

    node: Node
    shorthand: Scalar | None = None
    scopes: tuple[PermissionScope, ...] = ()

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def is_mapping(self) -> bool:
        return mapping(self.node) is not None

    def level(self, scope: str) -> str | None:
        """The level written for ``scope`` (last wins), or None if not written."""
        for item in reversed(self.scopes):
            if item.name == scope:
                return item.level
        return None


@dataclass(frozen=True, slots=True)
class Defaults:
    """``defaults.run`` — the default ``shell`` and ``working-directory`` of run steps."""

    node: Node
    shell: Scalar | None = None
    working_directory: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span


@dataclass(frozen=True, slots=True)
class Concurrency:
    """``concurrency:`` — a group name, or ``{group, cancel-in-progress}``.

    Either value may be an expression string; ``cancel_in_progress`` keeps its scalar.
    """

    node: Node
    group: Scalar | None = None
    cancel_in_progress: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def cancels_in_progress(self) -> bool | None:
        """True/False when written as a boolean, None when absent or an expression."""
        return as_bool(self.cancel_in_progress)

    @property
    def cancel_expression(self) -> Scalar | None:
        return expression_of(self.cancel_in_progress)


class NeedsRef(NamedTuple):
    """One entry of ``needs:``: the job id it names and where it is written."""

    id: str
    span: Span
