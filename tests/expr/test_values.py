"""Coercion, truthiness and number printing (docs: "Operators", "Literals" and the
runner's EvaluationResult.cs / ExpressionUtility.cs)."""

from __future__ import annotations

import math

import pytest

from qmoi.expr import to_display_string
from qmoi.expr.values import (
    format_number,
    is_truthy,
    loose_compare,
    loose_equal,
    parse_number,
)

OBJ: dict[str, object] = {"a": 1}
ARR: list[object] = [1]


@pytest.mark.parametrize(("left", "right", "equal"), [
    # https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#operators
    (None, 0.0, True),        # null → 0
    (None, "", True),         # both become 0
    (None, None, True),
    ("1", True, True),        # bool → number, then string → number
    ("true", True, False),    # 'true' is NaN as a number
    (True, 1.0, True),
    (False, 0.0, True),
    (False, "", True),
    ("abc", "ABC", True),     # strings ignore case
    (1.0, "1.0", True),
    (1.0, " 1 ", True),       # the string is trimmed
    (255.0, "0xff", True),
    (8.0, "0o10", True),
    (math.nan, math.nan, False),
    ("NaN", "NaN", True),     # same kind: compared as strings
    (OBJ, OBJ, True),         # same instance
    (OBJ, {"a": 1}, False),   # equal content is not enough
    (ARR, ARR, True),
    (ARR, "Array", False),
    (OBJ, None, False),
    (OBJ, 0.0, False),
])
def test_loose_equality_table(left: object, right: object, equal: bool) -> None:
    assert loose_equal(left, right) is equal
    assert loose_equal(right, left) is equal


@pytest.mark.parametrize(("left", "right", "order"), [
    (1.0, 2.0, -1),
    ("b", "A", 1),            # case-insensitive ordinal ordering
    (True, False, 1),
    ("10", 9.0, 1),
    (None, -1.0, 1),
    (math.nan, 1.0, None),
    (OBJ, OBJ, None),         # objects are never ordered
    ("x", 1.0, None),         # 'x' → NaN
])
def test_ordering(left: object, right: object, order: int | None) -> None:
    assert loose_compare(left, right) == order


@pytest.mark.parametrize(("value", "truthy"), [
    (False, False), (None, False), (0.0, False), (-0.0, False), (math.nan, False), ("", False),
    (True, True), (1.0, True), ("false", True), ("0", True), ([], True), ({}, True), (0, False),
])
def test_falsy_values(value: object, truthy: bool) -> None:
    assert is_truthy(value) is truthy


@pytest.mark.parametrize(("text", "number"), [
    ("", 0.0), ("  ", 0.0), ("12", 12.0), ("-1.5e3", -1500.0), (".5", 0.5), ("5.", 5.0),
    ("0x1F", 31.0), ("0xffffffff", -1.0), ("0o777", 511.0), ("Infinity", math.inf),
    ("-Infinity", -math.inf), ("\t7\n", 7.0),
])
def test_parse_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "0x", "0x1ffffffff", "1e", "--1", "-0x1", "1_000",
                                  "infinity", "0b1"])
def test_parse_number_gives_nan(text: str) -> None:
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize(("number", "text"), [
    # .NET "G15" with invariant culture, as the runner prints numbers
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.0, "-1"), (1.5, "1.5"), (0.1, "0.1"),
    (0.1 + 0.2, "0.3"), (1 / 3, "0.333333333333333"), (123456789012345.0, "123456789012345"),
    (1e15, "1E+15"), (1234567890123456.0, "1.23456789012346E+15"), (1e21, "1E+21"),
    (0.0001, "0.0001"), (0.00001, "1E-05"), (1.5e-7, "1.5E-07"), (2.5e100, "2.5E+100"),
    (math.inf, "Infinity"), (-math.inf, "-Infinity"), (math.nan, "NaN"), (711.0, "711"),
    (-9.2, "-9.2"), (100.0, "100"),
])
def test_number_printing(number: float, text: str) -> None:
    assert format_number(number) == text


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "true"), (False, "false"), (3.0, "3"), (3, "3"), ("x", "x"),
    ([1], "Array"), ({}, "Object"),
])
def test_display_string(value: object, text: str) -> None:
    assert to_display_string(value) == text


def test_the_written_out_strip_set_is_every_dotnet_space() -> None:
    # _STRIP is a literal (computing it cost each start ~2 ms): it must stay exactly the
    # characters str.isspace accepts, over all of Unicode, less the C0 separators.
    from qmoi.expr import values

    computed = {chr(c) for c in range(0x110000) if chr(c).isspace()} - set("\x1c\x1d\x1e\x1f")
    assert set(values._STRIP) == computed
    assert len(values._STRIP) == len(computed)
    assert all(values.is_space(char) for char in values._STRIP)
