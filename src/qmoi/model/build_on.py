"""Normalise ``on:`` — a string, a list of events, or an event → config mapping.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#on
"""

from __future__ import annotations

from qmoi.model.values import mapping, optional_scalars, scalar, scalars, sequence
from qmoi.model.workflow import (
    EventTrigger,
    OnForm,
    WorkflowInput,
    WorkflowOutput,
    WorkflowSecret,
)
from qmoi.parse.nodes import Mapping, Node, Scalar

_FILTERS = {
    "types": "types",
    "branches": "branches",
    "branches-ignore": "branches_ignore",
    "tags": "tags",
    "tags-ignore": "tags_ignore",
    "paths": "paths",
    "paths-ignore": "paths_ignore",
    "workflows": "workflows",
    "names": "names",
    "versions": "versions",
}


def build_on(node: Node | None) -> tuple[OnForm, tuple[EventTrigger, ...]]:
    if node is None:
        return "missing", ()
    if isinstance(node, Mapping):
        return "mapping", tuple(build_trigger(k, v) for k, v in node.pairs)
    if isinstance(node, Scalar):
        events = () if node.is_null else (EventTrigger(node.value, node.span, node),)
        return "string", events
    return "list", tuple(
        EventTrigger(item.value, item.span, item)
        for item in node.items
        if isinstance(item, Scalar)
    )


def build_trigger(key: Scalar, config: Node) -> EventTrigger:
    """One ``event: config`` pair of the mapping form (config may be null)."""
    name = key.value
    table = mapping(config)
    if name == "schedule":
        return EventTrigger(name, key.span, key, config, cron=_crons(config))
    if table is None:
        return EventTrigger(name, key.span, key, config)
    filters = {attr: optional_scalars(table.get(k)) for k, attr in _FILTERS.items()}
    return EventTrigger(
        name,
        key.span,
        key,
        config,
        types=filters["types"],
        branches=filters["branches"],
        branches_ignore=filters["branches_ignore"],
        tags=filters["tags"],
        tags_ignore=filters["tags_ignore"],
        paths=filters["paths"],
        paths_ignore=filters["paths_ignore"],
        workflows=filters["workflows"],
        names=filters["names"],
        versions=filters["versions"],
        inputs=_inputs(table.get("inputs")),
        outputs=_outputs(table.get("outputs")),
        secrets=_secrets(table.get("secrets")),
    )


def _crons(node: Node | None) -> tuple[Scalar, ...]:
    """``schedule: [{cron: '…'}, …]`` → the cron scalars, in order."""
    items = sequence(node)
    if items is None:
        return ()
    found: list[Scalar] = []
    for item in items.items:
        cron = scalar(item.get("cron")) if isinstance(item, Mapping) else None
        if cron is not None:
            found.append(cron)
    return tuple(found)


def _pairs(node: Node | None) -> tuple[tuple[Scalar, Node, Mapping | None], ...]:
    table = mapping(node)
    if table is None:
        return ()
    return tuple((k, v, mapping(v)) for k, v in table.pairs)


def _inputs(node: Node | None) -> tuple[WorkflowInput, ...]:
    found: list[WorkflowInput] = []
    for key, value, spec in _pairs(node):
        if spec is None:
            found.append(WorkflowInput(key.value, key.span, key, value))
            continue
        options = spec.get("options")
        found.append(
            WorkflowInput(
                key.value,
                key.span,
                key,
                value,
                description=scalar(spec.get("description")),
                required=scalar(spec.get("required")),
                type=scalar(spec.get("type")),
                default=spec.get("default"),
                options=None if options is None else scalars(options),
            )
        )
    return tuple(found)


def _outputs(node: Node | None) -> tuple[WorkflowOutput, ...]:
    return tuple(
        WorkflowOutput(
            key.value,
            key.span,
            key,
            value,
            description=None if spec is None else scalar(spec.get("description")),
            value=None if spec is None else scalar(spec.get("value")),
        )
        for key, value, spec in _pairs(node)
    )


def _secrets(node: Node | None) -> tuple[WorkflowSecret, ...]:
    return tuple(
        WorkflowSecret(
            key.value,
            key.span,
            key,
            value,
            description=None if spec is None else scalar(spec.get("description")),
            required=None if spec is None else scalar(spec.get("required")),
        )
        for key, value, spec in _pairs(node)
    )
