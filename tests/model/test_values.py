"""Expression detection and the tolerant node readers."""

from __future__ import annotations

import pytest

from qmoi.model.values import (
    contains_expression,
    entry_map,
    expression_of,
    is_expression,
    scalars,
    to_json,
)
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping, Node
from qmoi.source import SourceFile


def node(text: str) -> Node:
    root = parse_yaml(SourceFile("x.yml", f"v: {text}\n")).root
    assert isinstance(root, Mapping)
    value = root.get("v")
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("text", "whole", "contains"),
    [
        ("${{ matrix.os }}", True, True),
        ("  ${{ x }}  ", True, True),
        ("${{ a }}-${{ b }}", False, True),
        ("pre ${{ a }}", False, True),
        ("${{ '}}' }}", True, True),
        ("${{ unclosed", False, False),
        ("plain", False, False),
        ("$ {{ x }}", False, False),
    ],
)
def test_expression_detection(text: str, whole: bool, contains: bool) -> None:
    assert is_expression(text) is whole
    assert contains_expression(text) is contains


def test_expression_of_needs_a_string_scalar() -> None:
    assert expression_of(node('"${{ x }}"')) is not None
    assert expression_of(node("[a]")) is None
    assert expression_of(node("1")) is None


def test_scalars_reads_string_or_list() -> None:
    assert [s.value for s in scalars(node("main"))] == ["main"]
    assert [s.value for s in scalars(node("[a, {b: c}, d]"))] == ["a", "d"]
    assert scalars(node("")) == ()
    assert scalars(node("{a: b}")) == ()


def test_to_json_types_values_like_yaml_1_2() -> None:
    assert to_json(node("{a: 1, b: [true, null, 1.5, '1', x, 0x10]}")) == {
        "a": 1, "b": [True, None, 1.5, "1", "x", 16],
    }
    assert to_json(None) is None


def test_entry_map() -> None:
    env = entry_map(node("{A: 1, B: [x], A: 2}"))
    assert env.names() == ("A", "B", "A")
    a = env.get("A")
    assert a is not None and a.value == "2" and a.scalar is not None
    b = env.get("B")
    assert b is not None and b.value is None and b.scalar is None
    assert env.get("a") is None
    assert entry_map(node("3")).entries == () and entry_map(None).node is None
