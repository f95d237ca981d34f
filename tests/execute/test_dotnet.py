"""The .NET string/number rules the runner ports rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.execute._dotnet import (
    bool_try_parse,
    convert_to_boolean,
    decode_text,
    int_try_parse,
    is_null_or_whitespace,
    read_lines,
    split_remove_empty,
    trim,
    trim_start,
)


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("a=b", 2, ["a", "b"]),
        ("a=b=c", 2, ["a", "b=c"]),
        ("a==b", 2, ["a", "b"]),
        ("=a=b", 2, ["a", "b"]),
        ("a=", 2, ["a"]),
        ("=b", 2, ["b"]),
        ("", 2, []),
        ("a,,b,", None, ["a", "b"]),
        (",,", None, []),
    ],
)
def test_split_remove_empty(text: str, count: int | None, expected: list[str]) -> None:
    assert split_remove_empty(text, "=" if count else ",", count) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("5", 5), (" -3 ", -3), ("+7", 7), ("2147483647", 2**31 - 1), ("2147483648", None),
     ("1.0", None), ("", None), (None, None), ("٣", None), ("1 2", None)],
)
def test_int_try_parse(text: str | None, value: int | None) -> None:
    assert int_try_parse(text) == value


def test_booleans() -> None:
    assert [bool_try_parse(v) for v in ("true", " TRUE ", "1", "false", None)] == [
        True, True, False, False, False]
    assert [convert_to_boolean(v) for v in ("1", "True", "$true", "yes", None, "")] == [
        True, True, True, False, False, False]


def test_whitespace_is_dotnet_whitespace() -> None:
    assert trim_start("\u00a0\t x") == "x"
    assert trim_start("\x1cx") == "\x1cx"  # Python strips U+001C, .NET does not
    assert trim(" \u2028x\u3000 ") == "x"
    assert is_null_or_whitespace(" \t\n") and is_null_or_whitespace("")
    assert not is_null_or_whitespace(" x")


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a\nb", ["a", "b"]), ("a\r\nb\r\n", ["a", "b"]), ("a\rb\r", ["a", "b"]),
     ("\n\n", ["", ""]), ("", []), ("a\r\r\nb", ["a", "", "b"])],
)
def test_read_lines(text: str, lines: list[str]) -> None:
    assert read_lines(text) == lines


@given(st.text())
def test_read_lines_matches_python_for_cr_lf(text: str) -> None:
    plain = text.replace("\x0b", "").replace("\x0c", "").replace("\x1c", "")
    for char in "\x1d\x1e\x85\u2028\u2029":
        plain = plain.replace(char, "")
    assert read_lines(plain) == plain.splitlines()


def test_decode_text_honours_boms_and_replaces_bad_bytes() -> None:
    assert decode_text(b"\xef\xbb\xbfA=1") == "A=1"
    assert decode_text("é".encode("utf-16")) == "é"
    assert decode_text("é".encode("utf-32")) == "é"
    assert decode_text(b"a\xffb") == "a\ufffdb"
