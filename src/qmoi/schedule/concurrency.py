"""Concurrency groups: at most one running and one pending job per group.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#concurrency
"When a concurrent job or workflow is queued, if another job or workflow using the same
concurrency group in the repository is in progress, the queued job or workflow will be
pending. Any existing pending job or workflow in the same concurrency group will be
canceled." With ``cancel-in-progress: true`` the running one is cancelled too. Group names
are compared case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Admission:
    """What queuing a job into its group decided: the pending job it replaced (to cancel)
    and the running job to cancel (with cancel-in-progress)."""

    replaced: str | None = None
    interrupt: str | None = None


@dataclass(slots=True)
class _Group:
    """The keys of the job holding one concurrency group and of the job waiting for it."""

    running: str | None = None
    pending: str | None = None


@dataclass(slots=True)
class ConcurrencyGroups:
    """The run's concurrency groups by case-folded name, each with a running and a pending job at
    most."""

    _groups: dict[str, _Group] = field(default_factory=dict)

    def queue(self, group: str, key: str, *, cancel_in_progress: bool) -> Admission:
        """``key`` joins ``group``; it may start once :meth:`may_start` says so. A job that
        finds the group free holds it at once (it is "in progress" from then on)."""
        slot = self._groups.setdefault(group.casefold(), _Group())
        if slot.running is None and slot.pending is None:
            slot.running = key
            return Admission()
        replaced = slot.pending
        slot.pending = key
        interrupt = slot.running if cancel_in_progress else None
        return Admission(replaced, interrupt)

    def may_start(self, group: str, key: str) -> bool:
        slot = self._groups.get(group.casefold())
        return slot is None or slot.running == key or (
            slot.running is None and slot.pending == key)

    def started(self, group: str, key: str) -> None:
        slot = self._groups.setdefault(group.casefold(), _Group())
        slot.running = key
        if slot.pending == key:
            slot.pending = None

    def finished(self, group: str, key: str) -> None:
        slot = self._groups.get(group.casefold())
        if slot is None:
            return
        if slot.running == key:
            slot.running = None
        if slot.pending == key:
            slot.pending = None
