"""Helpers shared by the action (A6xx) and reusable-workflow (R65x) rules.

Local ``action.yml`` files and local reusable workflows come from the document's
``Project`` (read by the caller); each is parsed once per document and shared through
``Context.shared``. Bundled metadata and the majors table come from :mod:`qmoi.data`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from qmoi.check.base import Context
from qmoi.data import (
    ActionMajors,
    ActionSpec,
    action_majors,
    bundled_actions,
    runtime_status,
)
from qmoi.expr import ExpressionError, ast, parse_expression, parse_template
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model import Action, ActionRef, Job, Step, Workflow, build_action, build_workflow
from qmoi.parse import Mapping, Scalar, ScalarKind, Sequence, parse_yaml
from qmoi.source import SourceFile, Span

_SHA = re.compile(r"[0-9a-f]{40}")
_MAJOR = re.compile(r"v?(\d+)(?:\.\d+){0,2}")
# A trailing ``# v3`` / ``# v3.1.0`` / ``# tag=v3`` comment on the ``uses:`` line.
_COMMENT_TAG = re.compile(r"#\s*(?:tag=)?(v?\d+(?:\.\d+){0,2})\b")


def is_sha(ref: str) -> bool:
    return _SHA.fullmatch(ref.lower()) is not None


def ref_major(ref: str) -> int | None:
    """The major of a version tag (``v4``, ``v4.1.2``, ``4``); None for branches and SHAs."""
    match = _MAJOR.fullmatch(ref)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """A remote action reference resolved against the majors table."""

    table: ActionMajors
    major: int
    via_sha: str | None = None  # the tag the SHA is known as, when the ref is a SHA


def resolve(action: ActionRef) -> ResolvedRef | None:
    """The table entry and major of ``owner/repo[/path]@ref``, when both are known."""
    if action.kind != "remote" or action.repository is None or action.ref is None:
        return None
    table = action_majors().get(action.repository.lower())
    if table is None:
        return None
    ref = action.ref
    if is_sha(ref):
        tag = table.shas.get(ref.lower())
        major = None if tag is None else ref_major(tag)
        return None if major is None else ResolvedRef(table, major, tag)
    major = ref_major(ref)
    return None if major is None else ResolvedRef(table, major)


def load_tables() -> None:
    """Read the bundled action tables now. A process that forks checkers calls this first,
    so that they inherit the tables instead of each reading and decoding them again."""
    bundled_actions()
    action_majors()
    runtime_status()


def bundled(action: ActionRef) -> ActionSpec | None:
    if action.kind != "remote" or not action.name:
        return None
    return bundled_actions().get(action.name_lower)


def _parsed(ctx: Context, relpath: str) -> tuple[SourceFile, Mapping] | None:
    key = f"actions_util:{relpath}"
    if key in ctx.shared:
        cached = ctx.shared[key]
        return cached if isinstance(cached, tuple) else None
    text = ctx.document.project.text(relpath)
    found: tuple[SourceFile, Mapping] | None = None
    if text is not None:
        source = SourceFile(relpath, text)
        root = parse_yaml(source).root
        if isinstance(root, Mapping):
            found = (source, root)
    ctx.shared[key] = found
    return found


def local_action(ctx: Context, action: ActionRef) -> Action | None:
    """The ``action.yml`` (or ``action.yaml``) of a ``./path`` action, when the caller read it."""
    if action.kind != "local" or action.path is None:
        return None
    folder = action.path.removeprefix("./").rstrip("/")
    for name in ("action.yml", "action.yaml"):
        relpath = f"{folder}/{name}" if folder and folder != "." else name
        parsed = _parsed(ctx, relpath)
        if parsed is not None:
            return build_action(parsed[1], parsed[0])
    return None


def local_workflow(ctx: Context, path: str) -> Workflow | None:
    """A local reusable workflow (``./.github/workflows/x.yml``), when the caller read it."""
    parsed = _parsed(ctx, path.removeprefix("./"))
    return None if parsed is None else build_workflow(parsed[1], parsed[0])


def _flatten(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if step.parallel:
            yield from _flatten(step.parallel)


def document_steps(ctx: Context) -> Iterator[Step]:
    """Every step of the document: each job's (``parallel`` groups included) in a workflow,
    the composite steps in an ``action.yml``."""
    if ctx.document.kind == "action":
        runs = build_action(ctx.document.root, ctx.source).runs
        yield from _flatten(() if runs is None else runs.steps)
        return
    for job in ctx.workflow.jobs:
        if isinstance(job, Job):
            yield from _flatten(job.steps)


def ref_span(ctx: Context, uses: Scalar) -> Span:
    """The span of the text after ``@`` inside the ``uses:`` value (the whole value if none)."""
    at = uses.value.rfind("@")
    if at < 0:
        return uses.span
    inner = Span(at + 1, len(uses.value.rstrip()))
    return value_span_to_source(uses, ctx.source, inner)


def comment_tag(ctx: Context, uses: Scalar) -> tuple[Span, str] | None:
    """The version in a trailing ``# v3.1.0`` comment on the line where ``uses`` ends."""
    text = ctx.source.text
    end = uses.span.end
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[end:line_end]
    hash_at = rest.find("#")
    if hash_at < 0 or rest[:hash_at].strip():
        return None
    match = _COMMENT_TAG.match(rest, hash_at)
    if match is None:
        return None
    return Span(end + match.start(1), end + match.end(1)), match.group(1)


