"""Before/after golden files for fixes.

``fixtures/<rule-name>/<case>.yml`` is fixed with ``fix_source`` and compared byte for
byte with ``<case>.fixed.yml``. A case whose name contains ``unsafe`` is fixed with unsafe
fixes too. Every fixed file must also be a fixed point (fixing it again changes nothing)
and keep every byte outside the edited spans. ``QMOI_UPDATE_GOLDEN=1`` rewrites the
expected files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qmoi.check.base import Project
from qmoi.fix import fix_source
from qmoi.source import SourceFile

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p for p in FIXTURES.rglob("*.yml") if not p.name.endswith(".fixed.yml"))


def _project(case: Path) -> Project:
    """Files in ``<case>.files/`` are the repository files the case refers to."""
    folder = case.with_suffix(".files")
    if not folder.is_dir():
        return Project()
    files = tuple(sorted((p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8"))
                         for p in folder.rglob("*") if p.is_file()))
    return Project(files, ".github/workflows/" + case.name)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fix_matches_golden(case: Path) -> None:
    data = case.read_bytes()
    source = SourceFile(case.relative_to(FIXTURES).as_posix(), data.decode("utf-8"))
    unsafe = "unsafe" in case.stem
    outcome = fix_source(source, unsafe=unsafe, project=_project(case))
    expected_file = case.with_name(case.stem + ".fixed.yml")
    if os.environ.get("QMOI_UPDATE_GOLDEN") == "1":
        expected_file.write_bytes(outcome.text.encode("utf-8"))
    assert outcome.changed, f"{case.name}: no fix applied"
    assert outcome.text == expected_file.read_bytes().decode("utf-8")
    assert not outcome.rejected, outcome.rejected
    again = fix_source(outcome.source, unsafe=unsafe, project=_project(case))
    assert not again.changed, "fixing the fixed file changed it again"
