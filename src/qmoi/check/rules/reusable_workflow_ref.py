"""R651 reusable-workflow-ref."""

from __future__ import annotations

import re

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.rules.action_ref import remote_problem
from qmoi.diagnostics import Severity
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import ReusableCall, contains_expression
from qmoi.parse import Mapping, Scalar, ScalarKind
from qmoi.source import Span

# https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
# "{owner}/{repo}/.github/workflows/{filename}@{ref}" or "./.github/workflows/{filename}";
# reusable workflows must sit directly in .github/workflows (no subfolders).
_LOCAL = re.compile(r"\./\.github/workflows/[^/@]+\.ya?ml")
_REMOTE_PATH = re.compile(r"[^/@]+/[^/@]+/\.github/workflows/[^/@]+\.ya?ml")
FORMS = "./.github/workflows/<file>.yml or <owner>/<repo>/.github/workflows/<file>.yml@<ref>"


def _problem(value: str) -> str | None:
    if value.startswith("$/"):
        return None  # the running repository at the running commit (gha-semantics §3.11)
    if value.startswith("./"):
        if "@" in value:
            return f'"{value}" is a local reusable workflow, which takes no "@ref"'
        if not _LOCAL.fullmatch(value):
            return f'"{value}" is not a workflow file in ./.github/workflows/: write {FORMS}'
        return None
    name = value.partition("@")[0]
    if not _REMOTE_PATH.fullmatch(name):
        return f'"{value}" does not name a reusable workflow: write {FORMS}'
    found = remote_problem(value)
    return None if found is None else found[0]


@register
class ReusableWorkflowRef(Rule):
    """A job-level ``uses:`` that does not name a reusable workflow correctly.

    What:
        A job calls a reusable workflow with ``./.github/workflows/<file>.yml`` (same
        repository, no ref) or ``<owner>/<repo>/.github/workflows/<file>.yml@<ref>``.
        Reports other forms, a local path with ``@ref``, a missing or malformed ref,
        ``${{ }}`` expressions (not evaluated in ``uses``), and a local workflow file that
        does not exist in the repository (when the repository is known).

    Why:
        GitHub rejects the workflow: it cannot find the called workflow.

    Example:
        on: push
        jobs:
          call:
            uses: ./.github/workflows/build.yml@main

    Fix safety:
        No fix: the intended file or ref is the author's call.
    """

    code = "R651"
    name = "reusable-workflow-ref"
    severity = Severity.ERROR

    def workflow(self, ctx: Context, root: Mapping) -> None:
        for job in ctx.workflow.jobs:
            uses = job.uses if isinstance(job, ReusableCall) else None
            if uses is not None and uses.kind is ScalarKind.STR and uses.value.strip():
                self._check(ctx, uses)

    def _check(self, ctx: Context, uses: Scalar) -> None:
        value = uses.value.strip()
        if contains_expression(value):
            ctx.report(uses, f'"{value}" holds an expression, but "uses" is not evaluated: '
                             "name the workflow literally")
            return
        message = _problem(value)
        if message is None and value.startswith("./"):
            message = self._missing(ctx, value)
        if message is not None:
            offset = uses.value.index(value)
            ctx.report(value_span_to_source(uses, ctx.source,
                                            Span(offset, offset + len(value))), message)

    @staticmethod
    def _missing(ctx: Context, value: str) -> str | None:
        project = ctx.document.project
        # Only when the caller read the repository (it knows this file's path) can a
        # missing file be told apart from a file nobody read.
        if project.path is None or project.text(value) is not None:
            return None
        return f'the reusable workflow "{value}" does not exist in this repository'
