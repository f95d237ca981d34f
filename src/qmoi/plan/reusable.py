"""Calling a reusable workflow (``jobs.<id>.uses: ./.github/workflows/x.yml``): the callee
loaded and checked, its ``inputs`` typed from the call's ``with`` (undeclared inputs and
missing required ones are errors), its secrets (``secrets: inherit`` passes the caller's),
and its outputs (``on.workflow_call.outputs`` over the ``jobs`` context).

https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
(gha-semantics §3.12). Limits: "You can connect a maximum of ten levels of workflows - that
is, the top-level caller workflow and up to nine levels of reusable workflows" and "You can
call a maximum of 20 unique reusable workflows from a single workflow file"
(https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows#nesting-reusable-workflows).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qmoi.errors import QmoiError
from qmoi.expr import to_display_string
from qmoi.model import ReusableCall, Workflow
from qmoi.model.workflow import EventTrigger
from qmoi.plan.checkcache import CleanCache
from qmoi.plan.load import LoadedWorkflow, load_workflow
from qmoi.plan.values import Contexts, EvaluationError, render_node, render_text

MAX_LEVELS = 10
MAX_UNIQUE_CALLED = 20


class CallError(QmoiError):
    """A reusable-workflow call that cannot run."""


def _where(workflow: Workflow, call: ReusableCall) -> str:
    at = workflow.source.position((call.uses or call.key).span.start)
    return f"{workflow.source.path}:{at.line}:{at.column}"


def callee_path(caller: LoadedWorkflow, call: ReusableCall, root: Path) -> tuple[Path, str]:
    """The called file and its repository path."""
    ref = call.workflow
    written = call.uses.value if call.uses is not None else ""
    if ref is None or ref.kind != "local" or not ref.path:
        raise CallError(f"{_where(caller.workflow, call)}: reusable workflow '{written}' is "
                        "in another repository; qmoi run calls workflows of this repository "
                        "(./.github/workflows/...) only")
    relative = ref.path.removeprefix("./")
    path = root / relative
    if not path.is_file():
        raise CallError(f"{_where(caller.workflow, call)}: reusable workflow '{written}' "
                        f"was not found ({path} does not exist)")
    return path, relative


def load_callee(caller: LoadedWorkflow, call: ReusableCall, root: Path,
                cache_dir: Path | None = None) -> LoadedWorkflow:
    path, relative = callee_path(caller, call, root)
    cache = None if cache_dir is None else CleanCache(cache_dir / "run-check.json")
    loaded = load_workflow(path, relative, root, cache)
    if cache is not None:
        cache.save()
    if loaded.workflow.event("workflow_call") is None:
        raise CallError(f"{_where(caller.workflow, call)}: {relative} is not a reusable "
                        "workflow (it has no 'on: workflow_call')")
    return loaded


def _trigger(callee: LoadedWorkflow) -> EventTrigger:
    trigger = callee.workflow.event("workflow_call")
    assert trigger is not None  # load_callee checked it
    return trigger


def _typed(kind: str | None, value: Any, name: str, where: str) -> Any:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        number = _number(value)
        if number is not None:
            return number
    else:
        return value if isinstance(value, str) else to_display_string(value)
    raise CallError(f"{where}: input '{name}' expects a {kind}, got {value!r}")


def _number(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def call_inputs(caller: LoadedWorkflow, call: ReusableCall, callee: LoadedWorkflow,
                contexts: Contexts) -> dict[str, Any]:
    """The callee's ``inputs`` context. ``contexts`` are the caller job's (github, needs,
    strategy, matrix, inputs, vars)."""
    where = _where(caller.workflow, call)
    declared = {item.name.casefold(): item for item in _trigger(callee).inputs}
    given: dict[str, Any] = {}
    for entry in call.with_:
        if entry.name.casefold() not in declared:
            raise CallError(f"{where}: Invalid input, {entry.name} is not defined in the "
                            "referenced workflow.")
        given[entry.name.casefold()] = render_node(entry.node, contexts,
                                                   caller.workflow.source)
    defaults = {"github": contexts.get("github", {}), "vars": contexts.get("vars", {}),
                "inputs": {}}
    values: dict[str, Any] = {}
    for key, item in declared.items():
        if key in given:
            values[item.name] = _typed(item.type_name, given[key], item.name, where)
        elif item.default is not None:
            default = render_node(item.default, defaults, callee.workflow.source)
            values[item.name] = _typed(item.type_name, default, item.name, where)
        elif item.is_required:
            raise CallError(f"{where}: Input {item.name} is required, but not provided while "
                            "calling.")
        else:
            values[item.name] = {"boolean": False, "number": 0}.get(item.type_name or "", "")
    return values


def call_secrets(caller: LoadedWorkflow, call: ReusableCall, callee: LoadedWorkflow,
                 contexts: Contexts, secrets: Mapping[str, str]) -> dict[str, str]:
    """The callee's secrets: all of the caller's with ``secrets: inherit``, else the mapped
    ones (``GITHUB_TOKEN`` is always there; the executor adds it)."""
    if call.secrets_inherit:
        return dict(secrets)
    where = _where(caller.workflow, call)
    declared = {item.name.casefold(): item for item in _trigger(callee).secrets}
    scoped = {**contexts, "secrets": {"GITHUB_TOKEN": "", **secrets}}
    values: dict[str, str] = {}
    for entry in call.secrets:
        if entry.name.casefold() not in declared:
            raise CallError(f"{where}: Invalid secret, {entry.name} is not defined in the "
                            "referenced workflow.")
        values[declared[entry.name.casefold()].name] = render_text(
            entry.scalar, scoped, caller.workflow.source)
    for item in declared.values():
        if item.is_required and item.name not in values:
            raise CallError(f"{where}: Secret {item.name} is required, but not provided "
                            "while calling.")
    return values


def call_outputs(callee: LoadedWorkflow, jobs: Mapping[str, Any], contexts: Contexts
                 ) -> tuple[dict[str, str], list[str]]:
    """``on.workflow_call.outputs`` over the ``jobs`` context (each called job's result and
    outputs); errors are returned, one message each, the output left out."""
    scoped = {"github": contexts.get("github", {}), "vars": contexts.get("vars", {}),
              "inputs": contexts.get("inputs", {}), "jobs": dict(jobs)}
    values: dict[str, str] = {}
    errors: list[str] = []
    for output in _trigger(callee).outputs:
        try:
            values[output.name] = render_text(output.value, scoped, callee.workflow.source)
        except EvaluationError as error:
            errors.append(str(error))
    return values, errors
