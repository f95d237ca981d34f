"""Z705 excessive-permissions."""

from __future__ import annotations

from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model import Permissions
from qmoi.parse.nodes import Mapping


@register
class ExcessivePermissions(Rule):
    """``permissions: write-all`` gives the job's token every write scope.

    What:
        Reports ``permissions: write-all`` at the workflow level and in jobs.

    Why:
        The ``GITHUB_TOKEN`` can then push code, create releases, edit issues, publish
        packages and more; one compromised step or action gets all of it. Grant the
        scopes the job uses, e.g. ``contents: write`` only
        (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions).

    Example:
        on: push
        permissions: write-all
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        No fix: which scopes the jobs need is the author's knowledge.
    """

    code = "Z705"
    name = "excessive-permissions"
    severity = Severity.WARNING

    def workflow(self, ctx: Context, root: Mapping) -> None:
        workflow = ctx.workflow
        _check(ctx, workflow.permissions, "the workflow")
        for job in workflow.jobs:
            _check(ctx, job.permissions, f'job "{job.id}"')


def _check(ctx: Context, permissions: Permissions | None, where: str) -> None:
    shorthand = None if permissions is None else permissions.shorthand
    if shorthand is not None and shorthand.value.strip() == "write-all":
        ctx.report(shorthand, f"permissions: write-all gives the GITHUB_TOKEN of {where} "
                              f"write access to every scope; list only the scopes it needs")
