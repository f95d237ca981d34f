"""S106 invalid-id."""

from __future__ import annotations

import re
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_action import composite_steps
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping, Scalar

# actions/runner src/Sdk/WorkflowParser/Conversion/IdBuilder.cs (TryAddKnownId): ASCII
# letters, digits, "_" and "-", starting with a letter or "_", shorter than 100
# characters; the "__" prefix is reserved for the ids GitHub generates.
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
MAX_ID_LENGTH = 100


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid job or step id, or None when it is valid."""
    if not _ID.match(value):
        return ("ids must start with a letter or '_' and contain only letters, digits, "
                "'-' and '_'")
    if len(value) >= MAX_ID_LENGTH:
        return f"ids must be shorter than {MAX_ID_LENGTH} characters"
    if value.startswith("__"):
        return "ids starting with '__' are reserved"
    return None


@register
class InvalidId(Rule):
    """A job id or step id that GitHub does not accept.

    What:
        Job ids (the keys under ``jobs``) and step ``id`` values must start with a
        letter or ``_``, contain only ASCII letters, digits, ``-`` and ``_``, be
        shorter than 100 characters and not start with ``__``. Composite-action
        step ids follow the same rules.

    Why:
        GitHub rejects the workflow: "The identifier 'x' is invalid".

    Example:
        on: push
        jobs:
          1st-build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix: renaming an id would break references to it (``needs``, ``steps.<id>``).
    """

    code = "S106"
    name = "invalid-id"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        _check(ctx, job_id, "job")

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        _check_step(ctx, step)

    def action(self, ctx: Context, root: Mapping) -> None:
        for step in composite_steps(root):
            _check_step(ctx, step)


def _check_step(ctx: Context, step: Mapping) -> None:
    step_id = step.get("id")
    # An empty id is the empty-value rule's; GitHub then generates one.
    if isinstance(step_id, Scalar) and step_id.value:
        _check(ctx, step_id, "step")


def _check(ctx: Context, node: Scalar, what: str) -> None:
    problem = id_problem(node.value)
    if problem is not None:
        ctx.report(node, f'invalid {what} id "{node.value}": {problem}')
