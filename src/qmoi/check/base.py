"""The rule contract: a rule overrides the hooks it needs; the walker calls only those.

Like actionlint's visitor, one walk visits the workflow, each job and each step; a rule
instance lives for one document, so it may keep state between ``job`` and ``job_end``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from qmoi.diagnostics import Diagnostic, Fix, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    from qmoi.check.config import Config
    from qmoi.model import Workflow

DocumentKind = Literal["workflow", "action"]
FixAvailability = Literal["never", "sometimes", "always"]


@dataclass(frozen=True, slots=True)
class Project:
    """The repository files a document refers to — local actions' ``action.yml``, local
    reusable workflows, QMOI's config — read beforehand by the caller, so that rules never
    touch the disk. Paths are repository-relative POSIX paths (``.github/workflows/x.yml``).
    """

    files: tuple[tuple[str, str], ...] = ()
    # This document's own repository-relative path, when it is known.
    path: str | None = None

    def text(self, relpath: str) -> str | None:
        wanted = relpath.removeprefix("./").rstrip("/")
        for name, text in self.files:
            if name == wanted:
                return text
        return None


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed file handed to the rules."""

    source: SourceFile
    root: Mapping
    kind: DocumentKind = "workflow"
    project: Project = field(default_factory=Project)


@dataclass(slots=True)
class Derived:
    """The typed values of one document that every rule's ``Context`` shares, built at
    most once: plain attributes, as rules read them on every hook call."""

    workflow: Workflow | None = None
    config: Config | None = None


@dataclass(slots=True)
class Context:
    """What a rule sees while it runs: the document, and a place to report findings."""

    document: Document
    rule: Rule
    # Derived data every rule of this document shares (the typed model, …).
    shared: dict[str, object] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    derived: Derived = field(default_factory=Derived)

    @property
    def source(self) -> SourceFile:
        return self.document.source

    @property
    def workflow(self) -> Workflow:
        """The typed model of the document (built once, shared by every rule)."""
        derived = self.derived
        built = derived.workflow
        if built is None:
            # Imported here, once per document, so that ``Project`` and ``Rule`` stay
            # cheap to import for callers that never build a model (a cached lint).
            from qmoi.model import build_workflow

            built = build_workflow(self.document.root, self.document.source)
            derived.workflow = built
        return built

    @property
    def config(self) -> Config:
        """The repository's ``.github/qmoi.yml`` (defaults when there is none)."""
        derived = self.derived
        found = derived.config
        if found is None:
            from qmoi.check.config import CONFIG_PATH, Config, parse_config

            text = self.document.project.text(CONFIG_PATH)
            found = Config() if text is None else parse_config(text)
            derived.config = found
        return found

    def report(
        self,
        at: Node | Span,
        message: str,
        *,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> None:
        span = at if isinstance(at, Span) else at.span
        rule = self.rule
        self.diagnostics.append(
            Diagnostic(
                self.document.source.path,
                span,
                rule.code,
                rule.name,
                severity or rule.severity,
                message,
                fix,
            )
        )


class Rule:
    """Base class of every check. Subclasses set the class attributes and override hooks.

    The docstring of a rule has the sections What / Why / Example / Fix safety; the
    rules document is generated from them.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow"})
    fix_availability: ClassVar[FixAvailability] = "never"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        """Called once per workflow, before its jobs."""

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        """Called for each job whose value is a mapping, before its steps."""

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        """Called for each step (a mapping) of a job, in order."""

    def job_end(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        """Called after a job's steps."""

    def action(self, ctx: Context, root: Mapping) -> None:
        """Called once per ``action.yml`` document."""
