"""The workflow file: its triggers, top-level settings and jobs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qmoi.model.common import Concurrency, Defaults, Permissions
from qmoi.model.values import EMPTY, EntryMap
from qmoi.parse.nodes import Mapping, Node, Scalar
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    from qmoi.model.job import Job, ReusableCall

OnForm = Literal["string", "list", "mapping", "missing"]


@dataclass(frozen=True, slots=True)
class WorkflowInput:
    """An input of ``workflow_dispatch`` or ``workflow_call``.

    https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
    ("on.workflow_dispatch.inputs", "on.workflow_call.inputs").
    """

    name: str
    name_span: Span
    key: Scalar
    node: Node
    description: Scalar | None = None
    required: Scalar | None = None
    type: Scalar | None = None
    default: Node | None = None
    options: tuple[Scalar, ...] | None = None

    @property
    def is_required(self) -> bool:
        return self.required is not None and self.required.as_bool() is True

    @property
    def type_name(self) -> str | None:
        return None if self.type is None else self.type.value


@dataclass(frozen=True, slots=True)
class WorkflowOutput:
    """An output of ``workflow_call`` (``value`` usually reads ``jobs.<id>.outputs``)."""

    name: str
    name_span: Span
    key: Scalar
    node: Node
    description: Scalar | None = None
    value: Scalar | None = None


@dataclass(frozen=True, slots=True)
class WorkflowSecret:
    """A secret declared by ``workflow_call``."""

    name: str
    name_span: Span
    key: Scalar
    node: Node
    description: Scalar | None = None
    required: Scalar | None = None

    @property
    def is_required(self) -> bool:
        return self.required is not None and self.required.as_bool() is True


@dataclass(frozen=True, slots=True)
class EventTrigger:
    """One event of ``on:``, normalised from any of the three forms.

    A filter is None when it is not written and a (possibly empty) tuple when it is, since
    "no ``branches``" and "``branches: []``" mean different things.
    """

    name: str
    span: Span
    key: Scalar
    config: Node | None = None
    types: tuple[Scalar, ...] | None = None
    branches: tuple[Scalar, ...] | None = None
    branches_ignore: tuple[Scalar, ...] | None = None
    tags: tuple[Scalar, ...] | None = None
    tags_ignore: tuple[Scalar, ...] | None = None
    paths: tuple[Scalar, ...] | None = None
    paths_ignore: tuple[Scalar, ...] | None = None
    workflows: tuple[Scalar, ...] | None = None
    names: tuple[Scalar, ...] | None = None
    versions: tuple[Scalar, ...] | None = None
    cron: tuple[Scalar, ...] = ()
    inputs: tuple[WorkflowInput, ...] = ()
    outputs: tuple[WorkflowOutput, ...] = ()
    secrets: tuple[WorkflowSecret, ...] = ()

    @property
    def type_names(self) -> tuple[str, ...] | None:
        return None if self.types is None else tuple(t.value for t in self.types)

    def input(self, name: str) -> WorkflowInput | None:
        for item in reversed(self.inputs):
            if item.name == name:
                return item
        return None


@dataclass(frozen=True, slots=True)
class Workflow:
    """A workflow file. ``jobs`` are in file order; every value keeps its span."""

    source: SourceFile
    root: Mapping
    name: Scalar | None = None
    run_name: Scalar | None = None
    on: tuple[EventTrigger, ...] = ()
    on_form: OnForm = "missing"
    on_node: Node | None = None
    permissions: Permissions | None = None
    env: EntryMap = EMPTY
    defaults: Defaults | None = None
    concurrency: Concurrency | None = None
    jobs: tuple[Job | ReusableCall, ...] = ()

    @property
    def span(self) -> Span:
        return self.root.span

    def event(self, name: str) -> EventTrigger | None:
        """The trigger for ``name`` (the last one if it is written twice)."""
        for trigger in reversed(self.on):
            if trigger.name == name:
                return trigger
        return None

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(trigger.name for trigger in self.on)

    def job(self, job_id: str) -> Job | ReusableCall | None:
        """The job with this id, compared case-insensitively as ``needs:`` ids are
        (actionlint matches them the same way)."""
        folded = job_id.casefold()
        for job in reversed(self.jobs):
            if job.id.casefold() == folded:
                return job
        return None

    def __iter__(self) -> Iterator[Job | ReusableCall]:
        return iter(self.jobs)

    @property
    def is_reusable(self) -> bool:
        """Whether the workflow can be called (``on: workflow_call``)."""
        return self.event("workflow_call") is not None
