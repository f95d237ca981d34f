"""Check a document against the schema in one pass.

The walk collects findings of four kinds (unknown key, wrong type, missing required key,
empty value); it runs once per document and the four structural rules share its result
through ``Context.shared``, each reporting the findings of its own kind.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from qmoi.check.base import Context, DocumentKind
from qmoi.check.schema import Spec, T
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import Span

FindingKind = Literal["unknown-key", "value-type", "required-key", "empty-value"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the schema walk found, kept for the structural rule of its ``kind`` to report."""

    kind: FindingKind
    span: Span
    message: str
    # Set when GitHub tolerates the problem (a loose mapping's unknown key).
    severity: Severity | None = None
    fix: Fix | None = None


_KIND_TYPE = {
    ScalarKind.STR: T.STR,
    ScalarKind.BOOL: T.BOOL,
    ScalarKind.INT: T.NUM,
    ScalarKind.FLOAT: T.NUM,
    ScalarKind.NULL: T.NULL,
}
_TYPE_NAMES = (
    (T.STR, "a string"), (T.NUM, "a number"), (T.BOOL, "a boolean"),
    (T.MAP, "a mapping"), (T.SEQ, "a sequence"), (T.NULL, "null"),
)


def is_expression(node: Node) -> bool:
    """A string holding a ``${{ … }}``: GitHub evaluates it, so its type is unknown here."""
    if not isinstance(node, Scalar) or node.kind is not ScalarKind.STR:
        return False
    start = node.value.find("${{")
    return start != -1 and node.value.find("}}", start + 3) != -1


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, if one is close (a case-only difference counts as close)."""
    options = list(candidates)
    for option in options:
        if option.lower() == word.lower():
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if close:
        return close[0]
    # A truncated key ("timeout" for "timeout-minutes") is too short for the ratio.
    prefixed = [o for o in options if len(word) >= 4 and o.startswith(word)]
    return prefixed[0] if len(prefixed) == 1 else None


def one_slip(word: str, target: str) -> bool:
    """True when ``word`` is ``target`` with a separator or case slip (``runs_on``,
    ``Runs-On``) or one typing slip: a letter added, dropped, changed or two swapped."""
    if word.lower().replace("_", "-") == target:
        return True
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
            return False
        i = diffs[0]
        return word[i] == target[i + 1] and word[i + 1] == target[i]
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _rename_safety(word: str, guess: str, spec: Spec, present: frozenset[str]) -> FixSafety:
    """A rename is safe where GitHub rejects the file as it is (a strict mapping), the slip
    is unambiguous and the intended key is not already there: the author certainly meant
    it. Where GitHub ignores the key, renaming changes what runs, so a person decides."""
    if spec.loose or guess in present or not one_slip(word, guess):
        return FixSafety.UNSAFE
    return FixSafety.SAFE


def _phrase(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def expected(spec: Spec, expr: bool) -> str:
    names = [name for flag, name in _TYPE_NAMES if spec.types & flag]
    if expr and not spec.types & T.STR:
        names.append("an expression")
    return _phrase(names)


def found(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a sequence"
    return dict(_TYPE_NAMES)[_KIND_TYPE[node.kind]]


def _plainly_fine(node: Node, spec: Spec) -> bool:
    """A scalar of a type ``spec`` takes, where emptiness does not matter and no alias can
    lead: walking it would find nothing, so its label is never built. Most values are."""
    return (isinstance(node, Scalar) and node.anchor is None and not spec.nonempty
            and bool(_KIND_TYPE[node.kind] & spec.types))


class _Walker:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        # Aliases make the tree a DAG; each (node, spec) pair is checked once.
        self.visited: set[tuple[int, int]] = set()

    def add(self, kind: FindingKind, span: Span, message: str,
            severity: Severity | None = None, fix: Fix | None = None) -> None:
        self.findings.append(Finding(kind, span, message, severity, fix))

    def walk(self, node: Node, spec: Spec, label: str, expr: bool, anchor: Span) -> None:
        if node.anchor is not None:
            # Only an anchored node can be reached twice (through its aliases).
            mark = (id(node), id(spec))
            if mark in self.visited:
                return
            self.visited.add(mark)
        expr = expr or spec.expr
        if isinstance(node, Scalar):
            self.scalar(node, spec, label, expr)
        elif not spec.types & (T.MAP if isinstance(node, Mapping) else T.SEQ):
            self.wrong_type(node, spec, label, expr)
        elif isinstance(node, Mapping):
            self.mapping(node, spec, label, expr, anchor)
        else:
            self.sequence(node, spec, label, expr)

    def scalar(self, node: Scalar, spec: Spec, label: str, expr: bool) -> None:
        if expr and is_expression(node):
            return
        kind = _KIND_TYPE[node.kind]
        if kind & spec.types or (spec.types & T.STR and kind != T.NULL):
            # Other scalars are read as their text where a string is expected.
            if spec.nonempty and kind == T.STR and not node.value:
                self.add("empty-value", node.span, f"{label} must not be empty")
        elif spec.types & T.STR:
            if spec.nonempty:
                self.add("empty-value", node.span, f"{label} must not be empty")
        else:
            self.wrong_type(node, spec, label, expr)

    def wrong_type(self, node: Node, spec: Spec, label: str, expr: bool) -> None:
        message = f"{label} must be {expected(spec, expr)}, but it is {found(node)}"
        if not expr and is_expression(node):
            message += " (expressions are not allowed here)"
        self.add("value-type", node.span, message)

    def mapping(self, node: Mapping, spec: Spec, label: str, expr: bool, anchor: Span) -> None:
        if spec.nonempty and not node.pairs:
            self.add("empty-value", node.span, f"{label} must not be empty")
        if not spec.keys and spec.extra is None and not spec.loose:
            return  # a mapping of anything (matrix values, ``ANY``)
        keys, extra = spec.keys, spec.extra
        for key, value in node.pairs:
            known = keys.get(key.value)
            if known is not None:
                child = known.spec
                if _plainly_fine(value, child):
                    continue
                self.walk(value, child, f'"{key.value}"', expr, key.span)
            elif extra is not None:
                if _plainly_fine(value, extra):
                    continue
                name = spec.label.format(key=key.value) if spec.label else f'"{key.value}"'
                self.walk(value, extra, name, expr, key.span)
            else:
                self.unknown(key, spec, label, frozenset(node.index or node.keys()))
        if not spec.required:
            return
        present = {key.value for key, _ in node.pairs}
        for name in spec.required:
            if name not in present:
                self.add("required-key", anchor, f'{label} is missing the required key "{name}"')

    def unknown(self, key: Scalar, spec: Spec, label: str, present: frozenset[str]) -> None:
        message = f'unknown key "{key.value}" in {label}'
        guess = did_you_mean(key.value, spec.keys)
        fix = None
        if guess is not None:
            message += f'; did you mean "{guess}"?'
            fix = Fix(f'Rename to "{guess}"', _rename_safety(key.value, guess, spec, present),
                      (Edit(key.span, guess),))
        elif not spec.keys:
            message += ", which takes no settings"
        elif len(spec.keys) <= 6:
            message += "; expected " + _phrase([f'"{k}"' for k in spec.keys])
        severity = Severity.WARNING if spec.loose else None
        self.add("unknown-key", key.span, message, severity, fix)

    def sequence(self, node: Sequence, spec: Spec, label: str, expr: bool) -> None:
        if spec.nonempty and not node.items:
            self.add("empty-value", node.span, f"{label} must not be empty")
        items = spec.items
        if items is None:
            return
        for index, item in enumerate(node.items, 1):
            if _plainly_fine(item, items):
                continue
            name = spec.label.format(index=index) if spec.label else f"an item of {label}"
            self.walk(item, items, name, expr, item.span)


def check_schema(root: Mapping, kind: DocumentKind) -> tuple[Finding, ...]:
    """Every schema finding in one document, in document order per kind."""
    from qmoi.check.schema_action import ACTION
    from qmoi.check.schema_workflow import WORKFLOW

    walker = _Walker()
    spec, label = (WORKFLOW, "the workflow") if kind == "workflow" else (ACTION, "the action")
    walker.walk(root, spec, label, False, Span(root.span.start, root.span.start))
    return tuple(walker.findings)


def schema_findings(ctx: Context) -> tuple[Finding, ...]:
    """The document's findings, computed by the first rule that asks."""
    cached = ctx.shared.get("schema")
    if not isinstance(cached, tuple):
        cached = check_schema(ctx.document.root, ctx.document.kind)
        ctx.shared["schema"] = cached
    return cached


def report_findings(ctx: Context, kind: FindingKind) -> None:
    for finding in schema_findings(ctx):
        if finding.kind == kind:
            ctx.report(finding.span, finding.message, severity=finding.severity,
                       fix=finding.fix)
