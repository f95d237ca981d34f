"""One walk over a document, calling each rule's overridden hooks."""

from __future__ import annotations

from collections.abc import Iterable

from qmoi.check.base import Context, Document, DocumentKind, Project, Rule
from qmoi.check.registry import all_rules
from qmoi.diagnostics import Diagnostic, Severity
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping, Scalar, Sequence, kind_name
from qmoi.source import SourceFile, Span

_HOOKS = ("workflow", "job", "step", "job_end", "action")


def _overrides(rule: type[Rule], hook: str) -> bool:
    return getattr(rule, hook) is not getattr(Rule, hook)


def _hooked(contexts: list[Context], hook: str) -> list[Context]:
    return [c for c in contexts if _overrides(type(c.rule), hook)]


def _call(ctx: Context, hook: str, *args: object) -> None:
    """Run one hook; a rule that crashes is reported as a finding, and the other rules
    still run, so one bug never hides every other result."""
    try:
        getattr(ctx.rule, hook)(ctx, *args)
    except Exception as error:  # isolate a faulty rule
        spans = [a.span for a in args if isinstance(a, Scalar | Mapping | Sequence)]
        ctx.report(spans[0] if spans else ctx.document.root.span,
                   f"internal error in rule {ctx.rule.name}: {error!r}; please report it",
                   severity=Severity.ERROR)


def check_document(
    document: Document, rules: Iterable[type[Rule]] | None = None
) -> list[Diagnostic]:
    """Run every applicable rule over one parsed document."""
    chosen = [r for r in (all_rules() if rules is None else rules) if document.kind in r.targets]
    shared: dict[str, object] = {}
    contexts = [Context(document, rule(), shared) for rule in chosen]
    root = document.root
    if document.kind == "action":
        for ctx in _hooked(contexts, "action"):
            _call(ctx, "action", root)
    else:
        _walk_workflow(contexts, root)
    found: list[Diagnostic] = []
    for ctx in contexts:
        found.extend(ctx.diagnostics)
    return found


def _walk_workflow(contexts: list[Context], root: Mapping) -> None:
    for ctx in _hooked(contexts, "workflow"):
        _call(ctx, "workflow", root)
    jobs = root.get("jobs")
    if not isinstance(jobs, Mapping):
        return
    on_job, on_step, on_end = (_hooked(contexts, h) for h in ("job", "step", "job_end"))
    for job_id, job in jobs.pairs:
        if not isinstance(job, Mapping):
            continue
        for ctx in on_job:
            _call(ctx, "job", job_id, job)
        steps = job.get("steps")
        if on_step and isinstance(steps, Sequence):
            for index, step in enumerate(steps.items):
                if isinstance(step, Mapping):
                    for ctx in on_step:
                        _call(ctx, "step", job_id, step, index)
        for ctx in on_end:
            _call(ctx, "job_end", job_id, job)


def _not_a_mapping(source: SourceFile, what: str, found: str, span: Span) -> Diagnostic:
    return Diagnostic(source.path, span, "S100", "syntax-check", Severity.ERROR,
                      f"{what} must be a mapping, but it is {found}")


def check_source(
    source: SourceFile,
    kind: DocumentKind = "workflow",
    rules: Iterable[type[Rule]] | None = None,
    project: Project | None = None,
) -> list[Diagnostic]:
    """Parse and check one decoded file; every problem is a diagnostic, sorted by place."""
    result = parse_yaml(source)
    found = list(result.diagnostics)
    what = "a workflow" if kind == "workflow" else "action metadata"
    if result.root is None:
        if not found:
            found.append(_not_a_mapping(source, what, "empty", Span(0, 0)))
    elif not isinstance(result.root, Mapping):
        found.append(_not_a_mapping(source, what, f"a {kind_name(result.root)}",
                                    result.root.span))
    elif not any(d.severity is Severity.ERROR and d.code == "P101" for d in found):
        document = Document(source, result.root, kind, project or Project())
        found.extend(check_document(document, rules))
    found.sort(key=Diagnostic.sort_key)
    return found

