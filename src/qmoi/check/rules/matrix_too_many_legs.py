"""M403 matrix-too-many-legs."""

from __future__ import annotations

from math import prod

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.job import Matrix
from qmoi.model.matrix import MAX_LEGS, expand_matrix
from qmoi.model.values import JSON
from qmoi.parse.nodes import Mapping, Node

# Expanding is linear in the product; beyond this the product alone decides (excludes
# cannot plausibly bring a million combinations under 256).
_EXPAND_LIMIT = 100_000


@register
class MatrixTooManyLegs(Rule):
    """A matrix that generates more than 256 jobs.

    What:
        Expands ``strategy.matrix`` exactly as GitHub does (cross product, then
        ``exclude``, then ``include``) when it holds no expressions, and reports the
        matrix when it yields more than 256 jobs.

    Why:
        "A matrix will generate a maximum of 256 jobs per workflow run" (workflow
        syntax, ``jobs.<job_id>.strategy.matrix``): GitHub fails the run.

    Example:
        on: push
        jobs:
          test:
            strategy:
              matrix:
                a: [1, 2, 3, 4, 5, 6, 7, 8]
                b: [1, 2, 3, 4, 5, 6, 7, 8]
                c: [1, 2, 3, 4, 5]
            runs-on: ubuntu-latest
            steps:
              - run: make test

    Fix safety:
        No fix: choose which combinations to drop.
    """

    code = "M403"
    name = "matrix-too-many-legs"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstrategymatrix
        seen: set[int] = set()
        for job in ctx.workflow.jobs:
            matrix = job.matrix
            if matrix is None or id(matrix.node) in seen or not matrix.is_static:
                continue
            seen.add(id(matrix.node))
            count = _legs(matrix)
            if count is not None and count > MAX_LEGS:
                strategy = job.strategy.node if job.strategy else matrix.node
                ctx.report(_key(strategy, matrix), f'the matrix of job "{job.id}" generates '
                                                   f"{count} jobs; GitHub allows at most "
                                                   f"{MAX_LEGS}")


def _legs(matrix: Matrix) -> int | None:
    """How many jobs the matrix generates, when that may be more than GitHub allows;
    None when it is not known or cannot be too many."""
    product = prod(len(row.values) for row in matrix.rows)
    if product > _EXPAND_LIMIT:
        return product if not matrix.exclude else None
    table = matrix.to_json()
    if table is None or _most_legs(table) <= MAX_LEGS:
        return None  # nearly every matrix: no need to expand it to count
    return len(expand_matrix(table))


def _most_legs(table: dict[str, JSON]) -> int:
    """An upper bound of the legs ``expand_matrix`` makes: every combination of the vectors
    (excludes only remove some) plus one per include entry (each adds at most one)."""
    sizes = [len(value) for key, value in table.items()
             if key not in ("include", "exclude") and isinstance(value, list) and value]
    includes = table.get("include")
    return (prod(sizes) if sizes else 0) + (len(includes) if isinstance(includes, list) else 0)


def _key(strategy: Node, matrix: Matrix) -> Node:
    """The ``matrix`` key, so the finding underlines one word rather than the table."""
    found = strategy.key("matrix") if isinstance(strategy, Mapping) else None
    return found if found is not None else matrix.node
