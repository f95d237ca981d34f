"""``qmoi learn list`` and ``qmoi learn suggest``: what the knowledge base has learned."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="What QMOI learned from failures and repairs.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> int:
    """Failure signatures seen, with the repairs tried, best first."""
    from qmoi.learn.kb_store import StoreKnowledgeBase

    store, _ = _open()
    try:
        entries = StoreKnowledgeBase(store).entries()
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps([e.to_json() for e in entries], indent=2) + "\n")
        return 0
    if not entries:
        sys.stdout.write("nothing learned yet (the manager records failures and repairs)\n")
    for entry in entries:
        sys.stdout.write(f"{entry.failure_class:<16} ×{entry.occurrences:<3} {entry.signature}\n")
        for stats in entry.repairs:
            sys.stdout.write(f"    {stats.repair}: {stats.successes}/{stats.attempts} green "
                             f"({stats.rate:.0%}, score {stats.score:.2f})\n")
    return 0


@app.command("suggest")
def suggest(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> int:
    """Enhancements the history supports: timeouts, caches, flaky tests, parallel jobs."""
    from qmoi.learn.kb_store import StoreKnowledgeBase
    from qmoi.learn.kb_suggest import job_history
    from qmoi.learn.kb_suggest import suggest as make

    store, root = _open()
    try:
        found = make(StoreKnowledgeBase(store).entries(), job_history(store, root),
                     _workflows(root))
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps([s.to_json() for s in found], indent=2) + "\n")
        return 0
    if not found:
        sys.stdout.write("no suggestion yet: the history supports none\n")
    for item in found:
        sys.stdout.write(f"{item.kind:<16} {item.where}: {item.message} ({item.evidence})\n")
    return 0


def _open() -> tuple[Any, Path]:
    from qmoi.discover import find_repo_root, qmoi_home
    from qmoi.store import open_store

    root = find_repo_root(Path.cwd()) or Path.cwd()
    home = qmoi_home(root)
    assert home is not None
    return open_store(home), root


def _workflows(root: Path) -> list[tuple[str, Any]]:
    from qmoi.manager.validate import load

    loaded, _ = load(root) if (root / ".github" / "workflows").is_dir() else ([], [])
    return [(w.display, w.workflow) for w in loaded]
