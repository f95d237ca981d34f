"""GitHub workflow-command annotations: levels, positions and the toolkit's escaping."""

from __future__ import annotations

from pathlib import Path

from qmoi.diagnostics import Diagnostic, Located, Severity
from qmoi.execute.commands import parse_command
from qmoi.report.files import ReportedFile
from qmoi.report.github import annotation, render_github
from qmoi.source import SourceFile, Span

SOURCE = SourceFile("w.yml", "on: push\njobs:\n  a: 1\n")


def _loc(start: int, end: int, severity: Severity = Severity.ERROR,
         message: str = "bad") -> Located:
    return Located.of(Diagnostic("w.yml", Span(start, end), "S101", "unknown-key", severity,
                                 message), SOURCE)


def test_one_line_range_with_columns() -> None:
    assert annotation(".github/workflows/w.yml", _loc(17, 18)) == (
        "::error file=.github/workflows/w.yml,line=3,col=3,endLine=3,endColumn=4,"
        "title=qmoi unknown-key (S101)::bad")


def test_severities_map_to_error_warning_notice() -> None:
    commands = [annotation("w.yml", _loc(0, 2, s)).split(" ")[0] for s in Severity]
    assert commands == ["::error", "::warning", "::notice"]


def test_a_multi_line_range_sends_no_columns() -> None:
    # The runner drops col/endColumn when line != endLine, so they are not sent at all.
    assert annotation("w.yml", _loc(0, 15)) == (
        "::error file=w.yml,line=1,endLine=3,title=qmoi unknown-key (S101)::bad")


def test_data_and_properties_are_escaped_and_read_back_by_the_runner_parser() -> None:
    line = annotation("dir,a:b/100%.yml", _loc(0, 2, message="50% done\nnext: a,b\r"))
    assert "file=dir%2Ca%3Ab/100%25.yml," in line
    assert line.endswith("::50%25 done%0Anext: a,b%0D")
    command = parse_command(line)
    assert command is not None
    assert command.get("file") == "dir,a:b/100%.yml"
    assert command.get("title") == "qmoi unknown-key (S101)"
    assert command.data == "50% done\nnext: a,b\r"


def test_render_uses_the_repository_path_and_falls_back_to_the_display_path() -> None:
    inside = ReportedFile(".github/workflows/w.yml", "w.yml", Path("w.yml"), SOURCE,
                          [_loc(17, 18)])
    outside = ReportedFile(None, "../x.yml", Path("../x.yml"), SOURCE, [_loc(0, 2)])
    lines = render_github([inside, outside]).splitlines()
    assert lines[0].startswith("::error file=.github/workflows/w.yml,line=3,")
    assert lines[1].startswith("::error file=../x.yml,line=1,")
    assert render_github([]) == ""
