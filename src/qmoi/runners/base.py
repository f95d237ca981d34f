"""What a runner calls to run one job, and how it asks that job to stop."""

from __future__ import annotations

import os
import threading
from typing import Protocol

from qmoi.schedule.protocol import Emit, JobRequest


class CancelToken:
    """Set once when the job must stop; executors poll it or wait on it."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds; True once cancelled."""
        return self._event.wait(timeout)


class JobExecutor(Protocol):
    def run_job(self, request: JobRequest, emit: Emit, token: CancelToken) -> None:
        """Run one job to its end, emitting ``JobStarted`` … ``JobFinished`` (the runner
        emits the ``JobFinished`` itself if this raises)."""
        ...


def default_capacity(cpus: int | None = None) -> int:
    """Jobs at once when ``--max-parallel`` is not given: four per CPU, at least 4, at most
    64. A job mostly waits on one child process or on I/O, so a few per core keep the
    machine busy without the thrashing unlimited parallelism would cause."""
    count = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(4, min(64, 4 * count))
