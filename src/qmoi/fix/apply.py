"""Splicing edits into text. YAML is never re-dumped: every byte outside an edit's span
stays exactly as it was (comments, quoting, key order, blank lines, line endings)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from qmoi.diagnostics import Edit, Fix
from qmoi.source import Span


def _conflict(a: Span, b: Span) -> bool:
    # Two insertions at one point would be ordered arbitrarily, so they conflict too.
    return a.overlaps(b) or a.start == b.start


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; raises ``ValueError`` if two of them overlap."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    for first, second in itertools.pairwise(ordered):
        if _conflict(first.span, second.span):
            raise ValueError(f"edits overlap at {first.span} and {second.span}")
    parts: list[str] = []
    cursor = 0
    for edit in ordered:
        parts.append(text[cursor : edit.span.start])
        parts.append(edit.text)
        cursor = edit.span.end
    parts.append(text[cursor:])
    return "".join(parts)


def select_compatible(fixes: Sequence[Fix]) -> tuple[list[Fix], list[Fix]]:
    """Fixes whose edits do not touch each other's spans (first come, first served),
    and the rest, deferred to the next round."""
    taken: list[Span] = []
    chosen: list[Fix] = []
    deferred: list[Fix] = []
    for fix in fixes:
        spans = [edit.span for edit in fix.edits]
        internal = any(_conflict(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
        if internal or any(_conflict(s, t) for s in spans for t in taken):
            deferred.append(fix)
            continue
        taken.extend(spans)
        chosen.append(fix)
    return chosen, deferred
