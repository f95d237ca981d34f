"""The supervisor's side of a worker process, and how worker processes are started.

Workers come from a ``forkserver``: ``fork`` from the coordinator is unsafe (it runs the
scheduler, the live view and this supervisor on threads, and a fork copies locks other
threads hold), while ``spawn`` starts a fresh interpreter and re-imports the executor for
every worker (hundreds of milliseconds each, too slow to scale up under a burst of jobs).
The fork server is one clean single-threaded process that imports the executor once and
forks each worker from it in milliseconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from qmoi.runners.pool.board import WorkerInfo
from qmoi.runners.pool.config import Request
from qmoi.runners.pool.forkserver import context as forkserver_context
from qmoi.runners.pool.forkserver import preload_of
from qmoi.runners.pool.sampler import Identity
from qmoi.runners.pool.wire import Channel, Message
from qmoi.runners.pool.worker import ExecutorFactory, worker_main
from qmoi.schedule.protocol import Emit, JobRequest

STARTING, IDLE, BUSY, DRAINING = "starting", "idle", "busy", "draining"


@dataclass(slots=True)
class Task:
    """A submitted job as the supervisor tracks it (owned by the supervisor thread).
    ``twin`` links a redundant job's primary and second run; ``shadow`` marks the second,
    whose events are kept in a file instead of being reported."""

    request: JobRequest
    emit: Emit
    demand: Request
    pool: str
    submitted: float
    attempt: int = 1
    cancelled: bool = False
    finished: bool = False
    shadow: bool = False
    twin: Task | None = None
    outcome: Any = None  # the JobFinished held back until the twin ends
    lost: list[str] = field(default_factory=list)
    shares: bool = False  # may run beside other jobs in one worker (admission decides)
    leg: str = ""  # its key among the learned profiles, once needed
    # The current attempt on its worker: when it began, its slot there (the runner id
    # ``qmoi runners list`` shows), its share of the worker's memory now and at most.
    started: float = 0.0
    slot: int = 0
    rss_now: int = 0
    peak_rss: int = 0
    samples: int = 0  # sampling rounds it ran through, and in how many it wanted a CPU
    busy: float = 0.0

    @property
    def key(self) -> str:
        return self.request.key


@dataclass(slots=True)
class WorkerHandle:
    """A worker process: one job that computes, or up to ``jobs_per_worker`` that wait."""

    id: str
    pool: str
    process: BaseProcess
    channel: Channel
    state: str = STARTING
    pid: int | None = None
    tasks: dict[str, Task] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.monotonic)
    idle_since: float = field(default_factory=time.monotonic)
    members: set[Identity] = field(default_factory=set)

    def send(self, message: Message) -> bool:
        return self.channel.send(message)

    def holds(self, task: Task) -> bool:
        return self.tasks.get(task.key) is task

    def room(self, shared: bool, most: int) -> bool:
        """Whether a job (``shared``: one that may share a worker) can start here now."""
        if self.state not in (IDLE, BUSY):
            return False
        if not self.tasks:
            return True
        return shared and len(self.tasks) < most \
            and all(t.shares for t in self.tasks.values())

    def assign(self, task: Task) -> bool:
        used = {t.slot for t in self.tasks.values()}
        task.slot = next(n for n in range(len(used) + 1) if n not in used)
        task.started, task.rss_now, task.peak_rss = time.monotonic(), 0, 0
        task.samples, task.busy = 0, 0.0
        if not self.tasks:
            self.members = set()
        self.tasks[task.key] = task
        self.state = BUSY
        return self.send({"op": "run", "request": request_json(task.request)})

    def release(self, key: str) -> Task | None:
        task = self.tasks.pop(key, None)
        if not self.tasks and self.state == BUSY:
            self.state, self.idle_since = IDLE, time.monotonic()
        return task

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()

    def reap(self, timeout: float = 5.0) -> None:
        self.process.join(timeout)
        if self.process.is_alive():
            self.kill()
            self.process.join(timeout)
        with contextlib.suppress(OSError):
            self.channel.close()

    def describe_exit(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            import signal

            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ \
                else str(-code)
            hint = " (out of memory?)" if name == "SIGKILL" else ""
            return f"the worker process {self.pid} was killed by {name}{hint}"
        return f"the worker process {self.pid} exited with code {code}"


_REQUEST_FIELDS = tuple(f.name for f in dataclasses.fields(JobRequest))


def request_json(request: JobRequest) -> dict[str, Any]:
    """``JobRequest.to_json`` without its deep copy (``dataclasses.asdict`` walks the whole
    github context: 0.35 ms a job, where the JSON encoder reads the fields as they are)."""
    return {name: getattr(request, name) for name in _REQUEST_FIELDS}


def start_worker(worker_id: str, pool: str, factory: ExecutorFactory,
                 heartbeat: float) -> WorkerHandle:
    context = forkserver_context(preload_of(factory))
    ours, theirs = context.Pipe(duplex=True)
    args = (theirs, factory, heartbeat, dict(os.environ), os.getcwd())
    process = context.Process(target=worker_main, args=args, name=f"qmoi-worker-{worker_id}",
                              daemon=True)
    process.start()
    theirs.close()
    return WorkerHandle(worker_id, pool, process, Channel(ours))


def runner_id(worker: WorkerHandle, task: Task) -> str:
    """``w3`` for a worker's first job, ``w3.1`` and on for the jobs beside it."""
    return worker.id if task.slot == 0 else f"{worker.id}.{task.slot}"


def runners_of(workers: Iterable[WorkerHandle]) -> list[WorkerInfo]:
    """What ``qmoi runners list`` shows: one runner per job running (several when jobs
    share a worker process), one per worker without a job."""
    infos = []
    for worker in workers:
        state = IDLE if worker.state == STARTING else worker.state
        if not worker.tasks:
            infos.append(WorkerInfo(worker.id, worker.pid, state, None, worker.pool))
        for task in sorted(worker.tasks.values(), key=lambda t: t.slot):
            job = {"run_id": task.request.run_id, "key": task.key}
            infos.append(WorkerInfo(runner_id(worker, task), worker.pid, state, job,
                                    worker.pool))
    return infos
