"""``LocalPool``: QCity's embedded runner, worker processes on this machine behind the
``qmoi.schedule.Runner`` protocol.

``submit`` and ``cancel`` only hand work to the supervisor thread (through an inbox and a
wake-up pipe), so they never block the scheduler; every event reaches ``emit`` from the
supervisor thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from qmoi.events import JobFinished
from qmoi.plan.load import LoadedWorkflow
from qmoi.runners.pool.board import JsonBoard, RunnerBoard, WorkerInfo
from qmoi.runners.pool.config import PoolConfig
from qmoi.runners.pool.intake import make_tasks
from qmoi.runners.pool.labels import LabelRouter
from qmoi.runners.pool.profiles import JsonProfiles, Profiles, ProfileStore
from qmoi.runners.pool.supervisor import Supervisor
from qmoi.runners.pool.worker import ExecutorFactory
from qmoi.schedule.protocol import Emit, JobRequest

Command = Callable[[Supervisor], None]


def default_stores(state_dir: Path | None) -> tuple[ProfileStore | None, RunnerBoard | None]:
    """The JSON files under ``state_dir`` (until the store's tables take over)."""
    if state_dir is None:
        return None, None
    return JsonProfiles(state_dir / "profiles.json"), JsonBoard(state_dir / "runners")


class LocalPool:
    """Runs jobs in worker processes made by ``factory`` (picklable: a module-level
    callable or a ``functools.partial`` of one, since workers import it by name): a job
    that computes, or was never measured, has a worker to itself; jobs known to wait share
    one (``PoolConfig.jobs_per_worker``), so ``capacity`` counts jobs, not processes."""

    def __init__(self, factory: ExecutorFactory, config: PoolConfig | None = None, *,
                 profiles: ProfileStore | None = None, board: RunnerBoard | None = None,
                 workflows: Sequence[LoadedWorkflow] = ()) -> None:
        """``workflows``: those the caller read and checked already (the label router
        reads ``runs-on`` from them instead of loading the files again)."""
        self.config = (config or PoolConfig()).resolved()
        if profiles is None and board is None:
            profiles, board = default_stores(self.config.state_dir)
        self._profiles = Profiles(profiles)
        self._router = LabelRouter(self.config, workflows)
        self._supervisor = Supervisor(self.config, factory, self._profiles, board)
        self._inbox: deque[Command] = deque()
        self._lock = threading.Lock()
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._failure: BaseException | None = None
        self._supervisor.start_minimum()
        self._thread = threading.Thread(target=self._loop, name="qmoi-pool", daemon=True)
        self._thread.start()

    @property
    def capacity(self) -> int:
        return self.config.max

    def submit(self, request: JobRequest, emit: Emit) -> None:
        tasks, problem = make_tasks(self.config, self._profiles, self._router, request, emit)
        if problem is not None:
            emit(JobFinished(request.key, "failure", {}, time.time(), problem))
            return
        self._send(lambda supervisor: supervisor.accept(tasks))

    def cancel(self, key: str) -> None:
        # Also while closing: close() waits for the running jobs, which may be cancelled.
        self._send(lambda supervisor: supervisor.cancel(key), closing=True)

    def close(self) -> None:
        """Wait for the submitted jobs, then stop the workers."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        self._thread.join()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def workers(self) -> list[WorkerInfo]:
        """The workers now (as ``qmoi runners list`` shows them)."""
        result: list[list[WorkerInfo]] = []
        done = threading.Event()

        def take(supervisor: Supervisor) -> None:
            result.append(supervisor.snapshot())
            done.set()

        self._send(take, closing=True)
        done.wait(5.0)
        return result[0] if result else []

    def _send(self, command: Command, *, closing: bool = False) -> None:
        with self._lock:
            if self._closed and not (closing and self._thread.is_alive()):
                if closing:
                    return  # nothing runs any more: cancelling is a no-op
                raise RuntimeError("the runner pool is closed")
            self._inbox.append(command)
        self._wake()

    def _wake(self) -> None:
        # A full pipe means the supervisor is already due to wake.
        with contextlib.suppress(BlockingIOError):
            os.write(self._wake_w, b"x")

    def _take_inbox(self) -> bool:
        with self._lock:
            commands = list(self._inbox)
            self._inbox.clear()
            closing = self._closed
        for command in commands:
            command(self._supervisor)
        return closing

    def _loop(self) -> None:
        supervisor = self._supervisor

        def intake() -> None:
            supervisor.closing = self._take_inbox()

        try:
            intake()
            while not (supervisor.closing and supervisor.idle):
                supervisor.step(self._wake_r, intake)
        except BaseException as error:  # a supervisor bug must not leave jobs hanging
            self._failure = error
            self._abandon(error)
        finally:
            supervisor.shutdown()

    def _abandon(self, error: BaseException) -> None:
        for task in list(self._supervisor.tasks.values()):
            if not task.finished and not task.shadow:
                task.finished = True
                task.emit(JobFinished(task.key, "failure", {}, time.time(),
                                      f"internal error in the runner pool: {error!r}"))
        for worker in self._supervisor.workers.values():
            worker.kill()
