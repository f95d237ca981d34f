"""What a runner calls to run one job, and how it asks that job to stop."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Protocol

from qmoi.errors import QmoiError
from qmoi.events import Event, JobFinished
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


def run_to_one_end(key: str, token: CancelToken, emit: Emit,
                   body: Callable[[Emit], None]) -> None:
    """Run a job's ``body`` (given the emit to use) so that exactly one ``JobFinished``
    for ``key`` reaches ``emit``, whatever happens: a second one is dropped, an error
    becomes a failure (a user error with its message), and a body that ends without one
    gets one. Every runner (threads, pool workers, Ray tasks) runs its jobs through this."""
    finished = False

    def forward(event: Event) -> None:
        nonlocal finished
        if isinstance(event, JobFinished) and event.key == key:
            if finished:
                return
            finished = True
        emit(event)

    try:
        body(forward)
    except QmoiError as error:
        forward(JobFinished(key, "failure", {}, time.time(), str(error)))
    except Exception as error:  # the runner must always end the job it was given
        forward(JobFinished(key, "failure", {}, time.time(),
                            f"internal error while running the job: {error!r}"))
    finally:
        if not finished:
            forward(JobFinished(key, "cancelled" if token.cancelled else "failure", {},
                                time.time(), "the job ended without a result"))
