"""The static types of the contexts, and builders for the ones a workflow defines.

Properties are those the contexts reference lists
(https://docs.github.com/en/actions/reference/workflows-and-actions/contexts) plus the few
the runner also sets (``github.output``, ``github.state``: GitHubContext.cs
https://github.com/actions/runner/blob/main/src/Runner.Worker/GitHubContext.cs;
``runner.workspace``: JobExtension.cs). ``github.event`` is the webhook payload, whose
shape depends on the event, so it stays ``any``.
Builders take plain names and parse nodes (this stage cannot see the typed model).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qmoi.expr.types import (
    ANY,
    BOOL,
    NULL,
    NUMBER,
    STRING,
    ArrayType,
    ObjectType,
    Type,
    join,
    map_of,
    obj,
    obj_of,
)
from qmoi.parse.nodes import Mapping as YMapping
from qmoi.parse.nodes import Node, Scalar, ScalarKind
from qmoi.parse.nodes import Sequence as YSequence

_GITHUB_STRINGS = (
    "action", "action_path", "action_ref", "action_repository", "action_status", "actor",
    "actor_id", "api_url", "base_ref", "env", "event_name", "event_path", "graphql_url",
    "head_ref", "job", "job_workflow_sha", "output", "path", "ref", "ref_name", "ref_type",
    "repository", "repository_id", "repository_owner", "repository_owner_id",
    "repositoryUrl", "retention_days", "run_id", "run_number", "run_attempt",
    "secret_source", "server_url", "sha", "state", "step_summary", "token",
    "triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace",
)
GITHUB = obj_of([*((name, STRING) for name in _GITHUB_STRINGS), ("event", ANY),
                 ("ref_protected", BOOL)])
RUNNER = obj_of((name, STRING) for name in (
    "name", "os", "arch", "temp", "tool_cache", "debug", "environment", "workspace"))
STRATEGY = obj({"fail-fast": BOOL, "job-index": NUMBER, "job-total": NUMBER,
                "max-parallel": NUMBER})
_CONTAINER = obj({"id": STRING, "network": STRING})
_SERVICE = obj({"id": STRING, "network": STRING, "ports": map_of(STRING)})
JOB = obj({"container": _CONTAINER, "services": map_of(_SERVICE), "status": STRING,
           "check_run_id": NUMBER, "workflow_ref": STRING, "workflow_sha": STRING,
           "workflow_repository": STRING, "workflow_file_path": STRING})
ENV = map_of(STRING)
VARS = map_of(STRING)
# GITHUB_TOKEN is always there; other secrets are the repository's, unknown here.
SECRETS = obj({"GITHUB_TOKEN": STRING}, rest=STRING)
_STEP = obj({"outputs": map_of(STRING), "outcome": STRING, "conclusion": STRING})

# The contexts whose type does not depend on the workflow.
FIXED: Mapping[str, Type] = {
    "github": GITHUB, "runner": RUNNER, "strategy": STRATEGY, "job": JOB, "env": ENV,
    "vars": VARS, "secrets": SECRETS,
}

_INPUT_TYPES: Mapping[str, Type] = {"boolean": BOOL, "number": NUMBER, "string": STRING,
                                    "choice": STRING, "environment": STRING}


def input_type(type_name: str | None) -> Type:
    """An input's value type; ``inputs`` keeps booleans and numbers typed
    (https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#inputs-context)."""
    if type_name is None:
        return STRING
    return _INPUT_TYPES.get(type_name, ANY)


def inputs_type(inputs: Iterable[tuple[str, str | None]] | None) -> ObjectType:
    """``inputs`` from declared (name, type) pairs; None when the inputs are unknown."""
    if inputs is None:
        return map_of(ANY)
    merged: dict[str, tuple[str, Type]] = {}
    for name, type_name in inputs:
        t = input_type(type_name)
        key = name.lower()
        merged[key] = (name, t if key not in merged else join(merged[key][1], t))
    return obj_of(merged.values())


def steps_type(ids: Iterable[str]) -> ObjectType:
    """``steps``: the steps with an id that ran before (outputs are always strings)."""
    return obj_of((step_id, _STEP) for step_id in ids)


def needs_type(jobs: Iterable[tuple[str, Iterable[str] | None]]) -> ObjectType:
    """``needs`` from (job id, declared output names or None when unknown) pairs."""
    return obj_of((job_id, _job_result(outputs)) for job_id, outputs in jobs)


def jobs_type(jobs: Iterable[tuple[str, Iterable[str] | None]]) -> ObjectType:
    """``jobs`` (in ``on.workflow_call.outputs``): every job of the workflow."""
    return needs_type(jobs)


def _job_result(outputs: Iterable[str] | None) -> ObjectType:
    declared = map_of(STRING) if outputs is None else obj_of(
        (name, STRING) for name in outputs)
    return obj({"result": STRING, "outputs": declared})


_SCALAR_TYPES: Mapping[ScalarKind, Type] = {
    ScalarKind.BOOL: BOOL, ScalarKind.INT: NUMBER, ScalarKind.FLOAT: NUMBER, ScalarKind.STR: STRING,
}


def node_type(node: Node) -> Type:
    """The type of a YAML value as GitHub reads it (a ``${{ }}`` string is unknown)."""
    if isinstance(node, Scalar):
        if node.kind is ScalarKind.STR and "${{" in node.value:
            return ANY
        return _SCALAR_TYPES.get(node.kind, NULL)
    if isinstance(node, YMapping):
        return obj_of((key.value, node_type(value)) for key, value in node.pairs)
    items = [node_type(item) for item in node.items]
    return _array(items)


def _array(items: list[Type]) -> ArrayType:
    result: Type | None = None
    for item in items:
        result = item if result is None else join(result, item)
    return ArrayType(ANY if result is None else result)


def matrix_type(matrix: Node | None) -> ObjectType:
    """``matrix`` from ``strategy.matrix``: its variables and the keys ``include`` adds.

    Loose when any part is an expression (its keys are known only at run time).
    No matrix at all gives an empty strict object: ``matrix.x`` is then always null.
    """
    if matrix is None:
        return obj()
    if not isinstance(matrix, YMapping):
        return map_of(ANY)
    props: dict[str, tuple[str, Type]] = {}
    loose = False
    for key, value in matrix.pairs:
        if key.value in ("include", "exclude"):
            if key.value == "include":
                loose |= not _add_include(props, value)
            elif not isinstance(value, YSequence):
                loose = True
            continue
        if isinstance(value, YSequence):
            _add(props, key.value, _array([node_type(item) for item in value.items]).item)
        else:
            loose = True
            _add(props, key.value, ANY)
    return obj_of(props.values(), rest=ANY if loose else None)


def _add_include(props: dict[str, tuple[str, Type]], value: Node) -> bool:
    if not isinstance(value, YSequence):
        return False
    complete = True
    for entry in value.items:
        if not isinstance(entry, YMapping):
            complete = False
            continue
        for key, item in entry.pairs:
            _add(props, key.value, node_type(item))
    return complete


def _add(props: dict[str, tuple[str, Type]], name: str, t: Type) -> None:
    key = name.lower()
    props[key] = (name, t if key not in props else join(props[key][1], t))
