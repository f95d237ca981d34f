"""One pass over every ``${{ }}`` of a document, shared by the expression rules (X1xx).

The pass knows, for each key that GitHub evaluates, which contexts it allows
(:mod:`qmoi.expr.availability`) and what their types are (built from the workflow:
inputs, matrix, earlier steps, needed jobs). It parses each value once (parsing is cached
by text), type-checks it and keeps every finding with its file span; each rule then
reports the findings of its own kind, as the structural rules share ``schema_walk``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qmoi.check.base import Context
from qmoi.diagnostics import Fix, Severity
from qmoi.expr import ast
from qmoi.expr.availability import Availability, availability
from qmoi.expr.conditions import constant_condition, if_text_fix
from qmoi.expr.errors import ArityError, ExpressionError, UnknownFunctionError
from qmoi.expr.parser import parse_expression
from qmoi.expr.scopes import ActionScopes, WorkflowScopes
from qmoi.expr.template import Embedded, Template, parse_template
from qmoi.expr.typecheck import Scope, check
from qmoi.expr.types import ArrayType, ObjectType
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import Span

FindingKind = Literal["syntax", "unknown", "availability", "arguments", "comparison",
                      "if-text", "interpolation", "format", "fromjson", "constant-if"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem of one ``${{ }}``, kept for the expression rule of its ``kind`` to report."""

    kind: FindingKind
    span: Span
    message: str
    severity: Severity | None = None
    fix: Fix | None = None


# Scopes are built only for values that hold an expression (most values hold none).
Lazy = Callable[[], Scope]


def _lazy(build: Callable[[], Scope]) -> Lazy:
    built: list[Scope] = []

    def get() -> Scope:
        if not built:
            built.append(build())
        return built[0]

    return get


_J = "jobs.<job_id>."
_S = _J + "steps."
_STEP_KEYS = frozenset(("name", "env", "with", "run", "working-directory", "continue-on-error",
              "timeout-minutes"))
_JOB_KEYS = ("name", "runs-on", "timeout-minutes", "cancel-timeout-minutes",
             "continue-on-error", "concurrency", "snapshot")


