"""Golden tests: ``fixtures/<rule>/ok/*.yml`` stay silent for that rule, and each
``fixtures/<rule>/err/<case>.yml`` produces exactly the lines of ``<case>.out``.

A file whose name ends in ``action.yml`` is checked as action metadata; ``<case>.files/``
holds the repository files (local actions, reusable workflows) the case refers to. Run with
``QMOI_UPDATE_GOLDEN=1`` to (re)write the ``.out`` files, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qmoi.check import all_rules, check_source
from qmoi.check.base import DocumentKind, Project
from qmoi.diagnostics import Located
from qmoi.report.diagnostics import headline
from qmoi.source import SourceFile

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("QMOI_UPDATE_GOLDEN") == "1"


def _cases(folder: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"*/{folder}/*.yml"))


def _case_id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def _kind(path: Path) -> DocumentKind:
    return "action" if path.name.endswith("action.yml") else "workflow"


def _project(path: Path) -> Project:
    """Files in ``<case>.files/`` are the repository files the case refers to."""
    folder = path.with_suffix(".files")
    if not folder.is_dir():
        return Project()
    files = tuple(sorted((p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8"))
                         for p in folder.rglob("*") if p.is_file()))
    return Project(files, ".github/workflows/" + path.name)


def _lines(path: Path) -> list[str]:
    """The headlines of the fixture's rule, with paths relative to the rule's folder."""
    rule_dir = path.parent.parent
    source = SourceFile(str(path.relative_to(rule_dir)), path.read_text(encoding="utf-8"))
    return [
        headline(Located.of(d, source))
        for d in check_source(source, _kind(path), project=_project(path))
        if d.rule == rule_dir.name
    ]


@pytest.mark.parametrize("path", _cases("ok"), ids=_case_id)
def test_ok_fixture_is_silent(path: Path) -> None:
    assert _lines(path) == []


@pytest.mark.parametrize("path", _cases("err"), ids=_case_id)
def test_err_fixture_matches_its_out_file(path: Path) -> None:
    actual = _lines(path)
    out = path.with_suffix(".out")
    if UPDATE:
        out.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
    assert actual, "an err fixture must trigger its rule"
    assert out.exists(), f"missing {out.name}; run with QMOI_UPDATE_GOLDEN=1"
    assert actual == out.read_text(encoding="utf-8").splitlines()


def test_every_out_file_has_its_fixture() -> None:
    orphans = [o for o in FIXTURES.glob("*/err/*.out") if not o.with_suffix(".yml").exists()]
    assert orphans == []


def test_every_structural_rule_has_ok_and_err_fixtures() -> None:
    names = {rule.name for rule in all_rules() if rule.code.startswith("S1")}
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders <= {rule.name for rule in all_rules()}, "a fixture folder names no rule"
    for name in names:
        assert list((FIXTURES / name / "ok").glob("*.yml")), f"{name} has no ok fixture"
        assert list((FIXTURES / name / "err").glob("*.yml")), f"{name} has no err fixture"
