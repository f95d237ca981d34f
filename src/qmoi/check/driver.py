"""One walk over a document, calling each rule's overridden hooks; then the repository's
configuration (rule choice, severities) and the inline suppressions are applied."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

from qmoi.check.base import Context, Document, Project, Rule
from qmoi.check.config import (
    CONFIG_PATH,
    Config,
    Selection,
    check_config,
    choose_rules,
    parse_config,
)
from qmoi.check.registry import all_rules
from qmoi.check.suppress import (
    SUPPRESS_CODE,
    RuleNames,
    apply_suppressions,
    find_suppressions,
    unused_suppressions,
)
from qmoi.diagnostics import Diagnostic, Severity
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping, Scalar, Sequence, kind_name
from qmoi.source import SourceFile, Span

_HOOKS = ("workflow", "job", "step", "job_end", "action")
# What a file given to the checker may be: QMOI's own config file is a lint target too.
SourceKind = Literal["workflow", "action", "config"]


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


def config_of(project: Project) -> Config:
    text = project.text(CONFIG_PATH)
    return Config() if text is None else parse_config(text)


def check_document(
    document: Document,
    rules: Iterable[type[Rule]] | None = None,
    *,
    selection: Selection | None = None,
) -> list[Diagnostic]:
    """Run the rules over one parsed document. With ``rules`` None they are chosen by the
    configuration and ``selection``; an explicit ``rules`` is used as given (the caller has
    chosen). Severity overrides and inline suppressions apply either way."""
    config = config_of(document.project)
    if rules is None:
        rules = choose_rules(all_rules(), config, document.project.path, selection)
    chosen = [r for r in rules if document.kind in r.targets]
    found = _run(document, chosen, config)
    found = _suppress(document, chosen, found)
    return _with_severities(found, config)


def _run(document: Document, chosen: list[type[Rule]], config: Config) -> list[Diagnostic]:
    shared: dict[str, object] = {"config": config}
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


def _suppress(document: Document, chosen: list[type[Rule]],
              found: list[Diagnostic]) -> list[Diagnostic]:
    suppressions = find_suppressions(document.source, document.root)
    if not suppressions:
        return found
    kept = apply_suppressions(found, document.source, suppressions)
    if not any(r.code == SUPPRESS_CODE for r in chosen):
        return kept
    applicable = [r for r in all_rules() if document.kind in r.targets]
    names = RuleNames(
        known=frozenset(n for r in (*all_rules(), *chosen) for n in (r.code, r.name)),
        enabled=frozenset(n for r in chosen for n in (r.code, r.name)),
        complete=len(chosen) >= len(applicable),
    )
    return kept + unused_suppressions(document.source, suppressions, names)


def _with_severities(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    if not config.severity:
        return found
    changed = []
    for d in found:
        level = config.severity_for(d.code, d.rule)
        changed.append(d if level is None else dataclasses.replace(d, severity=level))
    return changed


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
    kind: SourceKind = "workflow",
    rules: Iterable[type[Rule]] | None = None,
    project: Project | None = None,
    *,
    selection: Selection | None = None,
) -> list[Diagnostic]:
    """Parse and check one decoded file; every problem is a diagnostic, sorted by place."""
    if kind == "config":
        return check_config(source)
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
        found.extend(check_document(document, rules, selection=selection))
    found.sort(key=Diagnostic.sort_key)
    return found

