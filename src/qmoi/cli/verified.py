"""``qmoi verified [SHA]``: whether every workflow the manager ran passed for a commit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def verified(
    revision: str = typer.Argument("HEAD", help="A commit (SHA, branch, HEAD…)."),
    as_json: bool = typer.Option(False, "--json", help="Print the marker as JSON."),
) -> int:
    """Exit 0 when the commit (or one with the same tree) is verified, 1 when not."""
    from qmoi.discover import qmoi_home
    from qmoi.manager.loop import repository
    from qmoi.manager.marker import find_marker

    root = repository(Path.cwd())
    home = qmoi_home(root)
    assert home is not None
    found = find_marker(home, root, revision)
    if as_json:
        data = {"verified": found is not None, "marker": None if found is None else found[1]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif found is None:
        sys.stdout.write(f"{revision}: not verified\n")
    else:
        commit, marker = found
        via = "" if marker.get("commit") == commit else \
            f" (same tree as the verified {str(marker.get('commit'))[:12]})"
        names = ", ".join(str(w.get("path")) for w in marker.get("workflows", []))
        sys.stdout.write(f"{commit[:12]}: verified{via} at {marker.get('time')}: "
                         f"{names or 'no workflow ran'}\n")
    return 0 if found is not None else 1
