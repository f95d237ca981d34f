"""GitHub Actions annotations: one ``::error``/``::warning``/``::notice`` workflow command
per finding, which a workflow step prints so GitHub shows it on the file and line.

Format and escaping follow
https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
and the toolkit's ``escapeData``/``escapeProperty`` (reused from ``qmoi.execute.commands``):
data escapes ``%``, CR and LF; property values also ``:`` and ``,``. The runner drops
``col``/``endColumn`` when ``line`` and ``endLine`` differ, so they are sent only for a
one-line range.
"""

from __future__ import annotations

from collections.abc import Iterable

from qmoi.diagnostics import Located, Severity
from qmoi.execute.commands import escape_data, escape_property
from qmoi.report.files import ReportedFile

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def annotation(file: str, loc: Located) -> str:
    d = loc.diagnostic
    one_line = loc.end_line == loc.line
    props = [("file", file), ("line", str(loc.line))]
    if one_line:
        props.append(("col", str(loc.column)))
    props.append(("endLine", str(loc.end_line)))
    if one_line:
        props.append(("endColumn", str(max(loc.end_column, loc.column))))
    props.append(("title", f"qmoi {d.rule} ({d.code})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMANDS[d.severity]} {rendered}::{escape_data(d.message)}"


def render_github(files: Iterable[ReportedFile]) -> str:
    lines = [annotation(f.relpath or f.display, loc) for f in files for loc in f.found]
    return "".join(f"{line}\n" for line in lines)
