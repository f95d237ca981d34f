"""Shared helpers for the local pool's own tests."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qmoi.events import Event, JobFinished, JobStarted, StepStarted
from qmoi.runners.pool import LocalPool, PoolConfig, Request
from qmoi.runners.pool.config import MIB
from runners.conformance import Collector, scripted

LIGHT = Request(0.1, 32 * MIB)


def config(**changes: Any) -> PoolConfig:
    """Fast ticks and heartbeats, light default requests, no state files."""
    base = PoolConfig(min=1, max=4, default_request=LIGHT, heartbeat_interval=0.1,
                      heartbeat_timeout=5.0, tick=0.05)
    return dataclasses.replace(base, **changes)


@contextmanager
def pool(**changes: Any) -> Iterator[LocalPool]:
    made = LocalPool(scripted, config(**changes))
    try:
        yield made
    finally:
        made.close()


def most_at_once(events: list[Event]) -> int:
    """The largest number of jobs that ran at the same time, from their events."""
    edges = sorted((e.at, 1 if isinstance(e, JobStarted) else -1) for e in events
                   if isinstance(e, JobStarted | JobFinished))
    now = best = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def worker_pid(seen: Collector, key: str, marker: Path) -> int:
    """The pid of the worker running ``key``, once its step wrote the marker."""
    seen.wait_for(lambda events: any(isinstance(e, StepStarted) and e.key == key
                                     for e in events))
    deadline = time.monotonic() + 10
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return int(marker.read_text())
