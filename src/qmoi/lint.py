"""Lint files on disk: read, check, locate. The CLI, the fixer and the manager call this."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qmoi.check import check_source, select_rules
from qmoi.check.base import DocumentKind
from qmoi.diagnostics import Located
from qmoi.discover import Target
from qmoi.parse import read_source
from qmoi.source import SourceFile


@dataclass(frozen=True, slots=True)
class FileReport:
    target: Target
    source: SourceFile
    found: tuple[Located, ...]


def lint_targets(
    targets: Sequence[Target], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[FileReport]:
    rules = select_rules(select, ignore)
    reports: list[FileReport] = []
    for target in targets:
        source, problems = read_source(target.path, target.display)
        kind: DocumentKind = "action" if target.kind == "action" else "workflow"
        found = list(problems) if problems else check_source(source, kind, rules)
        located = tuple(Located.of(d, source) for d in found)
        reports.append(FileReport(target, source, located))
    return reports
