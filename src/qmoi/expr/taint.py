"""Untrusted input: which property paths an attacker controls, and where they flow.

GitHub's guidance (https://docs.github.com/en/actions/concepts/security/script-injections
and https://docs.github.com/en/actions/reference/security/secure-use#good-practices-for-mitigating-script-injection-attacks):
values that "typically end with body, default_branch, email, head_ref, label, message,
name, page_name, ref, and title", e.g. ``github.event.issue.title``. The list below names
the event payload fields of that kind which anyone who can open an issue, a pull request
from a fork, a comment or a branch can set (GitHub Security Lab, "Untrusted input").
Paths are lower-case (contexts ignore case); ``*`` matches one array item or property.
"""

from __future__ import annotations

from qmoi.expr import ast
from qmoi.expr.typecheck import path_of
from qmoi.source import Span

_COMMIT = ("message", "author.email", "author.name", "committer.email", "committer.name")
UNTRUSTED_PATHS: tuple[str, ...] = (
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.name",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.pages.*.title",
    *(f"github.event.commits.*.{field}" for field in _COMMIT),
    *(f"github.event.head_commit.{field}" for field in _COMMIT),
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_repository.description",
    "github.event.workflow_run.pull_requests.*.head.ref",
    *(f"github.event.workflow_run.head_commit.{field}" for field in _COMMIT),
    "github.event.merge_group.head_commit.message",
    "github.event.merge_group.head_commit.author.email",
    "github.event.merge_group.head_commit.author.name",
)
_PATTERNS = tuple(tuple(path.split(".")) for path in UNTRUSTED_PATHS)
# Functions whose result carries their arguments' text (contains() etc. give booleans).
_PASS_THROUGH = frozenset(("format", "join", "tojson", "fromjson"))


def is_untrusted_path(path: str) -> bool:
    """Whether a dotted path (``github.event.commits.*.message``) is attacker-controlled."""
    parts = tuple(path.lower().split("."))
    return any(_matches(parts, pattern) for pattern in _PATTERNS)


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    if len(parts) != len(pattern):
        return False
    return all(p == q or q == "*" or p == "*" for p, q in zip(parts, pattern, strict=True))


def _contains_untrusted(path: str) -> bool:
    """``toJSON(github.event.issue)`` prints every field under it, untrusted ones included."""
    parts = tuple(path.lower().split("."))
    return any(len(parts) < len(p) and _matches(parts, p[: len(parts)]) for p in _PATTERNS)


def untrusted_paths(tree: ast.Expr) -> list[tuple[str, Span]]:
    """The untrusted paths whose text can reach the expression's value, in source order.

    Comparisons, ``!`` and the boolean functions only yield true/false, so paths read
    inside them are not reported; ``format``, ``join``, ``toJSON``, ``fromJSON``, ``&&``,
    ``||`` and ``case`` values pass their operands' text on.
    """
    found: list[tuple[str, Span]] = []
    _collect(tree, found, serialised=False)
    return sorted(found, key=lambda item: item[1].start)


def is_untrusted(tree: ast.Expr) -> bool:
    return bool(untrusted_paths(tree))


def _collect(node: ast.Expr, found: list[tuple[str, Span]], *, serialised: bool) -> None:
    if isinstance(node, ast.Index | ast.Context):
        path = path_of(node)
        if path is not None and (is_untrusted_path(path) or
                                 (serialised and _contains_untrusted(path))):
            found.append((path, node.span))
        elif path is None and isinstance(node, ast.Index):
            # Indexing a computed value (fromJSON(x).title): judge what it was built from.
            _collect(node.target, found, serialised=serialised)
        return
    if isinstance(node, ast.And | ast.Or):
        for operand in node.operands:
            _collect(operand, found, serialised=serialised)
    elif isinstance(node, ast.Call):
        name = node.name.lower()
        if name == "case":
            for position, arg in enumerate(node.args):
                if position % 2 == 1 or position == len(node.args) - 1:
                    _collect(arg, found, serialised=serialised)
        elif name in _PASS_THROUGH:
            for arg in node.args:
                _collect(arg, found, serialised=serialised or name == "tojson")
