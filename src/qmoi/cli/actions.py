"""``qmoi actions pull owner/repo@ref ...`` and ``qmoi actions list``: the action cache that
lets ``qmoi run`` use remote actions offline (``$QMOI_ACTION_CACHE``, default
``~/.cache/qmoi/actions``)."""

from __future__ import annotations

import json
import sys
import time

import typer

app = typer.Typer(name="actions", help="The offline action cache: pull, list.",
                  no_args_is_help=True, add_completion=False)


@app.command("pull")
def pull(
    specs: list[str] = typer.Argument(..., help="Actions to fetch: owner/repo@ref."),
) -> int:
    """Fetch actions with git into the cache (a second pull refreshes a moving ref)."""
    from qmoi.execute.actions.cache import ActionCacheError, parse_spec
    from qmoi.execute.actions.cache import pull as pull_action

    wanted = [parse_spec(text) for text in specs]  # all checked before any fetch
    failed = 0
    for spec in wanted:
        try:
            cached = pull_action(spec)
        except ActionCacheError as error:
            sys.stderr.write(f"qmoi: {spec.display}: {error}\n")
            failed += 1
            continue
        sys.stdout.write(f"{spec.display} {cached.sha[:12]} → {cached.path}\n")
    return 1 if failed else 0


@app.command("list")
def list_actions(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")
                 ) -> int:
    """The cached actions: owner/repo@ref, commit, when pulled, where."""
    from qmoi.execute.actions.cache import cache_root, list_cached

    found = list_cached()
    if as_json:
        rows = [{"action": c.spec.display, "sha": c.sha, "url": c.url, "path": str(c.path),
                 "pulled_at": c.pulled_at} for c in found]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    if not found:
        sys.stdout.write(f"no cached actions in {cache_root()}\n")
    for cached in found:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.pulled_at))
        sys.stdout.write(f"{cached.spec.display:40} {cached.sha[:12]}  {when}  {cached.path}\n")
    return 0
