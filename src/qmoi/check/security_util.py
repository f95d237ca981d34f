"""Shared helpers of the security rules (Z7xx): untrusted inputs, triggers, steps, text edits.

Untrusted inputs are the ``github`` context fields that anyone who can open an issue, a pull
request, a comment or push a branch chooses freely. GitHub lists them in "Script injections"
(https://docs.github.com/en/actions/concepts/security/script-injections: fields ending in
``body``, ``default_branch``, ``email``, ``head_ref``, ``label``, ``message``, ``name``,
``page_name``, ``ref`` and ``title``) and the Security Lab's "Keeping your GitHub Actions and
workflows secure: Untrusted input"
(https://securitylab.github.com/research/github-actions-untrusted-input/). We keep the
concrete fields of those pages rather than the suffix heuristic, because ``github.ref`` or
``github.event.release.name`` end the same way but need write access to set.
"""

from __future__ import annotations

from dataclasses import dataclass

# Re-exported: the quoting contexts moved to their own module, callers still import them here.
from qmoi.check.script_contexts import Frame as Frame
from qmoi.check.script_contexts import bash_contexts as bash_contexts
from qmoi.check.script_contexts import is_code as is_code
from qmoi.check.script_contexts import js_contexts as js_contexts
from qmoi.check.script_contexts import pwsh_contexts as pwsh_contexts
from qmoi.expr import ast
from qmoi.expr.typecheck import property_path
from qmoi.model import ActionRef, Job, Step, Workflow
from qmoi.source import Span

_PATHS = """
github.head_ref
github.event.issue.title  github.event.issue.body
github.event.pull_request.title  github.event.pull_request.body
github.event.pull_request.head.ref  github.event.pull_request.head.label
github.event.pull_request.head.repo.default_branch
github.event.comment.body  github.event.review.body  github.event.review_comment.body
github.event.discussion.title  github.event.discussion.body
github.event.pages.*.page_name
github.event.commits.*.message
github.event.commits.*.author.email  github.event.commits.*.author.name
github.event.commits.*.committer.email  github.event.commits.*.committer.name
github.event.head_commit.message
github.event.head_commit.author.email  github.event.head_commit.author.name
github.event.head_commit.committer.email  github.event.head_commit.committer.name
github.event.workflow_run.head_branch  github.event.workflow_run.display_title
github.event.workflow_run.head_commit.message
github.event.workflow_run.head_commit.author.email
github.event.workflow_run.head_commit.author.name
github.event.workflow_run.pull_requests.*.head.ref
github.event.workflow_run.head_repository.default_branch
"""
UNTRUSTED: tuple[tuple[str, ...], ...] = tuple(tuple(p.split(".")) for p in _PATHS.split())

# Functions whose result cannot carry the text of their arguments.
_OPAQUE = frozenset({"contains", "startswith", "endswith", "hashfiles", "success", "always",
                     "failure", "cancelled"})


@dataclass(frozen=True, slots=True)
class Taint:
    """An untrusted input whose text can reach an expression's value.

    ``path`` is dotted (``github.event.issue.title``; ``github.event.pull_request.*`` when
    a whole object is serialised by ``toJSON``), ``span`` is where it is read (offsets in
    the parsed text)."""

    path: str
    span: Span
    via: str | None = None  # the ``env`` name it came through, as written


def _same(a: str, b: str) -> bool:
    return a == b or a == "*" or b == "*"


def _by_shape() -> dict[tuple[int, str], tuple[tuple[str, ...], ...]]:
    shapes: dict[tuple[int, str], list[tuple[str, ...]]] = {}
    for pattern in UNTRUSTED:
        shapes.setdefault((len(pattern), pattern[0]), []).append(pattern)
    return {shape: tuple(found) for shape, found in shapes.items()}


# The patterns by length and first name: every property path of every expression is
# matched, and nearly all of them (``matrix.os``, ``steps.x.outputs.y``) fit no shape.
_SHAPES = _by_shape()
_WILD_FIRST = any(pattern[0] == "*" for pattern in UNTRUSTED)