class _Pass:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.source = ctx.source
        self.findings: list[Finding] = []
        self.seen: set[tuple[int, str]] = set()

    def add(self, kind: FindingKind, span: Span, message: str,
            severity: Severity | None = None, fix: Fix | None = None) -> None:
        self.findings.append(Finding(kind, span, message, severity, fix))

    # -- values
    def values(self, node: Node | None, where: str, scope: Lazy) -> None:
        """Every string under ``node`` (mapping values and list items, not keys)."""
        if node is None:
            return
        if isinstance(node, Scalar):  # most settings are one scalar: no stack needed
            self.scalar(node, where, scope)
            return
        stack: list[Node] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, Scalar):
                self.scalar(current, where, scope)
            elif isinstance(current, Mapping):
                stack.extend(value for _, value in reversed(current.pairs))
            elif isinstance(current, Sequence):
                stack.extend(reversed(current.items))

    def _first_visit(self, scalar: Scalar, where: str) -> bool:
        mark = (id(scalar), where)
        if scalar.anchor is None:
            return True
        if mark in self.seen:  # an anchored value reached again through an alias
            return False
        self.seen.add(mark)
        return True

    def scalar(self, scalar: Scalar, where: str, scope: Lazy) -> None:
        if scalar.kind is not ScalarKind.STR or "${{" not in scalar.value:
            return
        if not self._first_visit(scalar, where):
            return
        template = self.template(scalar)
        if template is None:
            return
        seen = _with(scope(), availability(where))
        for segment in template.segments:
            if isinstance(segment, Embedded):
                self.typed(scalar, segment.expr, seen, mixed=template.single is None)

    def condition(self, scalar: Node | None, where: str, scope: Lazy, what: str) -> None:
        if not isinstance(scalar, Scalar) or not scalar.value.strip():
            return
        if not self._first_visit(scalar, where):
            return
        seen = _with(scope(), availability(where))
        if "${{" not in scalar.value or scalar.kind is not ScalarKind.STR:
            tree = self.parse(scalar)
        else:
            template = self.template(scalar)
            if template is None:
                return
            if template.single is None:
                self.if_text(scalar, template, what)
                for expr in template.expressions:
                    self.typed(scalar, expr, seen, mixed=False)
                return
            tree = template.single
        if tree is None:
            return
        self.typed(scalar, tree, seen, mixed=False)
        message = constant_condition(tree, what)
        if message is not None:
            self.add("constant-if", scalar.span, message)

    def if_text(self, scalar: Scalar, template: Template, what: str) -> None:
        outside = "".join(s.text for s in template.segments if not isinstance(s, Embedded))
        shown = outside.strip()
        text = f"the text '{shown[:40]}'" if shown else "the line break or blank"
        self.add("if-text", scalar.span,
                 f"this if: is always true: {text} outside ${{{{ }}}} makes the value a "
                 f"non-empty string, so the {what} always runs; put the whole condition "
                 "inside one ${{ }}", fix=if_text_fix(scalar, template, self.source))

    # -- parsing and checking
    def template(self, scalar: Scalar) -> Template | None:
        try:
            return parse_template(scalar.value)
        except ExpressionError as error:
            self.error(scalar, error)
            return None

    def parse(self, scalar: Scalar) -> ast.Expr | None:
        try:
            return parse_expression(scalar.value)
        except ExpressionError as error:
            self.error(scalar, error)
            return None

    def error(self, scalar: Scalar, error: ExpressionError) -> None:
        kind: FindingKind = "unknown" if isinstance(error, UnknownFunctionError) else \
            "arguments" if isinstance(error, ArityError) else "syntax"
        span = error.span or Span(0, len(scalar.value))
        self.add(kind, self.to_source(scalar, span), error.message)

    def typed(self, scalar: Scalar, tree: ast.Expr, scope: Scope, *, mixed: bool) -> None:
        result, problems = check(tree, scope)
        for problem in problems:
            severity = Severity.WARNING if problem.severity == "warning" else Severity.ERROR
            self.add(problem.kind, self.to_source(scalar, problem.span), problem.message,
                     severity)
        if mixed and isinstance(result, ObjectType | ArrayType):
            what = "Object" if isinstance(result, ObjectType) else "Array"
            self.add("interpolation", self.to_source(scalar, tree.span),
                     f"this {result} is written into a string as '{what}', not its "
                     "content; use toJSON() or pick a property", Severity.WARNING)

    def to_source(self, scalar: Scalar, span: Span) -> Span:
        return value_span_to_source(scalar, self.source, span)


def _with(scope: Scope, available: Availability) -> Scope:
    return Scope(scope.contexts, available, scope.notes)


# ---------------------------------------------------------------------------- workflows

def _workflow(run: _Pass, root: Mapping) -> None:
    scopes = WorkflowScopes(root)
    top = _lazy(scopes.top)
    run.values(root.get("run-name"), "run-name", top)
    run.values(root.get("env"), "env", top)
    run.values(root.get("concurrency"), "concurrency", top)
    on = root.get("on")
    call = on.get("workflow_call") if isinstance(on, Mapping) else None
    if isinstance(call, Mapping):
        for spec in _specs(call.get("inputs")):
            run.values(spec.get("default"), "on.workflow_call.inputs.<inputs_id>.default", top)
        for spec in _specs(call.get("outputs")):
            run.values(spec.get("value"), "on.workflow_call.outputs.<output_id>.value",
                       _lazy(scopes.call_outputs))
    jobs = root.get("jobs")
    if isinstance(jobs, Mapping):
        for key, job in jobs.pairs:
            if isinstance(job, Mapping):
                _job(run, scopes, key, job)


def _specs(node: Node | None) -> list[Mapping]:
    """The mapping values of a mapping of declarations (inputs, outputs)."""
    if not isinstance(node, Mapping):
        return []
    return [value for _, value in node.pairs if isinstance(value, Mapping)]


