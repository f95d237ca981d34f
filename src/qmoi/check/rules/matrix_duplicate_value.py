"""M401 matrix-duplicate-value."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.job import Matrix
from qmoi.model.values import to_json
from qmoi.parse.nodes import Mapping, Node, Scalar


@register
class MatrixDuplicateValue(Rule):
    """The same value twice in one matrix row.

    What:
        Reports a value of ``strategy.matrix.<key>`` equal to an earlier value of the
        same row (compared as the YAML values, so ``3.10`` and ``"3.10"`` differ).

    Why:
        Each value makes its own jobs, so a repeated value runs the same jobs twice —
        usually a copy-and-paste slip, such as a version bumped in one place only.

    Example:
        on: push
        jobs:
          test:
            strategy:
              matrix:
                python: ["3.12", "3.13", "3.12"]
            runs-on: ubuntu-latest
            steps:
              - run: make test

    Fix safety:
        No fix: either delete the repeat or restore the value that was meant.
    """

    code = "M401"
    name = "matrix-duplicate-value"
    severity = Severity.WARNING

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
        seen: set[int] = set()
        for job in ctx.workflow.jobs:
            matrix = job.matrix
            if matrix is not None and id(matrix.node) not in seen:
                seen.add(id(matrix.node))
                _check(ctx, matrix)


def _check(ctx: Context, matrix: Matrix) -> None:
    for row in matrix.rows:
        first: dict[str, Node] = {}
        for value in row.values:
            text = repr(to_json(value))
            earlier = first.setdefault(text, value)
            if earlier is not value:
                line = ctx.source.position(earlier.span.start).line
                shown = f'"{value.value}"' if isinstance(value, Scalar) else "this value"
                ctx.report(value, f'matrix "{row.key.value}" lists {shown} twice (first on '
                                  f"line {line}), so its jobs run twice")
