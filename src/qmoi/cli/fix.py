"""``qmoi fix``: apply fixes in place (or show them), then report what remains."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import typer


def fix(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders (default: the repository's .github/workflows)."
    ),
    unsafe: bool = typer.Option(False, "--unsafe", help="Also apply fixes that need review."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if a fix applies."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or names."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rule codes or names."),
) -> int:
    """Fix what can be fixed, preserving everything else byte for byte."""
    from qmoi.cli.lint import split_values
    from qmoi.discover import resolve_targets
    from qmoi.lint import fix_targets
    from qmoi.report.diagnostics import render_text

    targets = resolve_targets(list(paths or []), Path.cwd())
    results = fix_targets(targets, unsafe=unsafe, write=not (diff or check),
                          select=split_values(select), ignore=split_values(ignore))
    out = sys.stdout
    would_change = False
    for result in results:
        outcome = result.outcome
        if outcome is None or not outcome.changed:
            continue
        would_change = True
        if diff:
            out.writelines(difflib.unified_diff(
                outcome.original.text.splitlines(keepends=True),
                outcome.text.splitlines(keepends=True),
                f"a/{result.target.display}", f"b/{result.target.display}"))
        else:
            verb = "would fix" if check else "fixed"
            out.write(f"{verb} {result.target.display}:\n")
            for applied in outcome.applied:
                out.write(f"  - {applied.title} [{applied.rule}]\n")
        for rejected in outcome.rejected:
            out.write(f"  ! not applied: {rejected.title} [{rejected.rule}]: {rejected.reason}\n")
    if diff or check:
        return 1 if would_change else 0
    remaining = [(loc, r.report.source) for r in results for loc in r.report.found]
    out.write(render_text(remaining))
    return 1 if remaining else 0
