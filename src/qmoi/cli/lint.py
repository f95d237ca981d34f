"""``qmoi lint``: check workflows and action metadata."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from qmoi.lint import FileReport
    from qmoi.shellcheck import Shellcheck


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def lint(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders (default: the repository's .github/workflows)."
    ),
    output: Format = typer.Option(Format.TEXT, "--format", "-f", help="Output format."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or names."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rule codes or names."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes first (as `qmoi fix`)."),
    unsafe: bool = typer.Option(False, "--unsafe", help="With --fix: also unsafe fixes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore the result cache."),
    shellcheck: bool | None = typer.Option(
        None, "--shellcheck/--no-shellcheck",
        help="Check run: scripts with shellcheck (default: when it is installed)."),
) -> int:
    """Check workflows: exit 0 when clean, 1 when something is reported, 2 on error."""
    if fix:
        from qmoi.cli.fix import fix as run_fix

        return run_fix(paths, unsafe=unsafe, diff=False, check=False, select=select,
                       ignore=ignore)
    from qmoi.discover import find_repo_root, qmoi_home, resolve_targets
    from qmoi.lint import config_target, lint_targets

    cwd = Path.cwd()
    root = find_repo_root(cwd)
    targets = resolve_targets(list(paths or []), cwd)
    if not paths:  # the whole repository: its configuration is checked too
        targets += config_target(root, cwd)
    home = None if no_cache else qmoi_home(root)
    reports = lint_targets(targets, split_values(select), split_values(ignore),
                           cache_dir=None if home is None else home / "cache",
                           shellcheck=_shellcheck(shellcheck))
    sys.stdout.write(_render(output, reports, root))
    return 1 if any(r.found for r in reports) else 0


def _render(output: Format, reports: list[FileReport], root: Path | None) -> str:
    from qmoi.report.diagnostics import render_json, render_text

    if output is Format.JSON:
        return render_json(loc for r in reports for loc in r.found)
    if output is Format.TEXT:
        return render_text((loc, r.source) for r in reports for loc in r.found)
    from qmoi.check import all_rules
    from qmoi.report.files import ReportedFile, repo_relative

    files = [ReportedFile(repo_relative(r.target.path, root), r.target.display, r.target.path,
                          r.source, r.found) for r in reports]
    if output is Format.SARIF:
        from qmoi.report.sarif import render_sarif

        return render_sarif(files, all_rules(), root)
    from qmoi.report.github import render_github

    return render_github(files)


def _shellcheck(wanted: bool | None) -> Shellcheck | None:
    """The shellcheck to use: found automatically unless ``--no-shellcheck``; asking for it
    with ``--shellcheck`` when it is not installed is an error."""
    if wanted is False:
        return None
    from qmoi.errors import UsageError
    from qmoi.shellcheck import find_shellcheck

    found = find_shellcheck()
    if found is None and wanted:
        raise UsageError("shellcheck was not found; install it with "
                         "`pip install 'qmoi[shellcheck]'` or drop --shellcheck")
    return found


def split_values(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
