"""Inline `# qmoi: ignore[...]` suppressions and the unused-suppression finding."""

from __future__ import annotations

import re

from qmoi.check import Context, Rule, check_source
from qmoi.check.rules.unused_suppression import UnusedSuppression
from qmoi.check.suppress import find_suppressions
from qmoi.fix import apply_edits
from qmoi.parse import Mapping, parse_yaml
from qmoi.source import SourceFile, Span


class Marker(Rule):
    """Test rule: every `BAD` in the text is a finding."""

    code = "T001"
    name = "marker"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        for match in re.finditer("BAD", ctx.source.text):
            ctx.report(Span(match.start(), match.end()), "bad")


class Other(Marker):
    """Test rule: every `BAD` is also this rule's finding."""

    code = "T002"
    name = "other"


RULES = (Marker, Other, UnusedSuppression)


def _found(text: str, rules: tuple[type[Rule], ...] = RULES) -> list[tuple[int, str, str]]:
    source = SourceFile("w.yml", text)
    return [(source.position(d.span.start).line, d.rule, d.message)
            for d in check_source(source, "workflow", rules)]


def test_a_named_suppression_silences_that_rule_on_that_line_only() -> None:
    text = "on: push\nenv:\n  A: BAD  # qmoi: ignore[marker]\n  B: BAD\n"
    assert _found(text) == [(3, "other", "bad"), (4, "marker", "bad"), (4, "other", "bad")]


def test_codes_several_names_and_the_bare_form() -> None:
    assert _found("on: push\nenv: {A: BAD}  # qmoi: ignore[T001, other]\n") == []
    assert _found("on: push\nenv: {A: BAD}  # qmoi:ignore\n") == []
    assert _found("on: push\nenv: {A: BAD}  #qmoi: ignore[T002]\n") == [(2, "marker", "bad")]


def test_hash_inside_strings_and_block_scalars_is_not_a_comment() -> None:
    text = ('on: push\nenv:\n  A: "BAD # qmoi: ignore"\n  B: \'BAD # qmoi: ignore\'\n'
            "  C: BAD#qmoi:ignore\n  D: |\n    BAD # qmoi: ignore\n")
    assert [line for line, rule, _ in _found(text) if rule == "marker"] == [3, 4, 5, 7]


def test_a_directive_on_a_block_scalar_header_covers_the_block() -> None:
    text = "on: push\nenv:\n  D: |  # qmoi: ignore[marker]\n    one BAD\n    two BAD\n  E: BAD\n"
    assert [line for line, rule, _ in _found(text) if rule == "marker"] == [6]


def test_a_malformed_directive_suppresses_nothing() -> None:
    text = "on: push\nenv: {A: BAD}  # qmoi: ignore[marker\n"
    assert [rule for _, rule, _ in _found(text)] == ["marker", "other"]
    assert _found("on: push\nenv: {A: BAD}  # qmoi: ignored\n") != []


def test_unused_entries_are_reported_with_their_span() -> None:
    text = "on: push\nenv:\n  A: BAD  # qmoi: ignore[marker, other, T001, nosuch]\n  B: 1\n"
    source = SourceFile("w.yml", text)
    found = [d for d in check_source(source, "workflow", RULES)]
    assert [(source.slice(d.span), d.severity.value, d.message) for d in found] == [
        ("T001", "info", 'unused suppression: no "T001" finding on this line to ignore'),
        ("nosuch", "info", 'suppression names "nosuch", which is no rule name or code'),
    ]


def test_entries_for_rules_that_did_not_run_are_not_reported() -> None:
    text = "on: push\nenv:\n  A: BAD  # qmoi: ignore[marker, unknown-key]\n"
    assert _found(text, (Marker, UnusedSuppression)) == []
    # A bare directive is judged only when every rule ran.
    assert _found("on: push\nenv: {A: 1}  # qmoi: ignore\n") == []


def test_unused_suppression_can_itself_be_turned_off() -> None:
    assert _found("on: push\nenv: {A: 1}  # qmoi: ignore[marker]\n", (Marker,)) == []


def test_yaml_errors_cannot_be_suppressed() -> None:
    found = check_source(SourceFile("w.yml", "on: push\non: push  # qmoi: ignore\n"))
    assert "P102" in {d.code for d in found}


def test_every_rule_ran_so_a_bare_unused_directive_is_reported() -> None:
    text = "on: push\nname: ci  # qmoi: ignore\njobs: {}\n"
    found = [d for d in check_source(SourceFile("w.yml", text)) if d.rule == "unused-suppression"]
    assert [d.message for d in found] == ["unused suppression: no finding on this line to ignore"]


def _fixed(text: str) -> str:
    source = SourceFile("w.yml", text)
    found = [d for d in check_source(source, "workflow", RULES) if d.fix is not None]
    assert found
    return apply_edits(text, found[0].fix.edits if found[0].fix else ())


def test_the_fix_removes_one_name_or_the_whole_directive() -> None:
    assert _fixed("on: push\nenv: {A: BAD}  # qmoi: ignore[marker, T009, other]\n") == (
        "on: push\nenv: {A: BAD}  # qmoi: ignore[marker, other]\n")
    assert _fixed("on: push\nenv: {A: BAD}  # qmoi: ignore[marker, T009]\n") == (
        "on: push\nenv: {A: BAD}  # qmoi: ignore[marker]\n")
    assert _fixed("on: push\nenv: {A: 1}  # qmoi: ignore[marker]\r\n") == (
        "on: push\nenv: {A: 1}\r\n")
    assert _fixed("on: push\n  # qmoi: ignore[marker]\nenv: {}\n") == "on: push\nenv: {}\n"
    assert _fixed("on: push\nenv: {}  # qmoi: ignore[marker] for now\n") == (
        "on: push\nenv: {}  # for now\n")


def test_find_suppressions_skips_aliases_and_keys() -> None:
    text = "x: &a {k: '# qmoi: ignore'}\ny: *a  # qmoi: ignore[marker]\n'#qmoi: ignore': 1\n"
    source = SourceFile("w.yml", text)
    root = parse_yaml(source).root
    assert root is not None
    found = find_suppressions(source, root)
    assert [(s.first_line, [e.name for e in s.entries]) for s in found] == [(2, ["marker"])]
