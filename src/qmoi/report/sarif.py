"""SARIF 2.1.0 output, uploadable to GitHub code scanning (github/codeql-action/upload-sarif).

What GitHub reads is documented at
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning:
``ruleId`` must be stable across runs, artifact URIs relative to the repository root (here
with ``uriBaseId`` ``%SRCROOT%``), and ``partialFingerprints`` match an alert across runs.
``primaryLocationLineHash`` is GitHub's own key, computed by the upload action from the
line's content, so QMOI adds its own key instead: a hash of the rule, the file, the
offending text and its line's content — not the line number, so an edit above a finding does
not turn it into a new alert — plus an ordinal for identical findings in one file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from qmoi import __version__
from qmoi.check import Rule
from qmoi.diagnostics import Diagnostic, Located, Severity
from qmoi.report.files import ReportedFile
from qmoi.report.ruledocs import RuleDoc, markdown_text, rule_doc
from qmoi.source import SourceFile, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "qmoiFindingHash/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def level(severity: Severity | str) -> str:
    return _LEVELS[Severity(severity)]


def _help(doc: RuleDoc) -> dict[str, str]:
    parts_text, parts_md = [markdown_text(doc.summary)], [markdown_text(doc.summary)]
    for title, body in doc.sections:
        if not body:
            continue
        parts_text.append(f"{title}:\n{markdown_text(body)}")
        if title == "Example":
            parts_md.append(f"**{title}**\n\n```yaml\n{body}\n```")
        else:
            parts_md.append(f"**{title}**\n\n{markdown_text(body)}")
    return {"text": "\n\n".join(parts_text), "markdown": "\n\n".join(parts_md)}


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    doc = rule_doc(rule)
    summary = doc.summary.split("\n\n")[0].replace("\n", " ") or doc.name
    full = doc.section("What").replace("\n", " ") or summary
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": markdown_text(summary)},
        "fullDescription": {"text": markdown_text(full)},
        "help": _help(doc),
        "defaultConfiguration": {"level": level(doc.severity)},
        "properties": {"tags": ["github-actions", doc.name],
                       "fixAvailability": doc.fix_availability},
    }


def _pseudo_descriptor(diagnostic: Diagnostic) -> dict[str, Any]:
    """Findings that come from no registered rule (YAML syntax, a document that is not a
    mapping) still need a descriptor for ``ruleIndex``."""
    text = f"{diagnostic.rule} ({diagnostic.code})"
    return {
        "id": diagnostic.code,
        "name": diagnostic.rule,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "defaultConfiguration": {"level": level(diagnostic.severity)},
    }


def _region(loc: Located) -> dict[str, int]:
    # SARIF's endColumn is the column after the region, like QMOI's exclusive span end.
    return {"startLine": loc.line, "startColumn": loc.column,
            "endLine": loc.end_line, "endColumn": max(loc.end_column, 1)}


def _span_region(source: SourceFile, span: Span) -> dict[str, int]:
    start, end = source.position(span.start), source.position(span.end)
    return {"startLine": start.line, "startColumn": start.column,
            "endLine": end.line, "endColumn": end.column}


def _artifact(file: ReportedFile) -> dict[str, str]:
    if file.relpath is not None:
        return {"uri": quote(file.relpath), "uriBaseId": SRCROOT}
    return {"uri": file.path.resolve().as_uri()}


def _fingerprint(file: ReportedFile, loc: Located, seen: dict[str, int]) -> str:
    d = loc.diagnostic
    line = file.source.line_text(loc.line).strip() if loc.line <= file.source.line_count else ""
    flagged = file.source.slice(d.span)[:200]
    key = "\0".join((d.code, file.relpath or file.display, line, flagged))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"


def _fixes(loc: Located, file: ReportedFile, artifact: dict[str, str]
           ) -> list[dict[str, Any]]:
    fix = loc.diagnostic.fix
    if fix is None or not fix.edits:
        return []
    replacements = [{"deletedRegion": _span_region(file.source, edit.span),
                     "insertedContent": {"text": edit.text}} for edit in fix.edits]
    return [{"description": {"text": f"{fix.title} ({fix.safety.value})"},
             "artifactChanges": [{"artifactLocation": artifact,
                                  "replacements": replacements}]}]


class _Rules:
    """The run's rule descriptors, indexed by code, growing for pseudo-rules."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        self.descriptors = [_descriptor(r) for r in rules]
        self.index = {d["id"]: i for i, d in enumerate(self.descriptors)}

    def of(self, diagnostic: Diagnostic) -> int:
        if diagnostic.code not in self.index:
            self.index[diagnostic.code] = len(self.descriptors)
            self.descriptors.append(_pseudo_descriptor(diagnostic))
        return self.index[diagnostic.code]


def _result(file: ReportedFile, artifact: dict[str, str], loc: Located, rules: _Rules,
            seen: dict[str, int]) -> dict[str, Any]:
    d = loc.diagnostic
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rules.of(d),
        "level": level(d.severity),
        "message": {"text": f"{d.message} [{d.rule}]"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact,
                                            "region": _region(loc)}}],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(file, loc, seen)},
    }
    fixes = _fixes(loc, file, artifact)
    if fixes:
        result["fixes"] = fixes
    return result


def sarif_log(files: Sequence[ReportedFile], rules: Iterable[type[Rule]],
              root: Path | None) -> dict[str, Any]:
    """The SARIF log object for one lint run."""
    table = _Rules(rules)
    results: list[dict[str, Any]] = []
    for file in files:
        seen: dict[str, int] = {}
        artifact = _artifact(file)
        results.extend(_result(file, artifact, loc, table, seen) for loc in file.found)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "qmoi", "version": __version__,
                            "semanticVersion": __version__, "rules": table.descriptors}},
        "invocations": [{"executionSuccessful": True}],
        # Columns count characters of the decoded text, not UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(files: Sequence[ReportedFile], rules: Iterable[type[Rule]],
                 root: Path | None) -> str:
    # Compact: with an indent, json falls back to its pure-Python encoder (4x slower on a
    # few thousand results); SARIF is read by machines.
    return json.dumps(sarif_log(files, rules, root), ensure_ascii=False,
                      separators=(",", ":")) + "\n"