@dataclass(frozen=True, slots=True)
class PropertyPath:
    """A ``a.b.c`` (or ``a['b'].c``) reference inside a ``${{ }}`` of some scalar."""

    names: tuple[str, ...]
    scalar: Scalar
    span: Span  # in the source file


def _chain(node: ast.Index) -> tuple[str, ...] | None:
    names: list[str] = []
    current: ast.Expr = node
    while isinstance(current, ast.Index):
        if not isinstance(current.key, ast.String):
            return None
        names.append(current.key.value)
        current = current.target
    if not isinstance(current, ast.Context):
        return None
    names.append(current.name)
    return tuple(reversed(names))


def _scalars(root: Mapping) -> Iterator[tuple[Scalar, bool]]:
    """String scalars holding expressions, and whether each is an ``if:`` condition
    (which is an expression even without ``${{ }}``)."""
    stack: list[tuple[object, bool]] = [(root, False)]
    seen: set[int] = set()
    while stack:
        node, condition = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            if node.kind is ScalarKind.STR and (condition or "${{" in node.value):
                yield node, condition
        elif isinstance(node, Mapping):
            stack.extend((value, key.value == "if") for key, value in node.pairs)
        elif isinstance(node, Sequence):
            stack.extend((item, False) for item in node.items)


def property_paths(ctx: Context, scalar: Scalar, *, condition: bool = False
                   ) -> tuple[PropertyPath, ...]:
    """Every property chain in the expressions of ``scalar`` (none if they do not parse);
    a ``condition`` without ``${{ }}`` is one bare expression."""
    try:
        if condition and "${{" not in scalar.value:
            trees: tuple[ast.Expr, ...] = (parse_expression(scalar.value),)
        else:
            trees = parse_template(scalar.value).expressions
    except ExpressionError:
        return ()
    found: list[PropertyPath] = []
    for tree in trees:
        for node in ast.walk(tree):
            names = _chain(node) if isinstance(node, ast.Index) else None
            if names is not None:
                span = value_span_to_source(scalar, ctx.source, node.span)
                found.append(PropertyPath(names, scalar, span))
    return tuple(found)


def document_paths(ctx: Context) -> tuple[PropertyPath, ...]:
    """Every property chain in every expression of the document (computed once)."""
    cached = ctx.shared.get("actions_util:paths")
    if isinstance(cached, tuple):
        return cached
    paths = tuple(p for scalar, condition in _scalars(ctx.document.root)
                  for p in property_paths(ctx, scalar, condition=condition))
    ctx.shared["actions_util:paths"] = paths
    return paths


# The called workflow the documented examples of the reusable-workflow rules refer to: it
# declares the input "targets" and the output "artifact".
EXAMPLE_CALLEE = """\
on:
  workflow_call:
    inputs:
      targets:
        type: string
        required: false
    outputs:
      artifact:
        value: ${{ jobs.build.outputs.artifact }}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      artifact: ${{ steps.pack.outputs.name }}
    steps:
      - id: pack
        run: echo "name=dist" >> "$GITHUB_OUTPUT"
"""
