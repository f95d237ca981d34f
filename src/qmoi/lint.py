"""Lint files on disk: read, check, locate. The CLI, the fixer and the manager call this."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qmoi.check import check_source, select_rules
from qmoi.check.base import DocumentKind
from qmoi.diagnostics import Located
from qmoi.discover import Target
from qmoi.fix import FixOutcome, fix_source
from qmoi.fsutil import atomic_write
from qmoi.parse import read_source
from qmoi.source import SourceFile


@dataclass(frozen=True, slots=True)
class FileReport:
    target: Target
    source: SourceFile
    found: tuple[Located, ...]


def _kind(target: Target) -> DocumentKind:
    return "action" if target.kind == "action" else "workflow"


def lint_targets(
    targets: Sequence[Target], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[FileReport]:
    rules = select_rules(select, ignore)
    reports: list[FileReport] = []
    for target in targets:
        source, problems = read_source(target.path, target.display)
        found = list(problems) if problems else check_source(source, _kind(target), rules)
        located = tuple(Located.of(d, source) for d in found)
        reports.append(FileReport(target, source, located))
    return reports


@dataclass(frozen=True, slots=True)
class FileFix:
    """What fixing one file did. ``outcome`` is None when the file could not be read."""

    target: Target
    report: FileReport
    outcome: FixOutcome | None


def fix_targets(
    targets: Sequence[Target],
    *,
    unsafe: bool = False,
    write: bool = True,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[FileFix]:
    """Fix each file to a fixed point; with ``write`` the result replaces the file
    atomically, and only when something changed (a clean file is never rewritten)."""
    rules = select_rules(select, ignore)
    results: list[FileFix] = []
    for target in targets:
        source, problems = read_source(target.path, target.display)
        if problems:
            located = tuple(Located.of(d, source) for d in problems)
            results.append(FileFix(target, FileReport(target, source, located), None))
            continue
        outcome = fix_source(source, unsafe=unsafe, kind=_kind(target), rules=rules)
        if write and outcome.changed:
            atomic_write(target.path, source.encode(outcome.text))
        final = outcome.source
        located = tuple(Located.of(d, final) for d in outcome.remaining)
        results.append(FileFix(target, FileReport(target, final, located), outcome))
    return results
