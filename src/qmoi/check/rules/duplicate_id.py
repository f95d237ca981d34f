"""S108 duplicate-id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_action import composite_steps
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping, Scalar, Sequence


@register
class DuplicateId(Rule):
    """Two jobs, or two steps of one job, with the same id (ignoring case).

    What:
        Job ids must be unique in a workflow and step ids unique in a job, and GitHub
        compares them case-insensitively, so ``build`` and ``Build`` collide. (Two
        identical YAML keys are already a parse error, P102.)

    Why:
        GitHub rejects the workflow: "The identifier 'x' may not be used more than
        once within the same scope" (runner IdBuilder, an OrdinalIgnoreCase set).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - id: test
                run: make
              - id: Test
                run: make check

    Fix safety:
        No fix: renaming one id would change what ``needs`` or ``steps.<id>`` refer to.
    """

    code = "S108"
    name = "duplicate-id"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        jobs = root.get("jobs")
        if isinstance(jobs, Mapping):
            # Exact repeats are the parser's (P102); only case variants are new here.
            _duplicates(ctx, (key for key, _ in jobs.pairs), "job", exact=False)

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        steps = job.get("steps")
        if isinstance(steps, Sequence):
            mappings = (s for s in steps.items if isinstance(s, Mapping))
            _duplicates(ctx, _step_ids(mappings), "step", exact=True)

    def action(self, ctx: Context, root: Mapping) -> None:
        _duplicates(ctx, _step_ids(composite_steps(root)), "step", exact=True)


def _step_ids(steps: Iterable[Mapping]) -> Iterable[Scalar]:
    for step in steps:
        step_id = step.get("id")
        if isinstance(step_id, Scalar) and step_id.value:
            yield step_id


def _duplicates(ctx: Context, ids: Iterable[Scalar], what: str, *, exact: bool) -> None:
    seen: dict[str, Scalar] = {}
    for node in ids:
        first = seen.setdefault(node.value.lower(), node)
        if first is node or (not exact and first.value == node.value):
            continue
        line = ctx.source.position(first.span.start).line
        ctx.report(node, f'{what} id "{node.value}" is already used by the {what} '
                         f'"{first.value}" on line {line} ({what} ids ignore case)')
