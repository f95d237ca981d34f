"""Z706 missing-permissions."""

from __future__ import annotations

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span


@register
class MissingPermissions(Rule):
    """No ``permissions:`` anywhere: the token gets the repository's default scopes.

    What:
        Reports a workflow that sets ``permissions`` neither at the top nor in every
        job. A workflow only callable by others (``on: workflow_call``) is left alone:
        its caller's permissions bound it. Informational, except for workflows that run
        for outsiders with a privileged token (``pull_request_target``,
        ``workflow_run``), where it is a warning.

    Why:
        Without the key the ``GITHUB_TOKEN`` has the defaults of the repository or
        organisation, which are read-and-write for older repositories. Stating the
        scopes keeps a compromised step from doing more than the job needs
        (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

    Fix safety:
        Unsafe: adds ``permissions: contents: read`` after ``on:``. Jobs that comment,
        push, publish or request OIDC tokens then need their own ``permissions:``.
    """

    code = "Z706"
    name = "missing-permissions"
    severity = Severity.INFO
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        workflow = ctx.workflow
        if workflow.permissions is not None or workflow.event_names in ((), ("workflow_call",)):
            return
        bare = [job.id for job in workflow.jobs if job.permissions is None]
        if not bare or root.key("on") is None:
            return
        privileged = su.privileged_events(workflow)
        where = "any job" if len(bare) == len(workflow.jobs) else (
            ("job " if len(bare) == 1 else "jobs ") + ", ".join(f'"{j}"' for j in bare))
        extra = f" ({' and '.join(privileged)} runs with write access)" if privileged else ""
        ctx.report(root.key("on") or root, f"no permissions: at the top or in {where}, so the "
                                           f"GITHUB_TOKEN gets the repository's default "
                                           f"scopes{extra}; add permissions: contents: read",
                   severity=Severity.WARNING if privileged else None,
                   fix=_fix(ctx.source.text, root))


def _fix(text: str, root: Mapping) -> Fix | None:
    on_key = root.key("on")
    if root.flow or on_key is None:
        return None
    pos, prefix = _after_on(text, root, on_key)
    nl = prefix or su.newline_at(text, on_key.span.start)
    indent = " " * su.indent_at(text, on_key.span.start)
    step = _indent_step(text, root)
    block = f"{indent}permissions:{nl}{indent}{' ' * step}contents: read"
    return Fix("add permissions: contents: read", FixSafety.UNSAFE,
               (Edit(Span(pos, pos), f"{prefix}{block}" if prefix else f"{block}{nl}"),))


def _after_on(text: str, root: Mapping, on_key: Scalar) -> tuple[int, str]:
    """Where the ``on:`` block ends: before the next top-level key and the blank lines and
    top-level comments that lead to it (node ends are not used: a block ending in an alias
    reports the alias target's end)."""
    keys = [key for key, _ in root.pairs]
    following = keys[keys.index(on_key) + 1 :]
    if not following:
        return su.after_line(text, len(text))
    column = su.indent_at(text, on_key.span.start)
    pos = following[0].span.start - su.indent_at(text, following[0].span.start)
    while pos > 0:
        start = text.rfind("\n", 0, pos - 1) + 1
        line = text[start:pos]
        content = line.strip()
        if content and not (content.startswith("#")
                            and len(line) - len(line.lstrip()) <= column):
            break
        pos = start
    return pos, ""


def _indent_step(text: str, root: Mapping) -> int:
    """How far this file indents a nested mapping (2 unless ``jobs:`` says otherwise)."""
    jobs_key, jobs = root.key("jobs"), root.get("jobs")
    if isinstance(jobs, Mapping) and jobs.pairs and not jobs.flow and jobs_key is not None:
        step = su.indent_at(text, jobs.pairs[0][0].span.start) - su.indent_at(
            text, jobs_key.span.start)
        return step if step > 0 else 2
    return 2
