"""A601 action-ref."""

from __future__ import annotations

import re
from typing import ClassVar

from qmoi.check.actions_util import document_steps
from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import contains_expression
from qmoi.parse import Mapping, Scalar, ScalarKind
from qmoi.source import Span

# https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
# "jobs.<job_id>.steps[*].uses": owner/repo@ref, owner/repo/path@ref, ./path, docker://image.
# GitHub owner names are letters, digits and single hyphens; repository names also allow
# "." and "_" (https://docs.github.com/en/repositories/creating-and-managing-repositories).
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_REPO = re.compile(r"[A-Za-z0-9._-]+")
_BAD_REF_CHAR = re.compile(r"[\s~^:?*\[\\]")
_WORKFLOW_PATH = re.compile(r"\.github/workflows/[^/]+\.ya?ml")
FORMS = "owner/repo@ref, owner/repo/path@ref, ./path or docker://image"


def remote_problem(value: str) -> tuple[str, int, int] | None:
    """(message, start, end) of the first problem in ``owner/repo[/path]@ref``."""
    name, at, ref = value.partition("@")
    if not at:
        return (f'"{value}" has no ref: add "@" and a tag, branch or SHA ({value}@<ref>)',
                0, len(value))
    if not ref:
        return f'"{value}" has an empty ref after "@"', len(name), len(value)
    if "@" in ref:
        second = len(name) + 1 + ref.index("@")
        return f'"{value}" has more than one "@"', second, second + 1
    parts = name.split("/")
    if len(parts) < 2 or not parts[1]:
        return f'"{value}" has no repository: write {FORMS}', 0, len(name)
    if not _OWNER.fullmatch(parts[0]):
        return f'"{parts[0]}" is not a valid owner name in "{value}"', 0, len(parts[0])
    if not _REPO.fullmatch(parts[1]) or parts[1] in (".", ".."):
        start = len(parts[0]) + 1
        return (f'"{parts[1]}" is not a valid repository name in "{value}"', start,
                start + len(parts[1]))
    if any(not part for part in parts[2:]):
        return f'the path in "{value}" has an empty segment', len(parts[0]) + 1, len(name)
    bad = _BAD_REF_CHAR.search(ref)
    if bad is not None:
        start = len(name) + 1 + bad.start()
        return f'the ref "{ref}" in "{value}" has the character "{bad.group()}"', start, start + 1
    return None


def problem(value: str) -> tuple[str, int, int] | None:
    """The first problem of a step's ``uses`` value, with its range inside the value."""
    # "$/path" is the running repository at the running commit (newest workflow syntax,
    # gha-semantics.md §3.11): a local reference with no ref of its own.
    if value.startswith(("./", "$/")) or value == ".":
        return None
    if value.startswith("docker://"):
        image = value[len("docker://"):]
        if not image or any(c.isspace() for c in image):
            return f'"{value}" does not name a Docker image', 0, len(value)
        return None
    found = remote_problem(value)
    parts = value.partition("@")[0].split("/")
    if found is None and len(parts) > 2 and _WORKFLOW_PATH.fullmatch("/".join(parts[2:])):
        return (f'"{value}" is a reusable workflow; call it from a job\'s "uses", not a '
                "step's", 0, len(value))
    return found


@register
class ActionRefRule(Rule):
    """A ``uses:`` value of a step that is not a valid action reference.

    What:
        Checks the form of each step's ``uses``: ``owner/repo@ref``,
        ``owner/repo/path@ref``, ``./path`` or ``docker://image``. Reports a missing or
        empty ref, a second ``@``, a missing repository, characters GitHub does not allow
        in owner or repository names or in a git ref, empty path segments, an empty
        Docker image, a reusable workflow called from a step, and ``${{ }}`` expressions,
        which ``uses`` does not evaluate. Composite-action steps are checked too.

    Why:
        GitHub cannot resolve such an action: the workflow is rejected or the job fails
        when it sets up its actions.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout

    Fix safety:
        No fix: which version was meant is the author's call.
    """

    code = "A601"
    name = "action-ref"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def action(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def _check(self, ctx: Context) -> None:
        for step in document_steps(ctx):
            uses = step.uses
            if uses is None or uses.kind is not ScalarKind.STR or not uses.value.strip():
                continue
            self._check_value(ctx, uses)

    def _check_value(self, ctx: Context, uses: Scalar) -> None:
        value = uses.value.strip()
        if contains_expression(value):
            ctx.report(uses, f'"{value}" holds an expression, but "uses" is not evaluated: '
                             "name the action literally")
            return
        found = problem(value)
        if found is None:
            return
        message, start, end = found
        offset = uses.value.index(value)
        span = value_span_to_source(uses, ctx.source, Span(offset + start, offset + end))
        ctx.report(span, message)
