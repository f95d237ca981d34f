"""Z711 spoofable-bot-condition."""

from __future__ import annotations

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.expr import ExpressionError, ast
from qmoi.expr.template import parse_condition
from qmoi.expr.typecheck import property_path
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.parse.nodes import Mapping, Scalar

_ACTORS = (("github", "actor"), ("github", "triggering_actor"))
_AUTHOR = "github.event.pull_request.user.login"


@register
class SpoofableBotCondition(Rule):
    """An ``if:`` that trusts ``github.actor`` to be a bot in a privileged workflow.

    What:
        In workflows triggered by ``pull_request_target`` or ``workflow_run``, reports
        ``if:`` conditions of jobs and steps that compare ``github.actor`` or
        ``github.triggering_actor`` with a bot login such as ``dependabot[bot]``.

    Why:
        The actor is whoever caused the latest event, not who wrote the pull request.
        Anyone can open a pull request from a fork whose branch a bot later updates
        (a Dependabot rebase, say), and the check then passes for the outsider's code.
        The pull request's author, ``github.event.pull_request.user.login``, cannot be
        spoofed that way
        (https://docs.github.com/en/code-security/dependabot/troubleshooting-dependabot/troubleshooting-dependabot-on-github-actions).

    Example:
        on: pull_request_target
        jobs:
          automerge:
            if: github.actor == 'dependabot[bot]'
            runs-on: ubuntu-latest
            steps:
              - run: gh pr merge --auto "$PR"

    Fix safety:
        Unsafe, in ``pull_request_target``-only workflows: compares
        ``github.event.pull_request.user.login`` instead, so pull requests a person
        opened and a bot updated no longer pass. No fix for ``workflow_run``.
    """

    code = "Z711"
    name = "spoofable-bot-condition"
    severity = Severity.WARNING
    fix_availability = "sometimes"

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        events = su.privileged_events(ctx.workflow)
        if not events:
            return
        model = next((j for j in ctx.workflow.jobs if j.id == job_id.value), None)
        conditions = [] if model is None else [model.if_]
        steps = su.job_of(ctx.workflow, job_id.value)
        conditions += [step.if_ for step in (steps.steps if steps else ())]
        fixable = events == ("pull_request_target",)
        for condition in conditions:
            if condition is not None and condition.value:
                _check(ctx, condition, " and ".join(events), fixable)


def _check(ctx: Context, condition: Scalar, trigger: str, fixable: bool) -> None:
    try:
        tree = parse_condition(condition.value)
    except ExpressionError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or node.op != "==":
            continue
        for actor, other in ((node.left, node.right), (node.right, node.left)):
            if property_path(actor) in _ACTORS and isinstance(other, ast.String) and (
                    other.value.lower().endswith("[bot]")) and not isinstance(actor, ast.Star):
                span = value_span_to_source(condition, ctx.source, actor.span)
                fix = Fix(f"compare {_AUTHOR} instead", FixSafety.UNSAFE,
                          (Edit(span, _AUTHOR),)) if fixable else None
                name = ctx.source.text[span.start : span.end]
                author = _AUTHOR if fixable else "the pull request's author"
                ctx.report(span, f"in a {trigger} workflow, {name} == '{other.value}' also "
                                 f"holds when the bot merely updated someone else's pull "
                                 f"request; check {author} instead", fix=fix)
