"""Builders shared by workflow, job and action readers (all total: bad input → None/empty)."""

from __future__ import annotations

from qmoi.model.common import Concurrency, Defaults, NeedsRef, Permissions, PermissionScope
from qmoi.model.step import Step, parse_action_ref
from qmoi.model.values import (
    as_str,
    entry_map,
    mapping,
    optional_scalars,
    scalar,
    scalars,
    sequence,
)
from qmoi.parse.nodes import Mapping, Node, Scalar


def build_permissions(node: Node | None) -> Permissions | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Permissions(node, shorthand=scalar(node))
    scopes = tuple(
        PermissionScope(k.value, as_str(v), k.span, v.span, k, v) for k, v in table.pairs
    )
    return Permissions(node, scopes=scopes)


def build_defaults(node: Node | None) -> Defaults | None:
    if node is None:
        return None
    table = mapping(node)
    run = None if table is None else mapping(table.get("run"))
    if run is None:
        return Defaults(node)
    return Defaults(node, scalar(run.get("shell")), scalar(run.get("working-directory")))


def build_concurrency(node: Node | None) -> Concurrency | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Concurrency(node, group=scalar(node))
    return Concurrency(node, scalar(table.get("group")), scalar(table.get("cancel-in-progress")))


def build_needs(node: Node | None) -> tuple[NeedsRef, ...]:
    """``needs: a`` or ``needs: [a, b]`` → refs in order (empty names are kept for rules)."""
    return tuple(NeedsRef(item.value, item.span) for item in scalars(node))


def build_steps(node: Node | None) -> tuple[Step, ...]:
    """The mapping items of a ``steps`` list; ``parallel`` groups are read recursively
    (the parser bounds nesting depth, so recursion here is bounded too)."""
    items = sequence(node)
    if items is None:
        return ()
    return tuple(
        build_step(index, item) for index, item in enumerate(items.items)
        if isinstance(item, Mapping)
    )


def build_step(index: int, node: Mapping) -> Step:
    # One pass over the pairs, then C-level dict lookups: a step sets two or three of the
    # nineteen fields, and this runs for every step of every file.
    table = node.index  # the parser's: key → the value of its last pair, as YAML's
    if table is None:
        table = {key.value: value for key, value in node.pairs}
    plain = {key: value for key, value in table.items() if isinstance(value, Scalar)}
    get = plain.get
    uses = get("uses")
    action = None if uses is None else parse_action_ref(uses.value, uses.span)
    return Step(
        index=index,
        node=node,
        id=get("id"),
        name=get("name"),
        if_=get("if"),
        uses=uses,
        action=action,
        run=get("run"),
        shell=get("shell"),
        with_=entry_map(table.get("with")),
        env=entry_map(table.get("env")),
        working_directory=get("working-directory"),
        continue_on_error=get("continue-on-error"),
        timeout_minutes=get("timeout-minutes"),
        background=get("background"),
        wait=optional_scalars(table.get("wait")),
        wait_all="wait-all" in table,
        cancel=get("cancel"),
        parallel=build_steps(table["parallel"]) if "parallel" in table else None,
    )
