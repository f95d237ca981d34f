"""``qmoi expr``: evaluate an expression (or a ``${{ }}`` template) and print it as JSON."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

if TYPE_CHECKING:
    from qmoi.expr import ExpressionError


class StatusChoice(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    CANCELLED = "cancelled"


def expr(
    expression: str = typer.Argument(..., help="An expression, or text containing ${{ }}."),
    context: Path | None = typer.Option(
        None, "--context", "-c", help="JSON file: an object keyed by context name."),
    status: StatusChoice = typer.Option(StatusChoice.SUCCESS, "--status",
                                        help="Job status seen by success()/failure()."),
    workspace: Path | None = typer.Option(
        None, "--workspace", help="Directory hashFiles() searches (default: none)."),
) -> int:
    """Evaluate EXPRESSION: print the value as JSON (exit 0) or a located error (exit 1)."""
    from qmoi.expr import (
        EvalOptions,
        ExpressionError,
        Status,
        parse_expression,
        parse_template,
        render_template,
    )
    from qmoi.expr.functions import to_json

    contexts = _load_contexts(context)
    options = EvalOptions(
        workspace=str(workspace.resolve()) if workspace else None,
        files=LocalFiles() if workspace else None,
    )
    try:
        if "${{" in expression:
            value = render_template(parse_template(expression), contexts,
                                    status=Status(status.value), options=options)
        else:
            from qmoi.expr import evaluate

            value = evaluate(parse_expression(expression), contexts,
                             status=Status(status.value), options=options)
    except ExpressionError as error:
        sys.stderr.write(f"qmoi: {_locate(expression, error)}\n")
        return 1
    sys.stdout.write(to_json(value) + "\n")
    return 0


def _locate(text: str, error: ExpressionError) -> str:
    from qmoi.source import SourceFile

    if error.span is None:
        return f"expression: {error.message}"
    where = SourceFile("expression", text).position(error.span.start)
    return f"expression:{where.line}:{where.column}: {error.message}"


def _load_contexts(path: Path | None) -> dict[str, Any]:
    import json

    from qmoi.errors import InputError

    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read the context file: {error.strerror}",
                         location=str(path)) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"the context file is not valid JSON: {error}",
                         location=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("the context file must hold a JSON object keyed by context name",
                         location=str(path))
    return data


class LocalFiles:
    """hashFiles()'s view of the local disk (the expression engine itself does no I/O)."""

    def kind(self, path: str, *, follow_symlinks: bool) -> Literal["dir", "file", "missing"]:
        try:
            info = os.stat(path, follow_symlinks=follow_symlinks)
        except OSError:
            return "missing"
        import stat

        return "dir" if stat.S_ISDIR(info.st_mode) else "file"

    def list_dir(self, path: str) -> list[str]:
        with os.scandir(path) as entries:
            return [entry.name for entry in entries]

    def read_bytes(self, path: str) -> bytes:
        return Path(path).read_bytes()

    def real_path(self, path: str) -> str:
        return os.path.realpath(path)
