"""What each expression of a workflow or action.yml can see: context types per job and step.

Built from the parsed document (this stage comes before the typed model):
``inputs`` from ``on.workflow_dispatch`` / ``on.workflow_call`` declarations, ``matrix`` from
the job's ``strategy.matrix``, ``needs`` from the jobs named in ``needs:`` and their declared
``outputs``, ``steps`` from the earlier steps that have an ``id``
(https://docs.github.com/en/actions/reference/workflows-and-actions/contexts).
Notes explain why a ``steps.<id>`` or ``needs.<id>`` is unknown (a later step, a job that
is not needed).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass

from qmoi.expr import context_types as ct
from qmoi.expr.typecheck import Scope
from qmoi.expr.types import ANY, STRING, ObjectType, Type, map_of, obj_of
from qmoi.parse.nodes import Mapping, Node, Scalar, Sequence


def _mapping(node: Node | None) -> Mapping | None:
    return node if isinstance(node, Mapping) else None


def _get(node: Node | None, key: str) -> Node | None:
    return node.get(key) if isinstance(node, Mapping) else None


def _names(node: Node | None) -> list[str]:
    if isinstance(node, Scalar):
        return [node.value] if node.value else []
    if isinstance(node, Sequence):
        return [item.value for item in node.items if isinstance(item, Scalar) and item.value]
    return []


def _events(on: Node | None) -> Iterator[tuple[str, Node | None]]:
    if isinstance(on, Mapping):
        yield from ((key.value, value) for key, value in on.pairs)
    else:
        yield from ((name, None) for name in _names(on))


def workflow_inputs(root: Mapping) -> ObjectType:
    """``inputs``: declared inputs of workflow_dispatch and workflow_call (their union).

    Without either trigger there are no inputs, and ``inputs.x`` is always null.
    """
    on = root.get("on")
    if on is None:
        return map_of(ANY)
    declared: list[tuple[str, str | None]] = []
    for name, config in _events(on):
        if name not in ("workflow_dispatch", "workflow_call"):
            continue
        inputs = _get(config, "inputs")
        for key, spec in inputs.pairs if isinstance(inputs, Mapping) else ():
            kind = _get(spec, "type")
            declared.append((key.value, kind.value if isinstance(kind, Scalar) else None))
    return ct.inputs_type(declared)


@dataclass(frozen=True, slots=True)
class _Job:
    """What the scopes need of one job: its declared outputs and the steps that have an ``id``."""

    id: str
    node: Mapping
    outputs: tuple[str, ...] | None
    step_ids: tuple[tuple[int, str, int], ...]  # (index, id, offset of the id)


def _job_info(key: Scalar, node: Mapping) -> _Job:
    outputs = node.get("outputs")
    names = tuple(k.value for k, _ in outputs.pairs) if isinstance(outputs, Mapping) else (
        None if outputs is not None or node.get("uses") is not None else ())
    return _Job(key.value, node, names, _step_ids(node.get("steps")))


def _step_ids(steps: Node | None) -> tuple[tuple[int, str, int], ...]:
    found: list[tuple[int, str, int]] = []
    for index, step in enumerate(steps.items if isinstance(steps, Sequence) else ()):
        step_id = step.get("id") if isinstance(step, Mapping) else None
        if isinstance(step_id, Scalar) and step_id.value:
            found.append((index, step_id.value, step_id.span.start))
    return tuple(found)


def _index(step_id: tuple[int, str, int]) -> int:
    return step_id[0]


def _steps_scope(ids: tuple[tuple[int, str, int], ...], seen: int | None
                 ) -> tuple[ObjectType, dict[str, str]]:
    if seen is None:
        return ct.steps_type(step_id for _, step_id, _ in ids), {}
    before = [step_id for index, step_id, _ in ids if index < seen]
    notes: dict[str, str] = {}
    for index, step_id, _ in ids:
        if index == seen:
            notes[f"steps.{step_id.lower()}"] = (
                f"step '{step_id}' is this step: its outputs and outcome exist only after "
                "it has run")
        elif index > seen:
            notes[f"steps.{step_id.lower()}"] = (
                f"step '{step_id}' runs after this step, so it has no outputs or outcome "
                "yet; only earlier steps can be referenced")
    return ct.steps_type(before), notes


def github_type(root: Mapping) -> ObjectType:
    """``github``, with ``github.event.inputs`` typed when only workflow_dispatch can set
    it (strings: https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch).
    A called workflow sees its caller's event, whose inputs are unknown here."""
    events = dict(_events(root.get("on")))
    if "workflow_dispatch" not in events or "workflow_call" in events:
        return ct.GITHUB
    inputs = _get(events["workflow_dispatch"], "inputs")
    names = [key.value for key, _ in inputs.pairs] if isinstance(inputs, Mapping) else []
    event = obj_of([("inputs", obj_of((name, STRING) for name in names))], rest=ANY)
    return obj_of([*((n, t) for n, t in ct.GITHUB.props if n != "event"), ("event", event)])


