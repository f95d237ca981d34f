"""Fix rounds: check, apply compatible fixes, re-parse and re-check, until nothing changes.

A round whose result no longer parses, or reports a kind of problem more often than
before, is rolled back; its fixes are then tried one at a time so that one bad fix
cannot hold back the good ones, and the bad one is reported as rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from qmoi.check import check_source
from qmoi.check.base import DocumentKind, Project, Rule
from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety
from qmoi.fix.apply import apply_edits, select_compatible
from qmoi.source import SourceFile

MAX_ROUNDS = 25


@dataclass(frozen=True, slots=True)
class AppliedFix:
    """A fix the engine kept, and the round it was applied in."""

    code: str
    rule: str
    title: str
    safety: FixSafety
    round: int
    # The edits, with spans into the text as it was at the start of ``round``.
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class RejectedFix:
    """A fix the engine dropped, and why (its round broke the file or added problems)."""

    code: str
    rule: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """The result of fixing one file: the new text, the fixes kept and dropped, and what remains."""

    original: SourceFile
    text: str
    applied: tuple[AppliedFix, ...]
    rejected: tuple[RejectedFix, ...]
    remaining: tuple[Diagnostic, ...]
    rounds: int

    @property
    def changed(self) -> bool:
        return self.text != self.original.text

    @property
    def source(self) -> SourceFile:
        return SourceFile(self.original.path, self.text, self.original.bom)


def _allowed(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    return fix.safety is FixSafety.SAFE or (unsafe and fix.safety is FixSafety.UNSAFE)


def _profile(found: Iterable[Diagnostic]) -> Counter[str]:
    return Counter(d.code for d in found)


def _worse(before: list[Diagnostic], after: list[Diagnostic]) -> str | None:
    """Why ``after`` is not acceptable, or None if it is."""
    if any(d.code.startswith("P") for d in after) and not any(
        d.code.startswith("P") for d in before
    ):
        return "the fix made the file unparseable"
    grown = _profile(after) - _profile(before)
    if grown:
        return "the fix introduced new problems: " + ", ".join(sorted(grown))
    return None


class _Run:
    def __init__(self, source: SourceFile, kind: DocumentKind, rules: tuple[type[Rule], ...] | None,
                 unsafe: bool, project: Project | None) -> None:
        self.original = source
        self.project = project
        self.kind = kind
        self.rules = rules
        self.unsafe = unsafe
        self.text = source.text
        self.found = self._check(self.text)
        self.applied: list[AppliedFix] = []
        self.rejected: list[RejectedFix] = []
        self.refused: set[tuple[str, str]] = set()

    def _check(self, text: str) -> list[Diagnostic]:
        return check_source(SourceFile(self.original.path, text, self.original.bom), self.kind,
                            self.rules, self.project)

    def candidates(self) -> list[tuple[Diagnostic, Fix]]:
        # One fix may be attached to several diagnostics (one edit resolving many findings):
        # it is applied once.
        seen: set[Fix] = set()
        found: list[tuple[Diagnostic, Fix]] = []
        for d in self.found:
            fix = d.fix
            if (fix is None or not _allowed(fix, self.unsafe) or fix in seen
                    or (d.code, fix.title) in self.refused):
                continue
            seen.add(fix)
            found.append((d, fix))
        return found

    def attempt(self, items: list[tuple[Diagnostic, Fix]]) -> tuple[str, list[Diagnostic]] | str:
        try:
            text = apply_edits(self.text, [e for _, fix in items for e in fix.edits])
        except ValueError as error:
            return str(error)
        after = self._check(text)
        reason = _worse(self.found, after)
        return reason if reason is not None else (text, after)

    def accept(self, items: list[tuple[Diagnostic, Fix]], text: str, after: list[Diagnostic],
               number: int) -> None:
        self.text, self.found = text, after
        self.applied.extend(AppliedFix(d.code, d.rule, f.title, f.safety, number, f.edits)
                            for d, f in items)

    def reject(self, diagnostic: Diagnostic, fix: Fix, reason: str) -> None:
        self.refused.add((diagnostic.code, fix.title))
        self.rejected.append(RejectedFix(diagnostic.code, diagnostic.rule, fix.title, reason))

    def round(self, number: int) -> bool:
        """One round; False when there was nothing left to do."""
        pending = self.candidates()
        if not pending:
            return False
        fixes = [fix for _, fix in pending]
        chosen_fixes, _ = select_compatible(fixes)
        chosen = [item for item in pending if any(item[1] is f for f in chosen_fixes)]
        result = self.attempt(chosen)
        if not isinstance(result, str):
            self.accept(chosen, *result, number)
            return True
        # Isolate the fix that broke the round. Spans are only valid for the text the
        # round started from, so stop at the first fix that works alone: the rest are
        # re-derived from a fresh check in the next round.
        for item in chosen:
            single = self.attempt([item])
            if isinstance(single, str):
                self.reject(item[0], item[1], single)
            else:
                self.accept([item], *single, number)
                return True
        return bool(self.candidates())


def fix_source(
    source: SourceFile,
    *,
    unsafe: bool = False,
    kind: DocumentKind = "workflow",
    rules: tuple[type[Rule], ...] | None = None,
    max_rounds: int = MAX_ROUNDS,
    project: Project | None = None,
) -> FixOutcome:
    """Apply every allowed fix to ``source`` until a fixed point (or ``max_rounds``)."""
    run = _Run(source, kind, rules, unsafe, project)
    rounds = 0
    while rounds < max_rounds and run.round(rounds + 1):
        rounds += 1
    return FixOutcome(source, run.text, tuple(run.applied), tuple(run.rejected),
                      tuple(run.found), rounds)
