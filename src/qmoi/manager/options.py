"""What the manager is asked to do, and the argument parser of the stand-alone script."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from qmoi.errors import UsageError

STATS_FILE = "QMOI_WORKFLOW_STATS.log"


class FixMode(StrEnum):
    OFF = "off"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class ManagerOptions:
    """``backoff`` is the first retry's wait in seconds (doubled per retry, capped at
    ``backoff_cap``); ``debounce`` the quiet time in seconds before a burst of saves counts
    as one change. ``stats`` is relative to the repository root unless absolute."""

    repo: Path = Path(".")
    once: bool = False
    event: str = "push"
    fix: FixMode = FixMode.SAFE
    commit: bool = False
    max_attempts: int = 3
    stats: Path = Path(STATS_FILE)
    backoff: float = 2.0
    backoff_cap: float = 60.0
    debounce: float = 1.0
    max_parallel: int | None = None
    live: bool | None = None  # None: a live view when the output is a terminal

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise UsageError("--max-attempts must be at least 1")
        if self.backoff < 0 or self.debounce < 0:
            raise UsageError("--backoff and --debounce cannot be negative")
        if self.max_parallel is not None and self.max_parallel < 1:
            raise UsageError("--max-parallel must be at least 1")

    def retry_wait(self, retry: int) -> float:
        """Seconds to wait before the ``retry``-th retry (1-based): exponential, capped."""
        return float(min(self.backoff_cap, self.backoff * 2 ** (retry - 1)))


def fix_mode(value: str) -> FixMode:
    try:
        return FixMode(value)
    except ValueError:
        raise UsageError(f"--fix must be off, safe or unsafe, not {value!r}") from None


def parse_args(argv: Sequence[str]) -> ManagerOptions:
    """The script's options (the same as ``qmoi manager``'s)."""
    parser = argparse.ArgumentParser(
        prog="qmoi_workflow_manager.py",
        description="Keep a repository's workflows green: detect, validate, fix, run, "
                    "repair, re-run, learn.")
    parser.add_argument("repo", nargs="?", default=".", type=Path,
                        help="the repository (default: the current folder)")
    parser.add_argument("--once", action="store_true", help="one pass, then exit 0 if green")
    parser.add_argument("--event", default="push", help="the event to run (default: push)")
    parser.add_argument("--fix", default="safe", help="off, safe (default) or unsafe")
    parser.add_argument("--commit", action="store_true", help="commit fixes and repairs")
    parser.add_argument("--max-attempts", type=int, default=3, help="runs per workflow")
    parser.add_argument("--stats", type=Path, default=Path(STATS_FILE), help="stats log path")
    parser.add_argument("--backoff", type=float, default=2.0, help="first retry wait (s)")
    parser.add_argument("--debounce", type=float, default=1.0, help="quiet time (s)")
    parser.add_argument("--max-parallel", type=int, default=None, help="jobs at once")
    parser.add_argument("--plain", action="store_true", help="plain lines, no live view")
    args = parser.parse_args(list(argv))
    return ManagerOptions(
        repo=args.repo, once=args.once, event=args.event, fix=fix_mode(args.fix),
        commit=args.commit, max_attempts=args.max_attempts, stats=args.stats,
        backoff=args.backoff, debounce=args.debounce, max_parallel=args.max_parallel,
        live=False if args.plain else None)
