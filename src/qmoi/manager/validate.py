"""Validate and fix: the linter over the workflows and the local actions they use, the
fixer at the chosen safety level (changes written atomically, escape hatches refused),
then each workflow loaded for the run — a workflow GitHub would refuse is reported
``invalid`` and the others still run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qmoi.diagnostics import Located
from qmoi.discover import Target
from qmoi.fsutil import atomic_write
from qmoi.lint import FileReport, fix_targets, lint_targets
from qmoi.manager.hatches import escape_hatches, text_diff
from qmoi.manager.options import FixMode
from qmoi.manager.versions import watched_files
from qmoi.plan import LoadedWorkflow, WorkflowError
from qmoi.plan.load import load_workflow


@dataclass(frozen=True, slots=True)
class FixedFile:
    """A file the fixer changed, with the titles of the fixes it applied."""

    path: str
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A linter finding left after fixing, with its place in the file."""

    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str

    def show(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.rule}]"


@dataclass(frozen=True, slots=True)
class Validation:
    """The linter and fixer over the workflows: files fixed, findings left, fixes refused."""

    fixed: tuple[FixedFile, ...]
    findings: tuple[Finding, ...]
    refused: tuple[str, ...]  # fixes not applied because they would open an escape hatch

    @property
    def fixed_paths(self) -> list[str]:
        return [f.path for f in self.fixed]


@dataclass(frozen=True, slots=True)
class Invalid:
    """A workflow GitHub would refuse to run, and why."""

    path: str
    message: str


def targets(root: Path) -> list[Target]:
    return [Target(path, name, "action" if path.name.startswith("action.") else "workflow")
            for name, path in watched_files(root).items()]


def validate(root: Path, mode: FixMode) -> Validation:
    found = targets(root)
    if mode == FixMode.OFF:
        return Validation((), _findings(lint_targets(found)), ())
    fixed: list[FixedFile] = []
    refused: list[str] = []
    reports: list[FileReport] = []
    for result in fix_targets(found, unsafe=mode == FixMode.UNSAFE, write=False):
        outcome = result.outcome
        reports.append(result.report)
        if outcome is None or not outcome.changed:
            continue
        hatches = escape_hatches(text_diff(result.target.display, outcome.original.text,
                                           outcome.text))
        if hatches:
            refused.append(f"{result.target.display}: {', '.join(hatches)}")
            continue
        atomic_write(result.target.path, outcome.original.encode(outcome.text))
        titles = tuple(dict.fromkeys(f"{a.title} [{a.rule}]" for a in outcome.applied))
        fixed.append(FixedFile(result.target.display, titles))
    return Validation(tuple(fixed), _findings(reports), tuple(refused))


def _findings(reports: list[FileReport]) -> tuple[Finding, ...]:
    return tuple(_finding(report.target.display, located) for report in reports
                 for located in report.found)


def _finding(path: str, located: Located) -> Finding:
    diagnostic = located.diagnostic
    return Finding(path, located.line, located.column, diagnostic.rule,
                   diagnostic.severity.value, diagnostic.message)


def load(root: Path) -> tuple[list[LoadedWorkflow], list[Invalid]]:
    """Every workflow file, loaded as ``qmoi run`` loads it; the refused ones apart."""
    loaded: list[LoadedWorkflow] = []
    invalid: list[Invalid] = []
    for target in targets(root):
        if target.kind != "workflow":
            continue
        try:
            loaded.append(load_workflow(target.path, target.display, root))
        except WorkflowError as error:
            invalid.append(Invalid(target.display, error.message))
    return loaded, invalid
