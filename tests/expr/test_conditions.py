"""Constant if: conditions and the if-outside-expression fix (safe vs unsafe)."""

from __future__ import annotations

import pytest

from qmoi.diagnostics import FixSafety
from qmoi.expr import parse_expression
from qmoi.expr.conditions import constant_condition, if_text_fix
from qmoi.expr.template import parse_template
from qmoi.fix import fix_source
from qmoi.parse import Mapping, Scalar, parse_yaml
from qmoi.source import SourceFile


@pytest.mark.parametrize(("text", "word"), [
    ("false", "false"), ("0", "false"), ("''", "false"), ("null", "false"),
    ("true", "true"), ("'false'", "true"), ("1 == 1", "true"), ("format('{0}', 'x')", "true"),
])
def test_constant_conditions(text: str, word: str) -> None:
    message = constant_condition(parse_expression(text), "step")
    assert message is not None and f"always {word}" in message


@pytest.mark.parametrize("text", ["always()", "!cancelled()", "github.ref == 'x'",
                                  "hashFiles('x') != ''", "success() && true",
                                  "true && (1 == 1 || contains(fromJSON('[1]'), env.X))",
                                  "format('{0}', fromJSON('{}')[github.ref]) == 'a'",
                                  "!(1 == 2) && !FAILURE()"])
def test_conditions_that_depend_on_the_run(text: str) -> None:
    assert constant_condition(parse_expression(text), "step") is None


def _if_scalar(text: str) -> tuple[Scalar, SourceFile]:
    source = SourceFile("w.yml", text)
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    node = root.get("if")
    assert isinstance(node, Scalar)
    return node, source


@pytest.mark.parametrize(("yaml", "safety", "replacement"), [
    ("if: |\n  ${{ a }}\nx: 1\n", FixSafety.SAFE, "${{ a }}"),
    ("if: ${{ a }} && ${{ b || c }}\n", FixSafety.UNSAFE, "${{ a && (b || c) }}"),
    ("if: \"${{ a }} == 'x: y'\"\n", FixSafety.UNSAFE, "\"${{ a == 'x: y' }}\""),
    ("if: ${{ a }} == 'b' && ${{ c }}\n", FixSafety.UNSAFE, "${{ a == 'b' && c }}"),
    ("if: |\n  ${{ a }} == 'x #y'\n", FixSafety.UNSAFE, "'${{ a == ''x #y'' }}'"),
])
def test_if_text_fix(yaml: str, safety: FixSafety, replacement: str) -> None:
    scalar, source = _if_scalar(yaml)
    fix = if_text_fix(scalar, parse_template(scalar.value), source)
    assert fix is not None and fix.safety is safety
    assert fix.edits[0].text == replacement


def test_no_fix_when_the_joined_text_is_not_an_expression() -> None:
    scalar, source = _if_scalar("if: run ${{ a }} now\n")
    assert if_text_fix(scalar, parse_template(scalar.value), source) is None


def test_mixed_condition_is_only_rewritten_with_unsafe_fixes() -> None:
    text = ("on: push\npermissions: {}\njobs:\n  b:\n    runs-on: x\n"
            "    if: ${{ a.b }} && ${{ c.d }}\n    steps:\n      - run: x\n")
    assert not fix_source(SourceFile("w.yml", text), unsafe=False).changed
    assert "if: ${{ a.b && c.d }}" in fix_source(SourceFile("w.yml", text), unsafe=True).text
