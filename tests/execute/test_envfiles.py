"""GITHUB_ENV/OUTPUT/STATE and GITHUB_PATH parsing (FileCommandManager.cs)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.errors import QmoiError
from qmoi.execute.envfiles import (
    FILE_COMMANDS,
    EnvFileError,
    KeyValueFile,
    env_updates,
    file_command_failure,
    format_key_value,
    parse_key_value_file,
    parse_path_file,
    path_value,
    prepend_paths,
    read_key_value_file,
)


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("A=1\nB=2\n", (("A", "1"), ("B", "2"))),
        ("A=1", (("A", "1"),)),
        ("\n\nA=x=y\n\n", (("A", "x=y"),)),
        ("A= spaced \n", (("A", " spaced "),)),
        ("A=\n", (("A", ""),)),
        ("A=a<<b\n", (("A", "a<<b"),)),
        ("=value\n", (("", "value"),)),  # the runner checks the line, not the name
        ("A<<EOF\nline 1\nline 2\nEOF\n", (("A", "line 1\nline 2"),)),
        ("A<<EOF\nEOF\n", (("A", ""),)),
        ("A<<EOF\n\nEOF\n", (("A", ""),)),
        ("A<<EOF\n\n\nEOF\n", (("A", "\n"),)),
        ("A<<EOF\nx\nEOF", (("A", "x"),)),  # the delimiter may end the file
        ("A<<E=F\nx\nE=F\n", (("A", "x"),)),
        ("A<<EOF\n EOF\nEOF \nEOF\n", (("A", " EOF\nEOF "),)),  # exact match only
        ("A<<EOF\nx\nEOF\nA<<EOF\ny\nEOF\n", (("A", "x"), ("A", "y"))),  # delimiter reuse
        ("A<<EOF\nx\nEOF\nB=2\n", (("A", "x"), ("B", "2"))),
    ],
)
def test_valid_files(text: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert parse_key_value_file(text) == KeyValueFile(pairs)


def test_later_duplicates_win() -> None:
    assert parse_key_value_file("A=1\nA=2\n").as_dict() == {"A": "2"}


@pytest.mark.parametrize(
    ("text", "pairs", "error"),
    [
        ("A=1\nnonsense\n", (("A", "1"),), EnvFileError(2, "Invalid format 'nonsense'")),
        ("<<EOF\nx\nEOF\n", (), EnvFileError(
            1, "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty")),
        ("A<<\nx\n", (), EnvFileError(
            1, "Invalid format 'A<<'. Name must not be empty and delimiter must not be empty")),
        ("B=1\nA<<EOF\nx\ny\n", (("B", "1"),), EnvFileError(
            2, "Invalid value. Matching delimiter not found 'EOF'")),
        ("A<<EOF\n", (), EnvFileError(1, "Invalid value. Matching delimiter not found 'EOF'")),
        ("A<<EOF\nx\ny", (), EnvFileError(3, "Invalid value. EOF marker missing new line.")),
        ("A<<EOF\nx EOF", (), EnvFileError(2, "Invalid value. EOF marker missing new line.")),
        # A value containing the delimiter ends early; the rest is parsed as entries.
        ("A<<EOF\na\nEOF\nb\nEOF\n", (("A", "a"),), EnvFileError(4, "Invalid format 'b'")),
    ],
)
def test_invalid_files_keep_earlier_pairs_and_report_the_line(
        text: str, pairs: tuple[tuple[str, str], ...], error: EnvFileError) -> None:
    assert parse_key_value_file(text) == KeyValueFile(pairs, error)


def test_crlf_on_linux_keeps_the_cr() -> None:
    result = parse_key_value_file("A=1\r\nB<<EOF\r\nx\r\nEOF\r\n")
    assert result == KeyValueFile((("A", "1\r"), ("B", "x\r")))
    missing = parse_key_value_file("B<<EOF\r\nx\r\nEOF\n")
    assert missing.error == EnvFileError(1, "Invalid value. Matching delimiter not found 'EOF\r'")


def test_crlf_on_windows() -> None:
    text = "A=1\r\nB<<EOF\r\nx\r\ny\r\nEOF\r\nC<<EOF\nmixed\r\nEOF\n"
    assert parse_key_value_file(text, windows=True) == KeyValueFile(
        (("A", "1"), ("B", "x\r\ny"), ("C", "mixed")))
    assert parse_key_value_file("A=1\r", windows=True).pairs == (("A", "1\r"),)


def test_read_key_value_file_decodes_bytes() -> None:
    assert read_key_value_file(None) == KeyValueFile(())
    assert read_key_value_file(b"\xef\xbb\xbfA=\xc3\xa9\n").pairs == (("A", "é"),)


names = st.text(alphabet=st.characters(blacklist_characters="=<\r\n"), min_size=1)
values = st.text(alphabet=st.characters(blacklist_characters="\r"))


@given(names, values)
def test_toolkit_heredoc_round_trip(name: str, value: str) -> None:
    text = format_key_value(name, value)
    assert parse_key_value_file(text) == KeyValueFile(((name, value),))


def test_format_key_value_refuses_the_delimiter() -> None:
    assert format_key_value("A", "x", "D") == "A<<D\nx\nD\n"
    assert format_key_value("A", "x").startswith("A<<ghadelimiter_")
    with pytest.raises(QmoiError, match='value should not contain the delimiter "D"'):
        format_key_value("A", "a\nD\nb", "D")
    with pytest.raises(QmoiError, match='name should not contain the delimiter "D"'):
        format_key_value("AD", "x", "D")


def test_env_updates_block_node_options() -> None:
    result = parse_key_value_file("A=1\nnode_options=--inspect\nB=2\n")
    updates, errors = env_updates(result)
    assert updates == {"A": "1", "B": "2"}
    assert errors == ("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",)


def test_file_command_failure_names() -> None:
    assert FILE_COMMANDS == ("path", "env", "step_summary", "state", "output")
    assert file_command_failure("env") == "Unable to process file command 'env' successfully."


@pytest.mark.parametrize(
    ("text", "paths"),
    [("/a\n/b\n", ("/a", "/b")), ("/a\r\n\r\n/b", ("/a", "/b")), ("/a\r/b", ("/a", "/b")),
     (" /spaced \n", (" /spaced ",)), ("", ())],
)
def test_parse_path_file(text: str, paths: tuple[str, ...]) -> None:
    assert parse_path_file(text) == paths


def test_path_prepends_newest_first_and_moves_readded_entries() -> None:
    prepend = prepend_paths((), ["/a", "/b"])
    prepend = prepend_paths(prepend, ["/c", "/a"])
    assert prepend == ("/b", "/c", "/a")
    assert path_value(prepend, "/usr/bin:/bin") == "/a:/c:/b:/usr/bin:/bin"
    assert path_value(prepend, "", separator=";") == "/a;/c;/b"
    assert path_value((), "/usr/bin") == "/usr/bin"
