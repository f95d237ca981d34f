"""The structural rules against 555 real workflows and 78 real action.yml files.

Files actionlint calls clean must get no error from QMOI; every file must check
without a crash (a crashing rule shows up as an "internal error" diagnostic).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.check import check_source
from qmoi.check.base import DocumentKind
from qmoi.diagnostics import Diagnostic, Located, Severity
from qmoi.parse import decode_source
from qmoi.report.diagnostics import headline


def _check(path: Path, kind: DocumentKind) -> list[Diagnostic]:
    source, problems = decode_source(path.read_bytes(), path.name)
    assert problems == ()
    return check_source(source, kind)


def _describe(path: Path, found: list[Diagnostic]) -> str:
    source, _ = decode_source(path.read_bytes(), path.name)
    return "\n".join(headline(Located.of(d, source)) for d in found)


def _clean_in_actionlint(corpus: Path) -> set[str]:
    rows = (line.split("\t") for line in (corpus / "ACTIONLINT.tsv").read_text().splitlines())
    return {row[0] for row in rows if len(row) >= 2 and row[1] == "0"}


@pytest.fixture(scope="module")
def corpus(shared: Path) -> Path:
    return shared / "corpus"


def test_every_workflow_checks_without_a_crash_and_clean_ones_have_no_error(
    corpus: Path,
) -> None:
    clean = _clean_in_actionlint(corpus)
    assert len(clean) > 400
    paths = sorted((corpus / "workflows").iterdir())
    assert len(paths) > 500
    failures: list[str] = []
    for path in paths:
        found = _check(path, "workflow")
        bad = [d for d in found if "internal error" in d.message]
        if path.name in clean:
            bad += [d for d in found if d.severity is Severity.ERROR]
        if bad:
            failures.append(_describe(path, bad))
    assert failures == []


def test_every_action_checks_without_errors(corpus: Path) -> None:
    paths = sorted((corpus / "actions").iterdir())
    assert len(paths) > 70
    failures = [
        _describe(path, errors)
        for path in paths
        if (errors := [d for d in _check(path, "action") if d.severity is Severity.ERROR])
    ]
    assert failures == []
