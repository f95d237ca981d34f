"""S202 needs-cycle."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.common import NeedsRef
from qmoi.parse.nodes import Mapping
from qmoi.source import Span

Graph = dict[str, list[tuple[str, NeedsRef]]]


@register
class NeedsCycle(Rule):
    """Jobs whose ``needs:`` form a cycle.

    What:
        Follows ``needs:`` between jobs (ids compared ignoring case) and reports each
        cycle once, naming its path (``a → b → a``), at the ``needs`` entry of the
        first job of the cycle in file order. A job that needs itself is a cycle too.

    Why:
        GitHub rejects the workflow: no job of a cycle could ever start.

    Example:
        on: push
        jobs:
          a:
            needs: b
            runs-on: ubuntu-latest
            steps:
              - run: echo a
          b:
            needs: a
            runs-on: ubuntu-latest
            steps:
              - run: echo b

    Fix safety:
        No fix: which dependency is the wrong one is the author's decision.
    """

    code = "S202"
    name = "needs-cycle"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        graph, names, order = _graph(ctx)
        for component in _cycles(graph, order):
            path, at = _cycle_path(graph, component)
            shown = " → ".join(names[node] for node in path)
            ctx.report(at, f"the jobs' needs form a cycle: {shown}")


def _graph(ctx: Context) -> tuple[Graph, dict[str, str], list[str]]:
    """Edges job → needed job, keyed by case-folded id (unknown ids are S201's)."""
    workflow = ctx.workflow
    names: dict[str, str] = {}
    for job in workflow.jobs:
        names.setdefault(job.id.casefold(), job.id)
    graph: Graph = {key: [] for key in names}
    for job in workflow.jobs:
        for ref in job.needs:
            target = ref.id.casefold()
            if target in names:
                graph[job.id.casefold()].append((target, ref))
    return graph, names, list(names)


def _cycles(graph: Graph, order: list[str]) -> list[list[str]]:
    """Strongly connected components that hold a cycle (Tarjan, iterative), each listed
    in file order; components come out in file order of their first job."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    position = {node: i for i, node in enumerate(order)}
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if edge < len(edges):
                work.append((node, edge + 1))
                target = edges[edge][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = _pop_component(stack, on_stack, node)
                if len(component) > 1 or any(t == node for t, _ in edges):
                    found.append(sorted(component, key=position.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    found.sort(key=lambda c: position[c[0]])
    return found


def _pop_component(stack: list[str], on_stack: set[str], node: str) -> list[str]:
    component: list[str] = []
    while True:
        top = stack.pop()
        on_stack.discard(top)
        component.append(top)
        if top == node:
            return component


def _cycle_path(graph: Graph, component: list[str]) -> tuple[list[str], Span]:
    """One cycle through the component's first job, by breadth-first search (shortest),
    and the span of that job's ``needs`` entry that starts it."""
    members = set(component)
    start = component[0]
    previous: dict[str, tuple[str, NeedsRef]] = {}
    queue = [start]
    for node in queue:
        for target, ref in graph[node]:
            if target not in members:
                continue
            if target == start:
                path = [start]
                cursor = node
                while cursor != start:
                    path.append(cursor)
                    cursor = previous[cursor][0]
                path = [start, *reversed(path[1:]), start]
                return path, _first_edge(graph, start, path[1])
            if target not in previous:
                previous[target] = (node, ref)
                queue.append(target)
    raise AssertionError("a strongly connected component always holds a cycle")


def _first_edge(graph: Graph, node: str, target: str) -> Span:
    return next(ref.span for t, ref in graph[node] if t == target)
