"""Every rule documents itself, and its documented example really triggers it."""

from __future__ import annotations

import inspect
import re

import pytest

from qmoi.check import Rule, all_rules, check_source
from qmoi.source import SourceFile

SECTIONS = ("What", "Why", "Example", "Fix safety")
STRUCTURAL = [rule for rule in all_rules() if rule.code.startswith("S1")]


def _sections(rule: type[Rule]) -> dict[str, str]:
    doc = inspect.cleandoc(rule.__doc__ or "")
    parts = re.split(r"^(What|Why|Example|Fix safety):\n", doc, flags=re.MULTILINE)
    return {name: inspect.cleandoc(body) for name, body in zip(parts[1::2], parts[2::2],
                                                                strict=True)}


def test_the_structural_rules_are_registered() -> None:
    codes = [rule.code for rule in STRUCTURAL]
    assert codes == [f"S10{n}" for n in range(1, 10)]
    names = [rule.name for rule in STRUCTURAL]
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("rule", STRUCTURAL, ids=lambda r: r.name)
def test_docstring_has_every_section(rule: type[Rule]) -> None:
    sections = _sections(rule)
    assert tuple(sections) == SECTIONS
    assert all(sections.values())


@pytest.mark.parametrize("rule", STRUCTURAL, ids=lambda r: r.name)
def test_documented_example_triggers_the_rule(rule: type[Rule]) -> None:
    example = _sections(rule)["Example"] + "\n"
    found = check_source(SourceFile("example.yml", example), "workflow")
    assert rule.name in {d.rule for d in found}
