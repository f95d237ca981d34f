"""The event hub: one Ray actor per runner through which jobs on any node stream their
events to the coordinator while they run, and the coordinator's cancellations reach them.

It also fences attempts: each job key has a current attempt number, and a task of an older
attempt (say, one whose node was declared dead but whose process lingers) is refused at its
start and told to stop at its next push, so a retry never runs beside its predecessor.
"""

from __future__ import annotations

import asyncio
from typing import Any

import ray

Item = tuple[str, int, dict[str, Any]]

RUN, CANCEL, STALE = "run", "cancel", "stale"
HEAD_RESOURCE = "node:__internal_head__"  # a resource only Ray's head node has


class EventHub:
    """Plain class; :func:`start_hub` runs it as an async actor (its methods run one at a
    time on the actor's event loop, so no locks are needed)."""

    def __init__(self) -> None:
        self._items: list[Item] = []
        self._ready = asyncio.Event()
        self._current: dict[str, int] = {}
        self._begun: dict[str, int] = {}
        self._cancelled: set[str] = set()

    def _status(self, key: str, attempt: int) -> str:
        if self._current.get(key, attempt) != attempt:
            return STALE
        return CANCEL if key in self._cancelled else RUN

    async def fence(self, key: str, attempt: int) -> None:
        """Make ``attempt`` the only one allowed to run or report for ``key``."""
        self._current[key] = max(attempt, self._current.get(key, 0))

    async def begin(self, key: str, attempt: int) -> str:
        """Called by a task before it does anything: ``run``, ``cancel`` or ``stale``."""
        self._current.setdefault(key, attempt)
        status = self._status(key, attempt)
        if status == RUN:
            self._begun[key] = attempt
        return status

    async def push(self, key: str, attempt: int, events: list[dict[str, Any]]) -> str:
        """Queue a task's events; the answer tells it whether to go on."""
        status = self._status(key, attempt)
        if status != STALE and events:
            self._items.extend((key, attempt, event) for event in events)
            self._ready.set()
        return status

    async def cancel(self, key: str) -> bool:
        """Ask ``key`` to stop; True when a task of it has already begun."""
        self._cancelled.add(key)
        return key in self._begun

    async def forget(self, key: str) -> None:
        self._current.pop(key, None)
        self._begun.pop(key, None)
        self._cancelled.discard(key)

    async def drain(self, timeout: float) -> list[Item]:
        """Everything queued, waiting up to ``timeout`` seconds for the first item."""
        if not self._items:
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return []
        items, self._items = self._items, []
        self._ready.clear()
        return items


def start_hub() -> Any:
    """Start a hub actor on the cluster's head node (it reserves no CPU).

    Not on the driver's node: several Ray nodes may share one address, and a driver can
    be attached to any of them, including a runner node that dies. The head node lives as
    long as the cluster does."""
    actor = ray.remote(num_cpus=0, max_restarts=0)(EventHub)
    return actor.options(resources={HEAD_RESOURCE: 0.001}).remote()
