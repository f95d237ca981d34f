"""``qmoi lint``: check workflows and action metadata."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def lint(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders (default: the repository's .github/workflows)."
    ),
    output: Format = typer.Option(Format.TEXT, "--format", "-f", help="Output format."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or names."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rule codes or names."),
) -> int:
    """Check workflows: exit 0 when clean, 1 when something is reported, 2 on error."""
    from qmoi.discover import resolve_targets
    from qmoi.lint import lint_targets
    from qmoi.report.diagnostics import render_json, render_text

    targets = resolve_targets(list(paths or []), Path.cwd())
    reports = lint_targets(targets, _split(select), _split(ignore))
    if output is Format.JSON:
        sys.stdout.write(render_json(loc for r in reports for loc in r.found))
    else:
        sys.stdout.write(render_text((loc, r.source) for r in reports for loc in r.found))
    return 1 if any(r.found for r in reports) else 0


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
