"""Build the typed :class:`Action` from a parsed ``action.yml`` root. Never raises on bad input.

https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax
"""

from __future__ import annotations

from qmoi.model.action import Action, ActionInput, ActionOutput, Branding, Runs
from qmoi.model.build_common import build_steps
from qmoi.model.values import entry_map, mapping, scalar, scalars
from qmoi.parse.nodes import Mapping, Node
from qmoi.source import SourceFile


def build_action(root: Mapping, source: SourceFile) -> Action:
    get = root.get
    return Action(
        source=source,
        root=root,
        name=scalar(get("name")),
        description=scalar(get("description")),
        author=scalar(get("author")),
        inputs=_inputs(get("inputs")),
        outputs=_outputs(get("outputs")),
        runs=build_runs(get("runs")),
        branding=_branding(get("branding")),
    )


def _inputs(node: Node | None) -> tuple[ActionInput, ...]:
    table = mapping(node)
    if table is None:
        return ()
    found: list[ActionInput] = []
    for key, value in table.pairs:
        spec = mapping(value)
        if spec is None:
            found.append(ActionInput(key.value, key.span, key, value))
            continue
        found.append(
            ActionInput(
                key.value,
                key.span,
                key,
                value,
                description=scalar(spec.get("description")),
                required=scalar(spec.get("required")),
                default=scalar(spec.get("default")),
                deprecation_message=scalar(spec.get("deprecationMessage")),
            )
        )
    return tuple(found)


def _outputs(node: Node | None) -> tuple[ActionOutput, ...]:
    table = mapping(node)
    if table is None:
        return ()
    found: list[ActionOutput] = []
    for key, value in table.pairs:
        spec = mapping(value)
        description = None if spec is None else scalar(spec.get("description"))
        output_value = None if spec is None else scalar(spec.get("value"))
        found.append(ActionOutput(key.value, key.span, key, value, description, output_value))
    return tuple(found)


def build_runs(node: Node | None) -> Runs | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Runs(node)
    get = table.get
    return Runs(
        node,
        using=scalar(get("using")),
        main=scalar(get("main")),
        pre=scalar(get("pre")),
        post=scalar(get("post")),
        pre_if=scalar(get("pre-if")),
        post_if=scalar(get("post-if")),
        image=scalar(get("image")),
        entrypoint=scalar(get("entrypoint")),
        pre_entrypoint=scalar(get("pre-entrypoint")),
        post_entrypoint=scalar(get("post-entrypoint")),
        args=scalars(get("args")),
        env=entry_map(get("env")),
        steps=build_steps(get("steps")),
    )


def _branding(node: Node | None) -> Branding | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Branding(node)
    return Branding(node, scalar(table.get("icon")), scalar(table.get("color")))