def _job(run: _Pass, scopes: WorkflowScopes, key: Scalar, job: Mapping) -> None:
    # The parser's key index, looked up directly: a job asks for ~18 keys, most absent.
    get = job.index.get if job.index is not None else job.get
    scope = _lazy(lambda: scopes.job(key))
    after = _lazy(lambda: scopes.job(key, steps_seen=None))
    run.condition(get("if"), _J + "if", scope, "job")
    run.values(get("strategy"), _J + "strategy", scope)
    for name in _JOB_KEYS:
        run.values(get(name), _J + name, scope)
    run.values(get("env"), _J + "env", scope)
    defaults = get("defaults")
    if isinstance(defaults, Mapping):
        run.values(defaults.get("run"), _J + "defaults.run", scope)
    _environment(run, get("environment"), after)
    _container(run, get("container"), _J + "container", scope)
    services = get("services")
    if isinstance(services, Mapping):
        for _, service in services.pairs:
            _container(run, service, _J + "services.<service_id>", scope, service=True)
    else:
        run.values(services, _J + "services", scope)
    run.values(get("outputs"), _J + "outputs.<output_id>", after)
    run.values(get("with"), _J + "with.<with_id>", scope)
    run.values(get("secrets"), _J + "secrets.<secrets_id>", scope)
    steps = get("steps")
    if isinstance(steps, Sequence):
        for index, step in enumerate(steps.items):
            if isinstance(step, Mapping):
                _step(run, step, _lazy(functools.partial(scopes.job, key, index)), _S)


def _environment(run: _Pass, node: Node | None, scope: Lazy) -> None:
    if isinstance(node, Mapping):
        run.values(node.get("name"), _J + "environment", scope)
        run.values(node.get("url"), _J + "environment.url", scope)
    else:
        run.values(node, _J + "environment", scope)


def _container(run: _Pass, node: Node | None, where: str, scope: Lazy, *,
               service: bool = False) -> None:
    own = _J + ("services" if service else "container")
    if not isinstance(node, Mapping):
        run.values(node, own, scope)
        return
    for key, value in node.pairs:
        if key.value == "credentials":
            run.values(value, where + ".credentials", scope)
        elif key.value == "env":
            run.values(value, where + ".env.<env_id>", scope)
        else:
            run.values(value, own, scope)


def _step(run: _Pass, step: Mapping, scope: Lazy, prefix: str) -> None:
    for key, value in step.pairs:
        name = key.value
        if name == "if":
            run.condition(value, prefix + "if", scope, "step")
        elif name in _STEP_KEYS:
            if isinstance(value, Scalar) and "${{" not in value.value:
                continue  # nothing to check: skip naming the place
            run.values(value, prefix + name if prefix == _S else prefix.rstrip("."), scope)


# ---------------------------------------------------------------------------- actions

def _action(run: _Pass, root: Mapping) -> None:
    scopes = ActionScopes(root)
    whole = _lazy(lambda: scopes.step(None))
    for spec in _specs(root.get("inputs")):
        run.values(spec.get("default"), "inputs.<input_id>.default", whole)
    for spec in _specs(root.get("outputs")):
        run.values(spec.get("value"), "outputs.<output_id>.value", whole)
    runs = root.get("runs")
    if not isinstance(runs, Mapping):
        return
    for name in ("pre-if", "post-if"):
        run.condition(runs.get(name), "runs." + name, whole, "step")
    run.values(runs.get("env"), "runs.env", whole)
    run.values(runs.get("args"), "runs.args", whole)
    steps = runs.get("steps")
    if isinstance(steps, Sequence):
        for index, step in enumerate(steps.items):
            if isinstance(step, Mapping):
                _step(run, step, _lazy(functools.partial(scopes.step, index)), "runs.steps.")


def expression_findings(ctx: Context) -> tuple[Finding, ...]:
    """Every expression finding of the document, computed by the first rule that asks."""
    cached = ctx.shared.get("expressions")
    if isinstance(cached, tuple):
        return cached
    run = _Pass(ctx)
    if ctx.document.kind == "workflow":
        _workflow(run, ctx.document.root)
    else:
        _action(run, ctx.document.root)
    found = tuple(run.findings)
    ctx.shared["expressions"] = found
    return found


def report_expression_findings(ctx: Context, kind: FindingKind) -> None:
    for finding in expression_findings(ctx):
        if finding.kind == kind:
            ctx.report(finding.span, finding.message, severity=finding.severity,
                       fix=finding.fix)
