"""The ``needs`` graph of one workflow: every need resolved to a job id (ids compare
case-insensitively), unknown needs and cycles rejected with a location, jobs in an order
where each comes after what it needs (file order otherwise)."""

from __future__ import annotations

from collections.abc import Iterable

from qmoi.errors import UsageError
from qmoi.model import Workflow
from qmoi.source import Span


def _where(workflow: Workflow, span: Span) -> str:
    position = workflow.source.position(span.start)
    return f"{workflow.source.path}:{position.line}:{position.column}"


def resolved_needs(workflow: Workflow) -> dict[str, tuple[str, ...]]:
    """Each job id → the ids it needs, as the jobs spell them."""
    graph: dict[str, tuple[str, ...]] = {}
    for job in workflow.jobs:
        found: list[str] = []
        for need in job.needs:
            target = workflow.job(need.id)
            if target is None:
                raise UsageError(f"job '{job.id}' needs '{need.id}', which is not a job of "
                                 "this workflow", location=_where(workflow, need.span))
            if target.id == job.id:
                raise UsageError(f"job '{job.id}' needs itself",
                                 location=_where(workflow, need.span))
            if target.id not in found:
                found.append(target.id)
        graph[job.id] = tuple(found)
    return graph


def ordered(workflow: Workflow, graph: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Kahn's order, stable in file order; a cycle is an error naming its jobs."""
    remaining = {job: set(needs) for job, needs in graph.items()}
    order: list[str] = []
    while remaining:
        ready = [job.id for job in workflow.jobs
                 if job.id in remaining and not remaining[job.id]]
        if not ready:
            cycle = _cycle(remaining)
            first = workflow.job(cycle[0])
            span = first.id_span if first is not None else Span(0, 0)
            raise UsageError("the jobs' needs form a cycle: " + " → ".join(cycle),
                             location=_where(workflow, span))
        for job_id in ready:
            order.append(job_id)
            del remaining[job_id]
        for needs in remaining.values():
            needs.difference_update(ready)
    return tuple(order)


def _cycle(remaining: dict[str, set[str]]) -> list[str]:
    start = next(iter(remaining))
    path: list[str] = []
    current = start
    while current not in path:
        path.append(current)
        current = sorted(remaining[current])[0]
    return [*path[path.index(current):], current]


def with_dependencies(graph: dict[str, tuple[str, ...]], chosen: Iterable[str]) -> set[str]:
    """The chosen jobs and everything they need, transitively (act's ``-j``)."""
    keep: set[str] = set()
    stack = list(chosen)
    while stack:
        job = stack.pop()
        if job not in keep:
            keep.add(job)
            stack.extend(graph.get(job, ()))
    return keep
