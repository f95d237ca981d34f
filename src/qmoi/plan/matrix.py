"""A job's ``strategy`` evaluated and expanded into legs (``qmoi.model.matrix`` does the
include/exclude algorithm; this evaluates the ``${{ }}`` it may hold first).

``strategy`` may use the github, needs, vars and inputs contexts
(https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#context-availability),
so a matrix built from ``fromJSON(needs.x.outputs.y)`` can only be expanded once the jobs it
needs are done: :func:`needs_dependent` tells the planner to leave it to the scheduler.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qmoi.expr import ExpressionError, parse_template
from qmoi.expr import ast as expr_ast
from qmoi.model.job import Job, ReusableCall
from qmoi.model.matrix import display_name, expand_matrix, to_display
from qmoi.model.values import JSON
from qmoi.parse.nodes import Mapping as MappingNode
from qmoi.parse.nodes import Node, Scalar
from qmoi.plan.values import Contexts, EvaluationError, locate, render_node, render_text
from qmoi.source import SourceFile

AnyJob = Job | ReusableCall


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One job to run: ``index`` is ``strategy.job-index``; ``name`` the name GitHub shows."""

    index: int
    matrix: dict[str, JSON]
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "matrix": self.matrix, "name": self.name}


@dataclass(frozen=True, slots=True)
class StrategyPlan:
    """A job's ``strategy`` evaluated: its legs, and how they fail and run side by side."""

    legs: tuple[PlannedLeg, ...]
    is_matrix: bool
    fail_fast: bool = True
    max_parallel: int | None = None
    total: int = 1


def _scalars(node: Node | None) -> list[Scalar]:
    found: list[Scalar] = []
    stack = [] if node is None else [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Scalar):
            found.append(current)
        elif isinstance(current, MappingNode):
            stack.extend(value for _, value in current.pairs)
        else:
            stack.extend(current.items)
    return found


def _refers_to(scalar: Scalar, context: str) -> bool:
    if "${{" not in scalar.value:
        return False
    try:
        trees = parse_template(scalar.value).expressions
    except ExpressionError:
        return False
    return any(isinstance(node, expr_ast.Context) and node.name.lower() == context
               for tree in trees for node in expr_ast.walk(tree))


def needs_dependent(job: AnyJob) -> bool:
    """Whether the strategy or the name reads ``needs`` (then expand after the needs)."""
    nodes = [] if job.strategy is None else _scalars(job.strategy.node)
    if job.name is not None:
        nodes.append(job.name)
    return any(_refers_to(scalar, "needs") for scalar in nodes)


def _selected(matrix: Mapping[str, JSON], wanted: Sequence[tuple[str, str]]) -> bool:
    for key, value in wanted:
        found = matrix.get(key)
        if found is None:
            folded = {k.casefold(): v for k, v in matrix.items()}
            found = folded.get(key.casefold())
        if to_display(found) != value:
            return False
    return True


def _leg_name(job: AnyJob, segments: tuple[str, ...], contexts: Contexts,
              source: SourceFile) -> str:
    base = job.display_name
    if job.name is not None and "${{" in job.name.value:
        try:
            return render_text(job.name, contexts, source)
        except EvaluationError:
            return base
    return display_name(base, segments)


def _int(value: Any, what: str, scalar: Scalar | None, source: SourceFile) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise EvaluationError(f"{what} must be a positive number, not {value!r}",
                              location=locate(source, scalar))
    return int(value)


def expand_strategy(job: AnyJob, contexts: Contexts, source: SourceFile,
                    wanted: Sequence[tuple[str, str]] = ()) -> StrategyPlan:
    """The legs of ``job`` (one leg without a matrix). ``contexts`` holds github, needs,
    vars and inputs; ``wanted`` keeps only the legs whose matrix has those values
    (``--matrix key:value``). Errors raise :class:`EvaluationError` with a location."""
    strategy = job.strategy
    matrix = None if strategy is None else strategy.matrix
    fail_fast, max_parallel = True, None
    if strategy is not None:
        fail_fast = strategy.fail_fast is None or bool(
            render_node(strategy.fail_fast, contexts, source))
        max_parallel = _int(render_node(strategy.max_parallel, contexts, source),
                            "strategy.max-parallel", strategy.max_parallel, source)
    if matrix is None:
        name = _leg_name(job, (), {**contexts, "matrix": {}}, source)
        return StrategyPlan((PlannedLeg(0, {}, name),), False, fail_fast, max_parallel)
    value = render_node(matrix.node, contexts, source)
    if not isinstance(value, dict):
        raise EvaluationError("strategy.matrix must be a mapping", location=locate(
            source, matrix.expression or (matrix.node if isinstance(matrix.node, Scalar)
                                          else None)))
    expansion = expand_matrix(value)
    if expansion.errors:
        where = source.position(matrix.span.start)
        raise EvaluationError("; ".join(expansion.errors),
                              location=f"{source.path}:{where.line}:{where.column}")
    legs: list[PlannedLeg] = []
    total = len(expansion.legs)
    for index, leg in enumerate(expansion.legs):
        if not _selected(leg.matrix, wanted):
            continue
        leg_contexts = {**contexts, "matrix": leg.matrix,
                        "strategy": {"job-index": index, "job-total": total}}
        legs.append(PlannedLeg(index, leg.matrix, _leg_name(job, leg.segments, leg_contexts,
                                                            source)))
    return StrategyPlan(tuple(legs), True, fail_fast, max_parallel, total)
