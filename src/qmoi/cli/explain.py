"""``qmoi explain LOGFILE``: why a CI job failed — its class, the lines that say so, the
matched signature and the repair QMOI would try."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from qmoi.learn.classify import Explanation


def explain(
    logfile: Path = typer.Argument(..., help="A job log: downloaded from GitHub or saved by QMOI."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> int:
    """Explain a failed job's log: class, failure lines (at most 20), signature, repair."""
    from qmoi.learn.classify import explain as explain_log

    explanation = explain_log(_read(logfile))
    sys.stdout.write(_as_json(explanation) if as_json else _as_text(explanation))
    return 0


def _read(path: Path) -> str:
    from qmoi.errors import InputError

    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot read the log: {reason}", location=str(path)) from None
    # Logs mix encodings (tool output, binary noise); a bad byte must not hide the failure.
    return data.decode("utf-8", errors="replace")


def _as_json(explanation: Explanation) -> str:
    import json

    return json.dumps({
        "class": explanation.failure_class.value,
        "lines": [{"line": p.line, "text": p.text} for p in explanation.lines],
        "signature": explanation.signature,
        "repair": explanation.repair.describe(),
    }, ensure_ascii=False) + "\n"


def _as_text(explanation: Explanation) -> str:
    out = [f"class:     {explanation.failure_class.value}",
           f"signature: {explanation.signature or '(none)'}",
           f"repair:    {explanation.repair.describe()}"]
    if not explanation.lines:
        out.append("lines:     (none found)")
        return "\n".join(out) + "\n"
    out.append("lines:")
    width = len(str(explanation.lines[-1].line))
    previous: int | None = None
    for picked in explanation.lines:
        if previous is not None and picked.line > previous + 1:
            out.append(f"  {'.' * width}")
        out.append(f"  {picked.line:>{width}} | {picked.text}")
        previous = picked.line
    return "\n".join(out) + "\n"
