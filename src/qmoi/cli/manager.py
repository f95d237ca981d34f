"""``qmoi manager``: keep the repository's workflows green — in the background, or once."""

from __future__ import annotations

from pathlib import Path

import typer


def manager(
    repo: Path = typer.Argument(Path("."), help="The repository (default: the current folder)."),
    once: bool = typer.Option(False, "--once", help="One pass; exit 0 if all ended green."),
    event: str = typer.Option("push", "--event", help="The event to run (default: push)."),
    fix: str = typer.Option("safe", "--fix", help="Fixes to apply: off, safe or unsafe."),
    commit: bool = typer.Option(False, "--commit", help="Commit fixes and repairs with git."),
    max_attempts: int = typer.Option(3, "--max-attempts", help="Runs per workflow and pass."),
    stats: Path = typer.Option(Path("QMOI_WORKFLOW_STATS.log"), "--stats",
                               help="Stats log (relative to the repository root)."),
    backoff: float = typer.Option(2.0, "--backoff", help="First retry's wait in seconds."),
    debounce: float = typer.Option(1.0, "--debounce", help="Quiet seconds before a change "
                                                           "counts (watch mode)."),
    max_parallel: int | None = typer.Option(None, "--max-parallel", help="Jobs at once."),
    plain: bool = typer.Option(False, "--plain", help="Plain lines, no live view."),
) -> int:
    """Detect, validate, fix, run, read the logs, repair, re-run and learn."""
    from qmoi.manager import ManagerOptions, manage
    from qmoi.manager.options import fix_mode

    return manage(ManagerOptions(
        repo=repo, once=once, event=event, fix=fix_mode(fix), commit=commit,
        max_attempts=max_attempts, stats=stats, backoff=backoff, debounce=debounce,
        max_parallel=max_parallel, live=False if plain else None))
