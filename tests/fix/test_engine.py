from __future__ import annotations

import os
from pathlib import Path

import pytest

from qmoi.check.base import Context, Rule
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.discover import Target
from qmoi.fix import apply_edits, fix_source, select_compatible
from qmoi.lint import fix_targets
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import SourceFile, Span


class Shout(Rule):
    """Test rule: a top-level ``name`` must be upper case (safe fix)."""

    code = "T001"
    name = "shout"
    severity = Severity.WARNING

    def workflow(self, ctx: Context, root: Mapping) -> None:
        node = root.get("name")
        if isinstance(node, Scalar) and node.style == "" and node.value != node.value.upper():
            ctx.report(node, "name is not upper case",
                       fix=Fix("upper-case the name", FixSafety.SAFE,
                               (Edit(node.span, node.value.upper()),)))


class Retag(Rule):
    """Test rule: ``on: push`` becomes ``on: [push]`` (unsafe fix)."""

    code = "T002"
    name = "retag"
    severity = Severity.INFO

    def workflow(self, ctx: Context, root: Mapping) -> None:
        node = root.get("on")
        if isinstance(node, Scalar):
            ctx.report(node, "single event", fix=Fix("use a list", FixSafety.UNSAFE,
                                                     (Edit(node.span, f"[{node.value}]"),)))


class Breaker(Rule):
    """Test rule: its fix breaks the YAML."""

    code = "T003"
    name = "breaker"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        node = root.key("jobs")
        if node is not None and "broken" not in ctx.source.text:
            ctx.report(node, "jobs", fix=Fix("break it", FixSafety.SAFE,
                                             (Edit(Span(node.span.end, node.span.end), ": ['"),)))


TEXT = "# comment kept\r\nname: hello   # trailing\r\non: push\r\njobs: {}\r\n"


def test_safe_fix_splices_and_keeps_every_other_byte() -> None:
    outcome = fix_source(SourceFile("w.yml", TEXT), rules=(Shout,))
    assert outcome.text == TEXT.replace("hello", "HELLO")
    assert [a.title for a in outcome.applied] == ["upper-case the name"]
    assert outcome.remaining == ()
    assert outcome.rounds == 1


def test_unsafe_fixes_need_the_flag() -> None:
    source = SourceFile("w.yml", TEXT)
    assert not fix_source(source, rules=(Retag,)).changed
    assert "on: [push]" in fix_source(source, rules=(Retag,), unsafe=True).text


def test_a_fix_that_breaks_the_file_is_rolled_back_and_others_still_apply() -> None:
    outcome = fix_source(SourceFile("w.yml", TEXT), rules=(Shout, Breaker))
    assert outcome.text == TEXT.replace("hello", "HELLO")
    assert [r.title for r in outcome.rejected] == ["break it"]
    assert "unparseable" in outcome.rejected[0].reason


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    first = Fix("a", FixSafety.SAFE, (Edit(Span(0, 4), "x"),))
    second = Fix("b", FixSafety.SAFE, (Edit(Span(2, 6), "y"),))
    third = Fix("c", FixSafety.SAFE, (Edit(Span(6, 6), "z"),))
    chosen, deferred = select_compatible([first, second, third])
    assert chosen == [first, third]
    assert deferred == [second]
    assert apply_edits("0123456789", [e for f in chosen for e in f.edits]) == "x45z6789"
    with pytest.raises(ValueError):
        apply_edits("0123456789", [*first.edits, *second.edits])


def test_bom_is_kept_and_clean_files_are_never_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qmoi.lint.select_rules", lambda *_: (Shout,))
    dirty = tmp_path / "dirty.yml"
    clean = tmp_path / "clean.yml"
    dirty.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    clean.write_bytes(TEXT.replace("hello", "HELLO").encode())
    os.chmod(dirty, 0o640)
    before = clean.stat().st_mtime_ns
    os.utime(clean, ns=(before - 10**9, before - 10**9))
    stamp = clean.stat().st_mtime_ns
    targets = [Target(dirty, "dirty.yml", "workflow"), Target(clean, "clean.yml", "workflow")]
    results = fix_targets(targets)
    assert [r.outcome is not None and r.outcome.changed for r in results] == [True, False]
    assert dirty.read_bytes() == b"\xef\xbb\xbf" + TEXT.replace("hello", "HELLO").encode()
    assert clean.stat().st_mtime_ns == stamp
    assert oct(dirty.stat().st_mode & 0o777) == "0o640"
    assert not list(tmp_path.glob("*.qmoi-tmp"))


class Lengthen(Rule):
    """Test rule: appends to the name, shifting every later offset."""

    code = "T004"
    name = "lengthen"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        node = root.get("name")
        if isinstance(node, Scalar) and not node.value.endswith("-long"):
            ctx.report(node, "short", fix=Fix("lengthen", FixSafety.SAFE,
                                              (Edit(node.span, node.value + "-long"),)))


def test_after_a_failed_round_fixes_are_rederived_not_applied_with_stale_spans() -> None:
    outcome = fix_source(SourceFile("w.yml", TEXT), rules=(Lengthen, Retag, Breaker),
                         unsafe=True)
    assert outcome.text == TEXT.replace("hello", "hello-long").replace("on: push", "on: [push]")
    assert [a.title for a in outcome.applied] == ["lengthen", "use a list"]
    assert [r.title for r in outcome.rejected] == ["break it"]