class WorkflowScopes:
    def __init__(self, root: Mapping) -> None:
        self.base: dict[str, Type] = {**ct.FIXED, "inputs": workflow_inputs(root),
                                      "github": github_type(root)}
        jobs = _mapping(root.get("jobs"))
        self.jobs = {key.value.lower(): _job_info(key, node) for key, node in
                     (jobs.pairs if jobs else ()) if isinstance(node, Mapping)}
        self._cache: dict[int, tuple[dict[str, Type], frozenset[str]]] = {}
        self._steps: dict[tuple[int, int, bool], Scope] = {}

    def top(self) -> Scope:
        return Scope(self.base)

    def call_outputs(self) -> Scope:
        """``on.workflow_call.outputs``: the only place with the ``jobs`` context."""
        jobs = ct.jobs_type((job.id, job.outputs) for job in self.jobs.values())
        return Scope({**self.base, "jobs": jobs})

    def job(self, key: Scalar, steps_seen: int | None = None) -> Scope:
        """The scope inside job ``key``; ``steps_seen`` is the index of the step being
        checked (earlier steps are visible), or None for job-level keys that run after
        every step (``outputs``, ``environment.url``)."""
        info = self.jobs.get(key.value.lower())
        if info is None:
            return Scope(self.base)
        # A step sees what every step between two steps with an id sees, so the scope is
        # built once per job and such stretch (the checker never changes a scope).
        ids = info.step_ids
        if steps_seen is None:
            state: tuple[int, int, bool] = (id(info), -1, False)
        else:
            before = bisect.bisect_left(ids, steps_seen, key=_index)
            state = (id(info), before, before < len(ids) and ids[before][0] == steps_seen)
        scope = self._steps.get(state)
        if scope is None:
            contexts, needed = self._job_contexts(info)
            steps, step_notes = _steps_scope(ids, steps_seen)
            scope = Scope({**contexts, "steps": steps}, None,
                          _Notes(self.jobs, info, needed, step_notes))
            self._steps[state] = scope
        return scope

    def _job_contexts(self, info: _Job) -> tuple[dict[str, Type], frozenset[str]]:
        cached = self._cache.get(id(info))
        if cached is None:
            cached = self._build(info)
            self._cache[id(info)] = cached
        return cached

    def _build(self, info: _Job) -> tuple[dict[str, Type], frozenset[str]]:
        needed = {name.lower(): name for name in _names(info.node.get("needs"))}
        pairs: list[tuple[str, tuple[str, ...] | None]] = []
        for lowered, written in needed.items():
            upstream = self.jobs.get(lowered)
            pairs.append((written, upstream.outputs if upstream else None))
        contexts = {**self.base, "needs": ct.needs_type(pairs),
                    "matrix": _matrix(info.node.get("strategy"))}
        return contexts, frozenset(needed)


class _Notes(AbstractMapping[str, str]):
    """A job's notes: the ``steps.<id>`` ones as given, and a ``needs.<job>`` one for the
    job itself and for every job it does not need, written only when an expression asks:
    there are n² of those in a workflow of n jobs, and next to none is ever read."""

    __slots__ = ("_info", "_jobs", "_needed", "_steps")

    def __init__(self, jobs: dict[str, _Job], info: _Job, needed: frozenset[str],
                 steps: dict[str, str]) -> None:
        self._jobs, self._info, self._needed, self._steps = jobs, info, needed, steps

    def __getitem__(self, key: str) -> str:
        note = self._steps.get(key)
        if note is None and key.startswith("needs."):
            note = self._needs_note(key.removeprefix("needs."))
        if note is None:
            raise KeyError(key)
        return note

    def _needs_note(self, lowered: str) -> str | None:
        info = self._info
        if lowered == info.id.lower():
            return f"job '{info.id}' cannot need itself"
        other = self._jobs.get(lowered)
        if other is None or other is info or lowered in self._needed:
            return None
        return (f"job '{other.id}' is not in the needs of job '{info.id}', so "
                f"needs.{other.id} is always null; add it to needs:")

    def __iter__(self) -> Iterator[str]:
        own = self._info.id.lower()
        yield from (f"needs.{lowered}" for lowered, other in self._jobs.items()
                    if lowered not in self._needed and other is not self._info
                    and lowered != own)
        yield f"needs.{own}"
        yield from self._steps

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _matrix(strategy: Node | None) -> ObjectType:
    if strategy is None:
        return ct.matrix_type(None)
    if not isinstance(strategy, Mapping):
        return map_of(ANY)
    return ct.matrix_type(strategy.get("matrix"))


class ActionScopes:
    """Scopes in action.yml: ``inputs`` are the declared ones (strings), plus whatever
    else the caller passes in ``with:`` (the runner only warns about undeclared inputs
    and still passes them), so other names are not errors; the caller's ``matrix`` and
    ``strategy`` are unknown here."""

    def __init__(self, root: Mapping) -> None:
        inputs = _mapping(root.get("inputs"))
        declared = obj_of(((key.value, STRING) for key, _ in (inputs.pairs if inputs else ())),
                          rest=STRING)
        self.base: dict[str, Type] = {**ct.FIXED, "inputs": declared, "matrix": map_of(ANY)}
        runs = _mapping(root.get("runs"))
        self.step_ids = _step_ids(runs.get("steps") if runs else None)

    def step(self, index: int | None) -> Scope:
        steps, notes = _steps_scope(self.step_ids, index)
        return Scope({**self.base, "steps": steps}, None, notes)
