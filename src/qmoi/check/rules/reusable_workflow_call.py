"""R652 reusable-workflow-call."""

from __future__ import annotations

from qmoi.check.actions_util import EXAMPLE_CALLEE, local_workflow
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.model import Entry, EventTrigger, ReusableCall, contains_expression
from qmoi.parse import Mapping, ScalarKind

# https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
# "on.workflow_call.inputs.<input_id>.type": boolean, number or string; the value a caller
# passes must have that type. A literal number or boolean passed to a string input is not
# reported: it is unclear whether GitHub converts it, and a false error is worse than a miss.
_KINDS = {
    "boolean": frozenset({ScalarKind.BOOL}),
    "number": frozenset({ScalarKind.INT, ScalarKind.FLOAT}),
    "string": frozenset(ScalarKind),
}
_NAMES = {ScalarKind.BOOL: "a boolean", ScalarKind.INT: "a number",
          ScalarKind.FLOAT: "a number", ScalarKind.NULL: "null", ScalarKind.STR: "a string"}


def _find(entries: tuple[str, ...], name: str) -> str | None:
    # Input and secret ids are case-insensitive, as expression contexts are.
    folded = name.casefold()
    return next((e for e in entries if e.casefold() == folded), None)


@register
class ReusableWorkflowCall(Rule):
    """A call of a local reusable workflow whose ``with`` or ``secrets`` do not fit it.

    What:
        For ``jobs.<id>.uses: ./.github/workflows/<file>.yml``, reads the called workflow
        and checks that it is triggered by ``workflow_call``; that every required input
        and secret is passed (``secrets: inherit`` passes all secrets); that no input or
        secret is passed that it does not declare; and that a literal input value has the
        declared type (a boolean or a number where the input is one; a ``${{ }}`` value
        is not checked).
        Remote reusable workflows are not read.

    Why:
        GitHub rejects the calling workflow when an input or secret is missing, unknown
        or of the wrong type.

    Example:
        on: push
        jobs:
          call:
            uses: ./.github/workflows/build.yml
            with:
              target: all

    Fix safety:
        Renaming an unknown input or secret to the closest declared one is an unsafe fix.
    """

    code = "R652"
    name = "reusable-workflow-call"
    # The called workflow the documented example refers to (its input is "targets").
    example_files = ((".github/workflows/build.yml", EXAMPLE_CALLEE),)
    severity = Severity.ERROR
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        for job in ctx.workflow.jobs:
            if not isinstance(job, ReusableCall) or job.uses is None:
                continue
            path = job.uses.value.strip()
            if not path.startswith("./") or "@" in path:
                continue
            callee = local_workflow(ctx, path)
            if callee is None:
                continue  # not read (or missing: reusable-workflow-ref reports that)
            trigger = callee.event("workflow_call")
            if trigger is None:
                ctx.report(job.uses, f'"{path}" is not a reusable workflow: it is not '
                                     'triggered by "workflow_call"')
                continue
            self._inputs(ctx, job, trigger, path)
            self._secrets(ctx, job, trigger, path)

    def _inputs(self, ctx: Context, job: ReusableCall, trigger: EventTrigger, path: str) -> None:
        if job.with_.expression is not None:
            return
        names = tuple(i.name for i in trigger.inputs)
        for entry in job.with_:
            declared = _find(names, entry.name)
            if declared is None:
                self._unknown(ctx, entry, "input", names, path)
                continue
            spec = trigger.input(declared)
            if spec is not None and spec.type_name is not None:
                self._type(ctx, entry, spec.type_name)
        given = {name.casefold() for name in job.with_.names()}
        for spec in trigger.inputs:
            if spec.is_required and spec.name.casefold() not in given:
                self._missing(ctx, job, "input", spec.name, path)

    def _secrets(self, ctx: Context, job: ReusableCall, trigger: EventTrigger,
                 path: str) -> None:
        if job.secrets_inherit or job.secrets.expression is not None:
            return
        names = tuple(s.name for s in trigger.secrets)
        for entry in job.secrets:
            if _find(names, entry.name) is None:
                self._unknown(ctx, entry, "secret", names, path)
        given = {name.casefold() for name in job.secrets.names()}
        for spec in trigger.secrets:
            if spec.is_required and spec.name.casefold() not in given:
                self._missing(ctx, job, "secret", spec.name, path)

    @staticmethod
    def _type(ctx: Context, entry: Entry, type_name: str) -> None:
        value = entry.scalar
        kinds = _KINDS.get(type_name)
        if value is None or kinds is None or value.kind in kinds:
            return
        if value.kind is ScalarKind.STR and contains_expression(value.value):
            return  # typed when evaluated
        ctx.report(value, f'input "{entry.name}" is declared as {type_name}, but the value '
                          f'"{value.value}" is {_NAMES[value.kind]}')

    @staticmethod
    def _unknown(ctx: Context, entry: Entry, what: str, names: tuple[str, ...],
                 path: str) -> None:
        message = f'{what} "{entry.name}" is not declared by "{path}"'
        guess = did_you_mean(entry.name, names)
        fix = None
        if guess is not None:
            message += f'; did you mean "{guess}"?'
            fix = Fix(f'Rename to "{guess}"', FixSafety.UNSAFE, (Edit(entry.key.span, guess),))
        elif names:
            message += f' (it declares {", ".join(names)})'
        ctx.report(entry.key, message, fix=fix)

    @staticmethod
    def _missing(ctx: Context, job: ReusableCall, what: str, name: str, path: str) -> None:
        where = "with" if what == "input" else "secrets"
        ctx.report(job.key, f'job "{job.id}" does not pass the required {what} "{name}" '
                            f'of "{path}" in "{where}"')
