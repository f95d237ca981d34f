"""M402 matrix-exclude."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model.job import Matrix
from qmoi.model.matrix import expand_matrix
from qmoi.model.values import JSON, to_json
from qmoi.parse.nodes import Mapping

# Above this many combinations the "removes nothing" check is skipped (it expands once
# per exclude entry); such a matrix is over GitHub's 256-job limit anyway.
_MAX_COMBINATIONS = 4096


@register
class MatrixExclude(Rule):
    """A matrix ``exclude`` entry that names a key the matrix lacks, or removes nothing.

    What:
        Each key of a ``strategy.matrix.exclude`` entry must be a matrix variable
        (compared ignoring case, as GitHub does): otherwise GitHub rejects the
        workflow. For a matrix without expressions, an entry that matches no
        combination of the variables is reported as a warning — usually a value
        spelt differently from the row (``windows`` vs ``windows-latest``).

    Why:
        The unknown key is an error GitHub reports ("Matrix exclude key 'x' does not
        match any key within the matrix"); an exclude that removes nothing leaves jobs
        running that the author meant to drop.

    Example:
        on: push
        jobs:
          test:
            strategy:
              matrix:
                os: [ubuntu-latest, windows-latest]
                node: [20, 22]
                exclude:
                  - os: windows
                    node: 20
            runs-on: ${{ matrix.os }}
            steps:
              - run: npm test

    Fix safety:
        No fix: the intended value is not knowable.
    """

    code = "M402"
    name = "matrix-exclude"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        # https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations#excluding-matrix-configurations
        seen: set[int] = set()
        for job in ctx.workflow.jobs:
            matrix = job.matrix
            if matrix is None or id(matrix.node) in seen or matrix.expression is not None:
                continue
            seen.add(id(matrix.node))
            bad = _check_keys(ctx, matrix)
            if matrix.is_static:
                _check_matches(ctx, matrix, bad)


def _check_keys(ctx: Context, matrix: Matrix) -> set[int]:
    """Report exclude keys that are not matrix keys; the ids of the entries at fault."""
    names = {row.key.value.casefold() for row in matrix.rows}
    names |= {key.value.casefold() for key, _ in matrix.row_expressions}
    bad: set[int] = set()
    for entry in matrix.exclude:
        for key, _ in entry.pairs:
            if key.value.casefold() not in names:
                bad.add(id(entry))
                ctx.report(key, f'exclude key "{key.value}" is not a key of the matrix'
                                f"{_listing(matrix)}")
    return bad


def _listing(matrix: Matrix) -> str:
    keys = [row.key.value for row in matrix.rows] + [k.value for k, _ in matrix.row_expressions]
    return "" if not keys else " (" + ", ".join(f'"{k}"' for k in keys) + ")"


def _check_matches(ctx: Context, matrix: Matrix, bad: set[int]) -> None:
    rows: dict[str, JSON] = {row.key.value: [to_json(v) for v in row.values]
                             for row in matrix.rows}
    count = 1
    for row in matrix.rows:
        count *= len(row.values)
    if not rows or not 0 < count <= _MAX_COMBINATIONS:
        return
    for entry in matrix.exclude:
        if id(entry) in bad:
            continue
        trial = expand_matrix({**rows, "exclude": [to_json(entry)]})
        if not trial.errors and len(trial) == count:
            ctx.report(entry, "this exclude entry matches no combination of the matrix, so it "
                              "removes nothing", severity=Severity.WARNING)
