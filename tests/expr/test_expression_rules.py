"""The X1xx expression rules: registered, documented, examples trigger them, and the parse
cache returns the same trees and errors."""

from __future__ import annotations

import inspect
import re

import pytest

from qmoi.check import Rule, all_rules, check_source
from qmoi.expr import ExpressionError, parse_expression, parse_template
from qmoi.expr.errors import ArityError, UnknownFunctionError
from qmoi.source import SourceFile

RULES = [rule for rule in all_rules() if rule.code.startswith("X1")]
SECTIONS = ("What", "Why", "Example", "Fix safety")


def _sections(rule: type[Rule]) -> dict[str, str]:
    doc = inspect.cleandoc(rule.__doc__ or "")
    parts = re.split(r"^(What|Why|Example|Fix safety):\n", doc, flags=re.MULTILINE)
    return {name: inspect.cleandoc(body) for name, body in zip(parts[1::2], parts[2::2],
                                                                strict=True)}


def test_the_expression_rules_are_registered() -> None:
    assert [rule.code for rule in RULES] == [f"X1{n:02d}" for n in range(1, 11)]
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name) for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_documented_example_triggers_the_rule(rule: type[Rule]) -> None:
    sections = _sections(rule)
    assert tuple(sections) == SECTIONS
    found = check_source(SourceFile("example.yml", sections["Example"] + "\n"), "workflow")
    assert rule.name in {d.rule for d in found}


def test_cached_parses_are_equal_and_errors_keep_their_place() -> None:
    assert parse_expression("a.b == 'c'") is parse_expression("a.b == 'c'")
    for _ in range(2):
        with pytest.raises(ExpressionError) as caught:
            parse_expression("a == ", offset=10)
        assert caught.value.span is not None and caught.value.span.start == 15
    with pytest.raises(UnknownFunctionError, match="did you mean 'contains'"):
        parse_expression("contain(a, b)")
    with pytest.raises(ArityError):
        parse_template("x ${{ format() }}")
    assert parse_template("${{ a }} b") is parse_template("${{ a }} b")


def test_findings_point_into_every_scalar_style() -> None:
    text = ("on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
            "      - run: \"a\\tb ${{ github.sha + 1 }}\"\n"
            "      - run: >\n          folded\n          ${{ github.sha == }}\n")
    found = [d for d in check_source(SourceFile("w.yml", text)) if d.code == "X101"]
    source = SourceFile("w.yml", text)
    assert [(source.position(d.span.start).line, source.position(d.span.start).column)
            for d in found] == [(6, 35), (9, 29)]
