"""The manager in the background: a pass at start, then one whenever a workflow, a local
action it uses, the configuration or git's HEAD changes (a burst of editor saves counts
once), and a ``schedule`` pass for each workflow whose cron comes due."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from qmoi.errors import QmoiError
from qmoi.manager import gitops
from qmoi.manager.loop import Manager
from qmoi.manager.marker import find_marker
from qmoi.manager.results import PassResult
from qmoi.manager.validate import load
from qmoi.manager.versions import watched_files
from qmoi.model.cron import CronError, parse_cron

TICK_MS = 1000  # how often the loop wakes without changes, to look at the clock


class CronClock:
    """When each ``schedule`` workflow fires next (UTC, as GitHub evaluates cron)."""

    def __init__(self) -> None:
        self.next: dict[tuple[str, str], datetime] = {}

    def refresh(self, manager: Manager, now: datetime) -> None:
        loaded, _ = load(manager.root)
        fresh: dict[tuple[str, str], datetime] = {}
        for workflow in loaded:
            trigger = workflow.workflow.event("schedule")
            for cron in trigger.cron if trigger is not None else ():
                key = (workflow.repo_path, cron.value)
                try:
                    fresh[key] = self.next.get(key) or parse_cron(cron.value).next_after(now)
                except CronError:
                    continue  # the linter reports it; a broken cron never fires
        self.next = fresh

    def due(self, now: datetime) -> set[str]:
        """Workflows whose cron came due (each schedule is moved to its next time)."""
        found: set[str] = set()
        for (path, cron), at in list(self.next.items()):
            if at <= now:
                found.add(path)
                self.next[(path, cron)] = parse_cron(cron).next_after(now)
        return found


def _watch_paths(root: Path) -> list[Path]:
    """``.github`` (workflows and the configuration), local action folders outside it,
    and ``.git`` for HEAD moves."""
    paths = {root / ".github", root / ".git"}
    for name, path in watched_files(root).items():
        if not name.startswith(".github/"):
            paths.add(path.parent)
    return sorted(p for p in paths if p.exists())


def _relevant(root: Path) -> Callable[[object, str], bool]:
    git_dir = (root / ".git").resolve()

    def accept(_change: object, raw: str) -> bool:
        path = Path(raw).resolve()
        if path.is_relative_to(git_dir):
            inner = path.relative_to(git_dir).as_posix()
            return inner in ("HEAD", "packed-refs") or inner.startswith("refs/heads/")
        return path.suffix in (".yml", ".yaml")

    return accept


def watch(manager: Manager, stop: threading.Event | None = None,
          on_pass: Callable[[PassResult], None] | None = None) -> int:
    """Run until ``stop`` is set (or Ctrl-C); the exit code of the last pass."""
    import watchfiles

    stop = stop or threading.Event()
    clock = CronClock()
    last = _pass(manager, None, None, on_pass)
    head = gitops.head(manager.root)
    clock.refresh(manager, datetime.now(UTC))
    step = max(50, int(manager.options.debounce * 1000))
    while not stop.is_set():
        paths = _watch_paths(manager.root)
        for batch in watchfiles.watch(*paths, watch_filter=_relevant(manager.root),
                                      debounce=max(step * 4, 1600), step=step,
                                      stop_event=stop, rust_timeout=TICK_MS,
                                      yield_on_timeout=True):
            now = datetime.now(UTC)
            due = clock.due(now)
            if due:
                last = _pass(manager, "schedule", due, on_pass)
            current = gitops.head(manager.root)
            moved = current != head
            edited = bool(batch) and manager.detector.current() != manager.detector.seen
            if edited or (moved and not _already_verified(manager)):
                manager.view.note("change detected" + (": HEAD moved" if moved else ""))
                last = _pass(manager, None, None, on_pass)
            if due or batch or moved:
                # HEAD as it was before the pass: a commit made while the pass ran is a
                # move the next round sees (read afterwards, it would pass unnoticed).
                head = current
                clock.refresh(manager, now)
                if _watch_paths(manager.root) != paths:
                    break  # a local action appeared or went: watch the new set
    return last


def _already_verified(manager: Manager) -> bool:
    """HEAD holds a tree the manager already verified (the user committed the working tree
    it ran, fixes included): running it again would repeat the same runs."""
    found = find_marker(manager.home, manager.root, "HEAD")
    if found is None:
        return False
    manager.view.note(f"HEAD {found[0][:12]} has the tree verified as "
                      f"{str(found[1].get('commit'))[:12]}: nothing to run")
    return True


def _pass(manager: Manager, event: str | None, only: set[str] | None,
          on_pass: Callable[[PassResult], None] | None) -> int:
    """One pass; a problem the user can fix (a broken repository state) is shown and the
    manager keeps watching."""
    try:
        result = manager.run_pass(event, only)
    except QmoiError as error:
        manager.view.note(f"pass failed: {error}")
        return 1
    manager.view.note(("green" if result.green else "not green") + f" — {manager.view.summary()}")
    if on_pass is not None:
        on_pass(result)
    return 0 if result.green else 1
