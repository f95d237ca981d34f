"""Workflow command parsing and escaping (ActionCommand.cs, toolkit command.ts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.execute.commands import (
    REGISTERED_COMMANDS,
    WorkflowCommand,
    escape_data,
    escape_property,
    format_command,
    parse_command,
    unescape_data,
    unescape_legacy,
    unescape_property,
)


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("%25", "%"), ("%0D", "\r"), ("%0A", "\n"), ("a%0D%0Ab", "a\r\nb"),
     ("%250A", "%0A"), ("%3A%2C", "%3A%2C"), ("%0a", "%0a"), ("100%", "100%")],
)
def test_unescape_data(escaped: str, plain: str) -> None:
    assert unescape_data(escaped) == plain


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("%3A", ":"), ("%2C", ","), ("%25", "%"), ("%0D%0A", "\r\n"), ("%253A", "%3A")],
)
def test_unescape_property(escaped: str, plain: str) -> None:
    assert unescape_property(escaped) == plain


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("%3B", ";"), ("%5D", "]"), ("%0D%0A", "\r\n"), ("%25", "%"), ("%3A", "%3A")],
)
def test_unescape_legacy(escaped: str, plain: str) -> None:
    assert unescape_legacy(escaped) == plain


def test_escape_tables() -> None:
    assert escape_data("50%\r\n:,") == "50%25%0D%0A:,"
    assert escape_property("50%\r\n:,") == "50%25%0D%0A%3A%2C"


@given(st.text())
def test_data_escape_round_trip(text: str) -> None:
    assert unescape_data(escape_data(text)) == text
    assert unescape_property(escape_property(text)) == text


@given(st.text())
def test_command_data_survives_a_full_line_round_trip(text: str) -> None:
    parsed = parse_command(format_command("warning", (), text))
    assert parsed is not None and parsed.data == text


# Values the runner itself mangles: empty, leading '=' (the .NET split quirk), and
# outer whitespace of the property list (it is trimmed) are tested separately below.
_values = st.text(min_size=1).filter(lambda v: not v.startswith("=") and v == v.strip())


@given(_values, _values)
def test_property_round_trip(title: str, file: str) -> None:
    line = format_command("error", (("title", title), ("file", file)), "msg")
    parsed = parse_command(line)
    assert parsed is not None
    assert (parsed.get("title"), parsed.get("file"), parsed.data) == (title, file, "msg")


@pytest.mark.parametrize(
    ("line", "name", "properties", "data"),
    [
        ("::warning::hello", "warning", (), "hello"),
        ("   \t::debug::x", "debug", (), "x"),
        ("\u00a0::debug::x", "debug", (), "x"),
        ("::WARNING file=a.py,line=3::m", "WARNING", (("file", "a.py"), ("line", "3")), "m"),
        ("::error File=a,LINE=1::", "error", (("file", "a"), ("line", "1")), ""),
        ("::set-output name=x::a::b", "set-output", (("name", "x"),), "a::b"),
        ("::notice title=a%3Ab%2Cc::m", "notice", (("title", "a:b,c"),), "m"),
        ("::error title==x::m", "error", (("title", "x"),), "m"),
        ("::error title=,file=f::m", "error", (("file", "f"),), "m"),
        ("::error noequals,file=f::m", "error", (("file", "f"),), "m"),
        ("::error  file=f ::m", "error", (("file", "f"),), "m"),
        ("::error a=1,a=2::m", "error", (("a", "1"), ("a", "2")), "m"),
        ("::group::My %25 group", "group", (), "My % group"),
        ("::endgroup::", "endgroup", (), ""),
    ],
)
def test_parse_v2(line: str, name: str, properties: tuple[tuple[str, str], ...],
                  data: str) -> None:
    assert parse_command(line) == WorkflowCommand(name, properties, data)


def test_duplicate_property_last_wins() -> None:
    parsed = parse_command("::error a=1,A=2::m")
    assert parsed is not None and parsed.get("a") == "2" and parsed.get("missing") is None


@pytest.mark.parametrize(
    "line",
    ["", "hello", "x ::warning::no", "::warning", "::unknown::x", ":: warning::x",
     "::::", "::warning file=a", "\x1c::warning::x", "::set-env", "##[unknown]x"],
)
def test_not_a_command(line: str) -> None:
    assert parse_command(line) is None


@pytest.mark.parametrize(
    ("line", "name", "properties", "data"),
    [
        ("##[warning]careful", "warning", (), "careful"),
        ("prefix ##[error file=a;line=2]boom", "error", (("file", "a"), ("line", "2")), "boom"),
        ("##[set-output name=x%3By]v%5D", "set-output", (("name", "x;y"),), "v]"),
        ("##[group]", "group", (), ""),
    ],
)
def test_parse_legacy(line: str, name: str, properties: tuple[tuple[str, str], ...],
                      data: str) -> None:
    assert parse_command(line) == WorkflowCommand(name, properties, data, legacy=True)


def test_v2_wins_over_legacy_and_registered_set_is_extensible() -> None:
    parsed = parse_command("::debug::##[warning]x")
    assert parsed is not None and parsed.key == "debug"
    assert parse_command("::mytoken::") is None
    assert parse_command("::MyToken::", {"mytoken"}) == WorkflowCommand("MyToken", (), "")
    assert parse_command("##[warning]x", set()) is None


def test_registered_commands_are_the_runners() -> None:
    assert "internal-set-repo-path" not in REGISTERED_COMMANDS
    assert len(REGISTERED_COMMANDS) == 15


def test_format_command() -> None:
    assert format_command("endgroup") == "::endgroup::"
    assert format_command("error", (("file", "a:b"),), "x\ny") == "::error file=a%3Ab::x%0Ay"
