"""Event → the workflows it triggers → their jobs → matrix legs: a frozen, JSON-ready
:class:`Plan`. Matrices that read ``needs`` are left for the scheduler (``legs`` is None)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qmoi.errors import UsageError
from qmoi.model import Job, Workflow
from qmoi.model.workflow import EventTrigger
from qmoi.plan.contexts import RunInfo, github_context
from qmoi.plan.event import EventInfo
from qmoi.plan.graph import ordered, resolved_needs, with_dependencies
from qmoi.plan.load import LoadedWorkflow
from qmoi.plan.matrix import PlannedLeg, expand_strategy, needs_dependent
from qmoi.plan.triggers import triggers
from qmoi.plan.values import render_node


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """One job of a workflow. ``legs`` is None while its matrix waits for its needs."""

    job_id: str
    name: str
    needs: tuple[str, ...]
    legs: tuple[PlannedLeg, ...] | None
    is_matrix: bool = False
    fail_fast: bool = True
    max_parallel: int | None = None
    kind: str = "job"  # job | call (a reusable-workflow call)
    runs_on: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.job_id, "name": self.name, "needs": list(self.needs), "kind": self.kind,
            "legs": None if self.legs is None else [leg.to_json() for leg in self.legs],
            "matrix": self.is_matrix, "fail_fast": self.fail_fast,
            "max_parallel": self.max_parallel, "runs_on": list(self.runs_on),
        }


@dataclass(frozen=True, slots=True)
class PlannedWorkflow:
    """``jobs`` are in needs order. ``inputs`` is the workflow's ``inputs`` context."""

    path: str
    repo_path: str
    name: str
    jobs: tuple[PlannedJob, ...]
    inputs: dict[str, Any] = field(default_factory=dict)

    def job(self, job_id: str) -> PlannedJob | None:
        return next((job for job in self.jobs if job.job_id == job_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "repo_path": self.repo_path, "name": self.name,
                "inputs": self.inputs, "jobs": [job.to_json() for job in self.jobs]}


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do: the event, the workflows it triggers, their jobs and matrix legs."""

    event: EventInfo
    run: RunInfo
    workflows: tuple[PlannedWorkflow, ...]
    vars: dict[str, str] = field(default_factory=dict)

    @property
    def job_count(self) -> int:
        return sum(len(job.legs or ()) or 1 for wf in self.workflows for job in wf.jobs)

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run.run_id, "event": self.event.to_json(),
                "workflows": [wf.to_json() for wf in self.workflows]}


def _typed_input(kind: str | None, text: str) -> Any:
    if kind == "boolean":
        return text.strip().lower() == "true"
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"input value {text!r} is not a number") from None
    return text


def inputs_context(trigger: EventTrigger | None, given: Mapping[str, str],
                   contexts: Mapping[str, Any]) -> dict[str, Any]:
    """``inputs`` of a workflow_dispatch run: given values, else defaults, typed."""
    if trigger is None:
        return {}
    declared = {item.name: item for item in trigger.inputs}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(f"unexpected input(s) {', '.join(unknown)}; the workflow declares "
                         + (", ".join(declared) or "none"))
    values: dict[str, Any] = {}
    for name, item in declared.items():
        if name in given:
            values[name] = _typed_input(item.type_name, given[name])
        elif item.default is not None:
            default = render_node(item.default, contexts)
            values[name] = (_typed_input(item.type_name, str(default).lower())
                            if isinstance(default, bool) else default)
        elif item.is_required:
            raise UsageError(f"input '{name}' is required; give it with --input {name}=VALUE")
        else:
            values[name] = False if item.type_name == "boolean" else ""
    return values


def _plan_job(workflow: Workflow, job_id: str, needs: tuple[str, ...], contexts: dict[str, Any],
              matrix: Sequence[tuple[str, str]]) -> PlannedJob:
    model = workflow.job(job_id)
    assert model is not None
    kind = "job" if isinstance(model, Job) else "call"
    runs_on = model.runs_on.label_names if isinstance(model, Job) and model.runs_on else ()
    if needs_dependent(model):
        return PlannedJob(job_id, model.display_name, needs, None, model.matrix is not None,
                          kind=kind, runs_on=runs_on)
    strategy = expand_strategy(model, {**contexts, "needs": {}}, workflow.source, matrix)
    return PlannedJob(job_id, model.display_name, needs, strategy.legs, strategy.is_matrix,
                      strategy.fail_fast, strategy.max_parallel, kind, runs_on)


def _plan_jobs(loaded: LoadedWorkflow, contexts: dict[str, Any], jobs: Sequence[str],
               matrix: Sequence[tuple[str, str]]) -> tuple[PlannedJob, ...]:
    workflow = loaded.workflow
    graph = resolved_needs(workflow)
    order = ordered(workflow, graph)
    keep = set(order) if not jobs else with_dependencies(graph, jobs)
    return tuple(_plan_job(workflow, job_id, graph[job_id], contexts, matrix)
                 for job_id in order if job_id in keep)


def plan_workflow(loaded: LoadedWorkflow, event: EventInfo, run: RunInfo,
                  variables: Mapping[str, str], *, jobs: Sequence[str] = (),
                  matrix: Sequence[tuple[str, str]] = ()) -> PlannedWorkflow:
    workflow = loaded.workflow
    github = github_context(event, run, loaded.name, loaded.repo_path)
    base = {"github": github, "vars": dict(variables), "inputs": {}}
    dispatch = workflow.event("workflow_dispatch") if event.name == "workflow_dispatch" else None
    inputs = inputs_context(dispatch, event.inputs, base)
    planned = _plan_jobs(loaded, {**base, "inputs": inputs}, jobs, matrix)
    return PlannedWorkflow(loaded.display, loaded.repo_path, loaded.name, planned, inputs)


def plan_called(loaded: LoadedWorkflow, github: Mapping[str, Any],
                variables: Mapping[str, str], inputs: Mapping[str, Any]) -> PlannedWorkflow:
    """The jobs of a called reusable workflow: its ``github`` context is the caller's
    (gha-semantics §4.6), its ``inputs`` those of the call."""
    contexts = {"github": dict(github), "vars": dict(variables), "inputs": dict(inputs)}
    planned = _plan_jobs(loaded, contexts, (), ())
    return PlannedWorkflow(loaded.display, loaded.repo_path, loaded.name, planned,
                           dict(inputs))


def build_plan(workflows: Sequence[LoadedWorkflow], event: EventInfo, run: RunInfo,
               variables: Mapping[str, str] | None = None, *, jobs: Sequence[str] = (),
               matrix: Sequence[tuple[str, str]] = ()) -> Plan:
    """The plan for ``event``: only workflows it triggers; with ``jobs`` only those jobs
    (and what they need); with ``matrix`` only the legs with those values."""
    chosen = [w for w in workflows if triggers(w.workflow, event)]
    if jobs:
        chosen = [w for w in chosen if any(w.workflow.job(j) is not None for j in jobs)]
        if not chosen:
            raise UsageError(f"no workflow triggered by {event.name} has a job named "
                             + ", ".join(repr(j) for j in jobs))
    planned = []
    for loaded in chosen:
        found = (loaded.workflow.job(j) for j in jobs)
        canonical = [job.id for job in found if job is not None]
        planned.append(plan_workflow(loaded, event, run, variables or {}, jobs=canonical,
                                     matrix=matrix))
    return Plan(event, run, tuple(planned), dict(variables or {}))
