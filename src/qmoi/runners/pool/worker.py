"""A worker process: runs the jobs the supervisor gives it with the executor the pool was
given, each on a thread of its own, and streams their events back as they happen. A job
that computes has a worker to itself; jobs that mostly wait share one (the supervisor
decides), each still with its own processes, workspace and environment.

The worker ignores SIGINT: Ctrl-C in a terminal reaches the whole foreground process group,
and the coordinator turns it into cancellations (``always()`` and post steps still run),
so a worker must not die of it. When the coordinator goes away (its end of the pipe
closes), the worker cancels its jobs and exits.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from qmoi.events import Event
from qmoi.runners.base import CancelToken, JobExecutor, run_to_one_end
from qmoi.runners.pool.wire import Channel, Outbox
from qmoi.schedule.protocol import JobRequest

ExecutorFactory = Callable[[], JobExecutor]


def _cpu() -> float:
    """CPU seconds of this process and its reaped children."""
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children_peak() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux: KiB


@dataclass(slots=True)
class _Job:
    """A job running on this worker, with what the CPU meter noted when it began."""

    key: str
    token: CancelToken
    thread: threading.Thread | None = None
    mark: float = 0.0  # the meter's share per job when the job began
    peak_before: int = 0
    alone: bool = True  # no other job ran in this worker meanwhile


class _Meter:
    """The CPU each job of this worker used. The kernel counts a process's CPU, not a
    thread's children's, so the jobs running together share what the process used
    meanwhile equally (exact for one job alone, and for alike jobs such as matrix legs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = _cpu()
        self._share = 0.0  # CPU seconds charged to each job running, since the start
        self._running: list[_Job] = []

    def _advance(self) -> None:
        now = _cpu()
        if self._running:
            self._share += (now - self._last) / len(self._running)
        self._last = now

    def begin(self, job: _Job) -> None:
        with self._lock:
            self._advance()
            job.mark, job.peak_before = self._share, _children_peak()
            if self._running:
                job.alone = False
                for other in self._running:
                    other.alone = False
            self._running.append(job)

    def end(self, job: _Job) -> tuple[float, int]:
        """The job's CPU seconds, and the peak RSS of its processes when the kernel's
        figure can only be the job's (it ran alone and the peak grew during it), else 0."""
        with self._lock:
            self._advance()
            self._running.remove(job)
            peak = _children_peak()
            alone = job.alone and peak > job.peak_before
            return self._share - job.mark, peak if alone else 0


def run_guarded(executor: JobExecutor, request: JobRequest, emit: Callable[[Event], None],
                token: CancelToken) -> None:
    """Run the job so that exactly one ``JobFinished`` is emitted, whatever happens."""
    run_to_one_end(request.key, token, emit,
                   lambda forward: executor.run_job(request, forward, token))


def _run(executor: JobExecutor, outbox: Outbox, request: JobRequest, job: _Job,
         meter: _Meter) -> None:
    key = request.key

    def emit(event: Event) -> None:
        outbox.event(key, event.to_json())

    meter.begin(job)
    try:
        run_guarded(executor, request, emit, job.token)
    finally:
        cpu, peak = meter.end(job)
        outbox.message({"op": "done", "key": key, "cpu": cpu, "maxrss": peak})


def _start(executor: JobExecutor, outbox: Outbox, request: JobRequest,
           meter: _Meter) -> _Job:
    job = _Job(request.key, CancelToken())
    job.thread = threading.Thread(target=_run, args=(executor, outbox, request, job, meter),
                                  name=f"qmoi-job-{request.key}", daemon=True)
    job.thread.start()
    return job


def _alive(jobs: dict[str, _Job]) -> None:
    for key in [key for key, job in jobs.items()
                if job.thread is not None and not job.thread.is_alive()]:
        del jobs[key]


def worker_main(conn: Connection, factory: ExecutorFactory, heartbeat: float,
                env: dict[str, str], cwd: str) -> None:
    """The worker's whole life (the target of its process). ``env`` and ``cwd`` are the
    coordinator's now: the fork server kept those of the moment it started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.clear()
    os.environ.update(env)
    with contextlib.suppress(OSError):
        os.chdir(cwd)
    channel = Channel(conn)
    executor = factory()
    channel.send({"op": "ready", "pid": os.getpid()})
    outbox = Outbox(channel)
    jobs: dict[str, _Job] = {}
    meter = _Meter()
    stopping = False
    last_beat = time.monotonic()
    try:
        while True:
            _alive(jobs)
            if stopping and not jobs:
                return
            wait = 0.05 if stopping else heartbeat
            if channel.conn.poll(wait):
                try:
                    message = channel.receive()
                except (EOFError, OSError):  # the coordinator is gone
                    for job in jobs.values():
                        job.token.cancel()
                    for job in jobs.values():
                        if job.thread is not None:
                            job.thread.join()
                    return
                op = message.get("op")
                if op == "run":
                    request = JobRequest.from_json(message["request"])
                    jobs[request.key] = _start(executor, outbox, request, meter)
                elif op == "cancel" and message.get("key") in jobs:
                    jobs[message["key"]].token.cancel()
                elif op == "stop":
                    stopping = True
            if time.monotonic() - last_beat >= heartbeat:
                channel.send({"op": "beat"})
                last_beat = time.monotonic()
    finally:
        outbox.close()  # the jobs' last events and their ``done`` before anything else
        close = getattr(executor, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
        channel.close()