def _candidates(path: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    if not path:
        return ()
    if path[0] == "*":
        return tuple(p for p in UNTRUSTED if len(p) == len(path))
    found = _SHAPES.get((len(path), path[0]), ())
    return found + _SHAPES.get((len(path), "*"), ()) if _WILD_FIRST else found


def untrusted_match(path: tuple[str, ...]) -> str | None:
    """The untrusted field ``path`` reads, or None."""
    for pattern in _candidates(path):
        if all(map(_same, pattern, path)):
            return ".".join(path)
    return None


def _holds_untrusted(path: tuple[str, ...]) -> bool:
    """Whether the object at ``path`` contains an untrusted field (``github.event``…)."""
    return any(len(p) > len(path) and all(map(_same, p, path)) for p in UNTRUSTED)


EnvTaints = dict[str, tuple[str, str]]
"""Lower-cased ``env`` name → (name as written, the untrusted input its value holds)."""


def taints(node: ast.Expr, env: EnvTaints | None = None) -> list[Taint]:
    """Untrusted inputs whose text can flow into the value of ``node``.

    With ``env``, ``${{ env.TITLE }}`` counts when ``TITLE: ${{ github.event.issue.title }}``.
    Comparisons, ``!`` and ``contains``/``startsWith``/``endsWith`` give booleans; ``a && b``
    yields ``b`` or a falsy ``a`` (an empty string at worst); ``a || b`` either one.
    """
    if isinstance(node, ast.Index | ast.Context):
        return _path_taint(node, env or {})
    if isinstance(node, ast.And):
        return taints(node.operands[-1], env)
    if isinstance(node, ast.Or):
        return [t for operand in node.operands for t in taints(operand, env)]
    if isinstance(node, ast.Call):
        name = node.name.lower()
        if name in _OPAQUE:
            return []
        if name == "tojson" and len(node.args) == 1:
            path = property_path(node.args[0])
            if path is not None and _holds_untrusted(path):
                return [Taint(".".join(path) + ".*", node.args[0].span)]
        return [t for arg in node.args for t in taints(arg, env)]
    return []


def _path_taint(node: ast.Index | ast.Context, env: EnvTaints) -> list[Taint]:
    path = property_path(node)
    if path is None:
        # A computed key (``github.event[matrix.field]``): only the key itself can leak.
        return taints(node.key, env) if isinstance(node, ast.Index) and not isinstance(
            node.key, ast.Star) else []
    found = untrusted_match(path)
    if found is not None:
        return [Taint(found, node.span)]
    if len(path) == 2 and path[0] == "env" and path[1] in env:
        name, source = env[path[1]]
        return [Taint(source, node.span, name)]
    return []


# --- triggers, jobs and steps ---------------------------------------------------------

PRIVILEGED_EVENTS = ("pull_request_target", "workflow_run")


def privileged_events(workflow: Workflow) -> tuple[str, ...]:
    """The triggers that run with the base repository's secrets and a write token while
    reacting to someone else's code (pull_request_target, workflow_run)."""
    return tuple(e for e in PRIVILEGED_EVENTS if workflow.event(e) is not None)


def is_action(step: Step, *names: str) -> bool:
    """Whether the step uses one of the actions ``owner/repo[/path]`` (any ref)."""
    ref = step.action
    return ref is not None and ref.kind == "remote" and ref.name_lower in names


def action_major(ref: ActionRef) -> int | None:
    """The major version of a ``vN…`` ref, or None (branch, SHA…)."""
    text = (ref.ref or "").lower().removeprefix("v")
    digits = text.split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def job_of(workflow: Workflow, job_id: str) -> Job | None:
    for job in workflow.jobs:
        if isinstance(job, Job) and job.id == job_id:
            return job
    return None


def step_input(step: Step, name: str) -> str | None:
    """A ``with:`` input's scalar text, or None when it is absent or not a scalar."""
    entry = step.with_.get(name)
    return None if entry is None else entry.value


def mentions(text: str, *needles: str) -> bool:
    lowered = text.lower()
    return any(n in lowered for n in needles)


# --- text edits -------------------------------------------------------------------------

def indent_at(text: str, offset: int) -> int:
    """The column (0-based, in characters) of ``offset`` on its line."""
    return offset - (text.rfind("\n", 0, offset) + 1)


def newline_at(text: str, offset: int) -> str:
    """The line break used by the line of ``offset`` (the file's first one otherwise)."""
    end = text.find("\n", offset)
    if end < 0:
        end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def after_line(text: str, offset: int) -> tuple[int, str]:
    """Where a new line can start after the content ending at ``offset``: the offset just
    past that line's break, and the prefix to insert there (a break when the file ends
    without one)."""
    end = offset
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    line_end = text.find("\n", end)
    if line_end < 0:
        return len(text), newline_at(text, 0)
    return line_end + 1, ""


def yaml_scalar(value: str, *, flow: bool) -> str:
    """``value`` as a YAML scalar: plain when that reads back the same, else single-quoted.

    In flow collections ``{``, ``}``, ``,`` and ``[]`` end a plain scalar, and ``${{ }}``
    has braces, so flow context always quotes."""
    plain = (
        not flow
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and "\n" not in value
        and value[:1] not in "!&*|>'\"%@`#,[]{}-?:"
    )
    return value if plain else "'" + value.replace("'", "''") + "'"


def encode_in_scalar(text: str, style: str) -> str:
    """``text`` as it must be written inside a YAML scalar of ``style`` to read as itself."""
    if style == '"':
        return text.replace("\\", "\\\\").replace('"', '\\"')
    if style == "'":
        return text.replace("'", "''")
    return text
