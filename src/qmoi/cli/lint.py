"""``qmoi lint``: check workflows and action metadata.

Like ``qmoi run``, ``qmoi lint`` starts without Typer (``main``, called by
``qmoi.cli.main``): the usual options are read by a small parser, and Typer (click and
what they import, ~60 ms) loads only for ``--help``, an option or form that parser does
not take, or a usage error. The Typer command ``lint`` is built when ``qmoi.cli.app``
asks for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.lint import FileReport
    from qmoi.shellcheck import Shellcheck


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def _typer_command() -> Callable[..., int]:
    import typer

    def lint(
        paths: list[Path] = typer.Argument(
            None, help="Files or folders (default: the repository's .github/workflows)."
        ),
        output: Format = typer.Option(Format.TEXT, "--format", "-f", help="Output format."),
        select: list[str] = typer.Option([], "--select",
                                         help="Only these rule codes or names."),
        ignore: list[str] = typer.Option([], "--ignore",
                                         help="Skip these rule codes or names."),
        fix: bool = typer.Option(False, "--fix",
                                 help="Apply safe fixes first (as `qmoi fix`)."),
        unsafe: bool = typer.Option(False, "--unsafe", help="With --fix: also unsafe fixes."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Ignore the result cache."),
        shellcheck: bool | None = typer.Option(
            None, "--shellcheck/--no-shellcheck",
            help="Check run: scripts with shellcheck (default: when it is installed)."),
    ) -> int:
        """Check workflows: exit 0 when clean, 1 when something is reported, 2 on error."""
        return lint_paths(paths, output, select, ignore, fix=fix, unsafe=unsafe,
                          no_cache=no_cache, shellcheck=shellcheck)

    return lint


def __getattr__(name: str) -> Any:
    if name != "lint":  # the Typer command, built for qmoi.cli.app on first use
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    command = globals()["lint"] = _typer_command()
    return command


def lint_paths(paths: list[Path] | None, output: Format, select: list[str],
               ignore: list[str], *, fix: bool = False, unsafe: bool = False,
               no_cache: bool = False, shellcheck: bool | None = None) -> int:
    """Check workflows: exit 0 when clean, 1 when something is reported, 2 on error."""
    if fix:
        from qmoi.cli.fix import fix as run_fix

        return run_fix(paths or [], unsafe=unsafe, diff=False, check=False, select=select,
                       ignore=ignore)
    from qmoi import startcache

    # Before the checker's ~150 dataclasses and ~100 patterns are defined (as `qmoi run`
    # does; like bytecode, independent of what is linted, so --no-cache does not mean it).
    # Undone afterwards when this call installed it: an in-process caller keeps the
    # interpreter as it was.
    ours = not startcache.installed()
    classes = startcache.install(startcache.cache_path("lint"))
    try:
        return _lint(paths, output, select, ignore, no_cache, shellcheck)
    finally:
        classes.save()
        if ours:
            startcache.uninstall()


def _lint(paths: list[Path] | None, output: Format, select: list[str], ignore: list[str],
          no_cache: bool, shellcheck: bool | None) -> int:
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


# The fast parser's options: flag → lint_paths keyword.
_FLAGS = {"--fix": ("fix", True), "--unsafe": ("unsafe", True),
          "--no-cache": ("no_cache", True), "--shellcheck": ("shellcheck", True),
          "--no-shellcheck": ("shellcheck", False)}
_LISTS = {"--select": "select", "--ignore": "ignore"}


def parse_fast(argv: list[str]) -> dict[str, Any] | None:
    """``qmoi lint`` arguments as ``lint_paths`` keywords; None when Typer must read them
    (help, an unknown option or format, any form this parser does not take: Typer then
    gives its usual message or reads it)."""
    options: dict[str, Any] = {"paths": [], "output": Format.TEXT, "select": [],
                               "ignore": [], "fix": False, "unsafe": False,
                               "no_cache": False, "shellcheck": None}
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            options["paths"].extend(Path(item) for item in rest)
            break
        if not arg.startswith("-") or arg == "-":
            options["paths"].append(Path(arg))
            continue
        name, given, value = arg.partition("=")
        if given and not name.startswith("--"):
            return None  # "-f=json": click reads the value as "=json"; let it say so
        if name in _FLAGS and not given:
            key, flag = _FLAGS[name]
            options[key] = flag
            continue
        if name not in ("--format", "-f", *_LISTS):
            return None
        if not given:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if name in _LISTS:
            options[_LISTS[name]].append(value)
        elif value in Format.__members__.values():
            options["output"] = Format(value)
        else:
            return None
    return options


def main(argv: list[str]) -> int | None:
    """Run ``qmoi lint ARGV`` without Typer; None when Typer has to handle the arguments.
    Errors map to exit codes as ``qmoi.cli.app.run`` maps them."""
    options = parse_fast(argv)
    if options is None:
        return None
    from qmoi.cli.guard import guarded

    return guarded(lambda: lint_paths(**options))
