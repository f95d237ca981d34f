"""docs/rules.md is generated from the rules and never lies: it is not stale, every example
it shows produces exactly the output it shows, and every example triggers its rule."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from qmoi.check import Project, Rule, all_rules, check_source
from qmoi.diagnostics import Located
from qmoi.report.diagnostics import render_text
from qmoi.report.ruledocs import SECTIONS, rule_doc, run_example
from qmoi.report.rulesmd import REFRESH, render_rules_markdown
from qmoi.source import SourceFile

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "rules.md"
# The example's own file is the last YAML block before "`qmoi lint` reports" (files it
# refers to, when a rule declares some, come first); nothing crosses into the next rule.
_EXAMPLE = re.compile(r"^## (?P<code>\S+) (?P<name>\S+)\n.*?### Example\n\n"
                      r"(?:(?:(?!\n## ).)*?\n\n)?`(?P<path>[^`]+)`:\n\n"
                      r"```yaml\n(?P<yaml>.*?)\n```\n\n`qmoi lint` reports:\n\n"
                      r"```text\n(?P<out>.*?)\n```\n", re.MULTILINE | re.DOTALL)


def test_the_committed_rules_doc_is_up_to_date() -> None:
    expected = render_rules_markdown(all_rules())
    assert DOC.read_text(encoding="utf-8") == expected, f"docs/rules.md is stale: run {REFRESH}"


def _documented() -> list[re.Match[str]]:
    return list(_EXAMPLE.finditer(DOC.read_text(encoding="utf-8")))


def test_every_rule_has_a_section_with_an_example() -> None:
    codes = [m["code"] for m in _documented()]
    assert codes == sorted(r.code for r in all_rules())


@pytest.mark.parametrize("match", _documented(), ids=lambda m: m["name"])
def test_each_documented_example_gives_the_output_shown(match: re.Match[str]) -> None:
    rule = next(r for r in all_rules() if r.code == match["code"])
    doc = rule_doc(rule)
    source = SourceFile(match["path"], match["yaml"] + "\n")
    project = Project(doc.example_files, f".github/workflows/{doc.example_path}")
    found = check_source(source, doc.example_kind, None, project)
    output = render_text((Located.of(d, source), source) for d in found).rstrip("\n")
    assert output == match["out"] or (not found and match["out"] == "(no findings)")


# shellcheck's example needs shellcheck switched on, which the docs run does not do (its own
# tests run it); strict xfail notices the day it fires. Other rules that need repository
# files or a policy declare ``example_files``.
NEEDS_CONTEXT = frozenset({"shellcheck"})


def _trigger_cases() -> list[object]:
    return [pytest.param(rule, id=rule.name, marks=pytest.mark.xfail(
        strict=True, reason="needs repository context")) if rule.name in NEEDS_CONTEXT
            else pytest.param(rule, id=rule.name) for rule in all_rules()]


@pytest.mark.parametrize("rule", _trigger_cases())
def test_each_example_triggers_its_own_rule(rule: type[Rule]) -> None:
    doc = rule_doc(rule)
    assert [title for title, _ in doc.sections] == list(SECTIONS)
    assert run_example(doc).triggers(rule.name), f"the example of {rule.name} does not fire"


def test_example_files_are_used_and_shown() -> None:
    class Needy(Rule):
        """Needs a file.

        Example:
            on: push
            jobs: {build: {runs_on: x}}

        """

        code = "T902"
        name = "needy"
        example_files = ((".github/qmoi.yml", "rules:\n  severity: {unknown-key: info}\n"),)

    found = run_example(rule_doc(Needy)).found
    assert {d.severity.value for d in found if d.rule == "unknown-key"} == {"info"}
    assert "With `.github/qmoi.yml`:" in render_rules_markdown([Needy])


def test_docstring_sections_are_parsed_robustly() -> None:
    class Bare(Rule):
        code = "T900"
        name = "bare"

    class Partial(Rule):
        """Summary line.

        What:
            Only this.
        """

        code = "T901"
        name = "partial"

    bare = rule_doc(Bare)
    assert bare.summary == "" and all(body == "" for _, body in bare.sections)
    partial = rule_doc(Partial)
    assert partial.summary == "Summary line." and partial.section("What") == "Only this."
    text = render_rules_markdown([Bare, Partial])
    assert "## T900 bare" in text and "_No example documented._" in text
    assert "| [T901](#t901-partial) | `partial` | error | never | Summary line. |" in text


def test_the_script_checks_and_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("gen_rules_doc",
                                                  REPO / "scripts" / "gen_rules_doc.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    target = tmp_path / "rules.md"
    monkeypatch.setattr(script, "DOC", target)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0
    assert target.read_text(encoding="utf-8") == render_rules_markdown(all_rules())
    assert script.main(["--check"]) == 0
