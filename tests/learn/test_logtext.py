"""Reading log lines: what a terminal shows, markers recognised, original numbers kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qmoi.learn.logtext import Marker, read_log, split_lines, terminal_view


def test_github_timestamps_and_markers_are_removed_for_matching() -> None:
    lines = read_log("2024-01-01T00:00:00.0000000Z ##[group]Run make\n"
                     "2024-01-01T00:00:01.1234567Z \x1b[31mboom\x1b[0m\n"
                     "2024-01-01T00:00:02.0000000Z ##[error]Process completed with exit code 2.\n")
    assert [(line.number, line.marker, line.text) for line in lines] == [
        (1, Marker.GROUP, "Run make"),
        (2, Marker.NONE, "boom"),
        (3, Marker.ERROR, "Process completed with exit code 2."),
    ]
    assert lines[2].shown == "##[error]Process completed with exit code 2."


def test_workflow_command_forms_are_markers_too() -> None:
    lines = read_log("::group::Build\n::error file=a.py,line=3::bad thing\n::endgroup::\n")
    assert [(line.marker, line.text) for line in lines] == [
        (Marker.GROUP, "Build"), (Marker.ERROR, "bad thing"), (Marker.ENDGROUP, "")]


def test_travis_fold_and_timing_markers_disappear_behind_carriage_returns() -> None:
    raw = ("travis_time:end:0b95:start=1,finish=2,duration=1\r\x1b[0K"
           "\x1b[31;1mThe command \"make\" exited with 2.\x1b[0m\r")
    assert terminal_view(raw) == 'The command "make" exited with 2.'
    line = read_log("travis_fold:start:install\r\x1b[0K$ pip install .\r\n")[0]
    assert line.marker is Marker.COMMAND
    assert line.text == "$ pip install ."


def test_a_progress_bar_shows_its_last_state() -> None:
    assert terminal_view("10%\r50%\r100% done\r") == "100% done"


def test_only_newline_ends_a_line_so_numbers_match_an_editor() -> None:
    assert split_lines("a\r\r\nb\rc\nlast") == ["a\r\r", "b\rc", "last"]
    assert [line.number for line in read_log("x\n\ny\n")] == [1, 2, 3]


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30),
                max_size=20))
def test_every_physical_line_gets_its_number(parts: list[str]) -> None:
    log = "".join(part + "\n" for part in parts)
    lines = read_log(log)
    assert [line.number for line in lines] == list(range(1, len(parts) + 1))
    assert all("\x1b" not in line.shown and "\r" not in line.shown for line in lines)
