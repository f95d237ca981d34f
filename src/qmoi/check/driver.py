"""One walk over a document, calling each rule's overridden hooks; then the repository's
configuration (rule choice, severities) and the inline suppressions are applied."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from qmoi.check.base import Context, Derived, Document, DocumentKind, Project, Rule
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

# Which hooks each rule class overrides, worked out once per class per process: the walk
# asks for every rule of every file.
_OVERRIDDEN: dict[type[Rule], frozenset[str]] = {}


def overridden_hooks(rule: type[Rule]) -> frozenset[str]:
    """The hooks ``rule`` defines itself (the walker calls only those)."""
    found = _OVERRIDDEN.get(rule)
    if found is None:
        found = frozenset(h for h in _HOOKS if getattr(rule, h) is not getattr(Rule, h))
        _OVERRIDDEN[rule] = found
    return found


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rules that check one kind of document and, for each hook, the positions of
    those that define it: worked out once per rule set, not once per file."""

    rules: tuple[type[Rule], ...]
    hooked: dict[str, tuple[int, ...]]

    def contexts(self, contexts: list[Context], hook: str) -> list[Context]:
        return [contexts[i] for i in self.hooked[hook]]


# Both caches are keyed by what their answer depends on, so they are exact; the bound
# only matters to a long-lived process that checks with many rule sets (the tests).
_CACHE_LIMIT = 64
_PLANS: dict[tuple[tuple[type[Rule], ...], str], _Plan] = {}
_CHOICES: dict[tuple[tuple[object, ...], ...], tuple[type[Rule], ...]] = {}


def _plan(rules: tuple[type[Rule], ...], kind: DocumentKind) -> _Plan:
    key = (rules, kind)
    plan = _PLANS.get(key)
    if plan is None:
        chosen = tuple(r for r in rules if kind in r.targets)
        hooked = {h: tuple(i for i, r in enumerate(chosen) if h in overridden_hooks(r))
                  for h in _HOOKS}
        plan = _Plan(chosen, hooked)
        if len(_PLANS) >= _CACHE_LIMIT:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _chosen(config: Config, path: str | None, selection: Selection | None
            ) -> tuple[type[Rule], ...]:
    """``choose_rules`` over every rule, remembered by exactly the settings it reads."""
    rules = all_rules()
    cli = selection or Selection()
    key = (rules, config.select, config.ignore, config.ignored_for(path), cli.select,
           cli.ignore)
    found = _CHOICES.get(key)
    if found is None:
        found = choose_rules(rules, config, path, selection)
        if len(_CHOICES) >= _CACHE_LIMIT:
            _CHOICES.clear()
        _CHOICES[key] = found
    return found


def _crashed(ctx: Context, error: Exception, at: Span) -> None:
    """A rule that crashes is reported as a finding, and the other rules still run, so one
    bug never hides every other result."""
    ctx.report(at, f"internal error in rule {ctx.rule.name}: {error!r}; please report it",
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
        rules = _chosen(config, document.project.path, selection)
    plan = _plan(tuple(rules), document.kind)
    found = _run(document, plan, config)
    found = _suppress(document, plan.rules, found)
    return _with_severities(found, config)


def _run(document: Document, plan: _Plan, config: Config) -> list[Diagnostic]:
    # One of each for every context: what one rule computes, the others reuse.
    shared: dict[str, object] = {}
    derived = Derived(config=config)
    contexts = [Context(document, rule(), shared, [], derived) for rule in plan.rules]
    root = document.root
    if document.kind == "action":
        for ctx in plan.contexts(contexts, "action"):
            try:
                ctx.rule.action(ctx, root)
            except Exception as error:  # isolate a faulty rule
                _crashed(ctx, error, root.span)
    else:
        _walk_workflow(plan, contexts, root)
    found: list[Diagnostic] = []
    for ctx in contexts:
        found.extend(ctx.diagnostics)
    return found


def _suppress(document: Document, chosen: tuple[type[Rule], ...],
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


def _walk_workflow(plan: _Plan, contexts: list[Context], root: Mapping) -> None:
    for ctx in plan.contexts(contexts, "workflow"):
        try:
            ctx.rule.workflow(ctx, root)
        except Exception as error:  # isolate a faulty rule
            _crashed(ctx, error, root.span)
    jobs = root.get("jobs")
    if not isinstance(jobs, Mapping):
        return
    on_job, on_step, on_end = (plan.contexts(contexts, h) for h in ("job", "step", "job_end"))
    for job_id, job in jobs.pairs:
        if isinstance(job, Mapping):
            _walk_job(on_job, on_step, on_end, job_id, job)


def _walk_job(on_job: list[Context], on_step: list[Context], on_end: list[Context],
              job_id: Scalar, job: Mapping) -> None:
    # The hooks are called directly, not through a generic dispatcher: this loop runs
    # for every rule, job and step of every file.
    for ctx in on_job:
        try:
            ctx.rule.job(ctx, job_id, job)
        except Exception as error:  # isolate a faulty rule
            _crashed(ctx, error, job_id.span)
    steps = job.get("steps")
    if on_step and isinstance(steps, Sequence):
        for index, step in enumerate(steps.items):
            if isinstance(step, Mapping):
                for ctx in on_step:
                    try:
                        ctx.rule.step(ctx, job_id, step, index)
                    except Exception as error:  # isolate a faulty rule
                        _crashed(ctx, error, job_id.span)
    for ctx in on_end:
        try:
            ctx.rule.job_end(ctx, job_id, job)
        except Exception as error:  # isolate a faulty rule
            _crashed(ctx, error, job_id.span)


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

