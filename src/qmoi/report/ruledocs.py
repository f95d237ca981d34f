"""Rule documentation read from the rules themselves: class attributes and the docstring's
What / Why / Example / Fix safety sections. docs/rules.md and SARIF's rule metadata are both
built from it, and the example is run through the checker so the docs show real output."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from qmoi.check import Project, Rule, check_source
from qmoi.check.driver import SourceKind
from qmoi.diagnostics import Diagnostic, Located
from qmoi.report.diagnostics import render_text
from qmoi.source import SourceFile

SECTIONS = ("What", "Why", "Example", "Fix safety")
_HEADER = re.compile(r"^(What|Why|Example|Fix safety):[ \t]*\n", re.MULTILINE)
CONFIG_NAME = "qmoi.yml"


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation as read from its class: metadata, docstring sections and example."""

    code: str
    name: str
    severity: str
    fix_availability: str
    targets: tuple[str, ...]
    summary: str
    sections: tuple[tuple[str, str], ...]
    example_path: str
    example_kind: SourceKind
    # Repository files the example needs (a rule may declare ``example_files``): QMOI's
    # config, a local action or reusable workflow. Shown in the docs beside the example.
    example_files: tuple[tuple[str, str], ...] = ()

    def section(self, name: str) -> str:
        return next((body for title, body in self.sections if title == name), "")


def _split(doc: str) -> tuple[str, dict[str, str]]:
    parts = _HEADER.split(doc)
    sections = {}
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[title] = inspect.cleandoc(body).strip()
    return parts[0].strip(), sections


def _example_target(rule: type[Rule]) -> tuple[str, SourceKind]:
    path = getattr(rule, "example_path", None)
    if isinstance(path, str) and path.endswith(CONFIG_NAME):
        return path, "config"
    if "workflow" in rule.targets or not rule.targets:
        return path if isinstance(path, str) else "example.yml", "workflow"
    return path if isinstance(path, str) else "action.yml", "action"


def rule_doc(rule: type[Rule]) -> RuleDoc:
    """The documentation of one rule; missing sections are empty, never an error."""
    summary, sections = _split(inspect.cleandoc(rule.__doc__ or ""))
    path, kind = _example_target(rule)
    return RuleDoc(
        code=rule.code,
        name=rule.name,
        severity=str(getattr(rule.severity, "value", rule.severity)),
        fix_availability=rule.fix_availability,
        targets=tuple(sorted(rule.targets)),
        summary=summary,
        sections=tuple((s, sections.get(s, "")) for s in SECTIONS),
        example_path=path,
        example_kind=kind,
        example_files=_example_files(rule),
    )


def _example_files(rule: type[Rule]) -> tuple[tuple[str, str], ...]:
    files = getattr(rule, "example_files", ())
    if not isinstance(files, tuple):
        return ()
    return tuple((str(name), str(text)) for name, text in files)


@dataclass(frozen=True, slots=True)
class ExampleRun:
    """What ``qmoi lint`` says about a rule's documented example."""

    source: SourceFile
    found: tuple[Diagnostic, ...]

    @property
    def output(self) -> str:
        return render_text((Located.of(d, self.source), self.source) for d in self.found)

    def triggers(self, rule_name: str) -> bool:
        return any(d.rule == rule_name for d in self.found)

    def fixes(self, rule_name: str) -> tuple[str, ...]:
        """``title (safety)`` of each fix the rule offers in the example."""
        return tuple(f"{d.fix.title} ({d.fix.safety.value})" for d in self.found
                     if d.rule == rule_name and d.fix is not None)


def run_example(doc: RuleDoc) -> ExampleRun:
    """Check the example exactly as ``qmoi lint`` checks a file of that kind."""
    text = doc.section("Example")
    source = SourceFile(doc.example_path, text + "\n" if text else "")
    project = Project(doc.example_files, f".github/workflows/{doc.example_path}")
    found = check_source(source, doc.example_kind, None, project)
    return ExampleRun(source, tuple(found))


def markdown_text(text: str) -> str:
    """Docstrings use reST's double backticks; Markdown wants single ones."""
    return text.replace("``", "`")
