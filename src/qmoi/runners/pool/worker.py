"""A worker process: takes one job at a time from the supervisor, runs it with the executor
the pool was given, and streams its events back as they happen.

The worker ignores SIGINT: Ctrl-C in a terminal reaches the whole foreground process group,
and the coordinator turns it into cancellations (``always()`` and post steps still run),
so a worker must not die of it. When the coordinator goes away (its end of the pipe
closes), the worker cancels its job and exits.
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

from qmoi.events import Event, JobFinished
from qmoi.runners.base import CancelToken, JobExecutor
from qmoi.runners.pool.wire import Channel
from qmoi.schedule.protocol import JobRequest

ExecutorFactory = Callable[[], JobExecutor]


def _usage() -> tuple[float, int]:
    """CPU seconds of this process and its reaped children, and the children's peak RSS."""
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return cpu, children.ru_maxrss * 1024  # Linux reports kilobytes


@dataclass(slots=True)
class _Job:
    key: str
    token: CancelToken
    thread: threading.Thread


def run_guarded(executor: JobExecutor, request: JobRequest, emit: Callable[[Event], None],
                token: CancelToken) -> None:
    """Run the job so that exactly one ``JobFinished`` is emitted, whatever happens."""
    finished = False

    def forward(event: Event) -> None:
        nonlocal finished
        if isinstance(event, JobFinished) and event.key == request.key:
            if finished:
                return
            finished = True
        emit(event)

    try:
        executor.run_job(request, forward, token)
    except Exception as error:  # the job must end however the executor fails
        forward(JobFinished(request.key, "failure", {}, time.time(),
                            f"internal error while running the job: {error!r}"))
    if not finished:
        forward(JobFinished(request.key, "cancelled" if token.cancelled else "failure", {},
                            time.time(), "the job ended without a result"))


def _run(executor: JobExecutor, channel: Channel, request: JobRequest,
         token: CancelToken) -> None:
    cpu_before, rss_before = _usage()

    def emit(event: Event) -> None:
        channel.send({"op": "event", "event": event.to_json()})

    run_guarded(executor, request, emit, token)
    cpu_after, rss_after = _usage()
    # The children's peak RSS only says something about this job when it grew during it.
    channel.send({"op": "done", "key": request.key, "cpu": cpu_after - cpu_before,
                  "maxrss": rss_after if rss_after > rss_before else 0})


def _start(executor: JobExecutor, channel: Channel, request: JobRequest) -> _Job:
    token = CancelToken()
    thread = threading.Thread(target=_run, args=(executor, channel, request, token),
                              name=f"qmoi-job-{request.key}", daemon=True)
    thread.start()
    return _Job(request.key, token, thread)


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
    current: _Job | None = None
    stopping = False
    last_beat = time.monotonic()
    try:
        while True:
            if current is not None and not current.thread.is_alive():
                current = None
            if stopping and current is None:
                return
            wait = 0.05 if stopping else heartbeat
            if channel.conn.poll(wait):
                try:
                    message = channel.receive()
                except (EOFError, OSError):  # the coordinator is gone
                    if current is not None:
                        current.token.cancel()
                        current.thread.join()
                    return
                op = message.get("op")
                if op == "run":
                    if current is not None:
                        # The supervisor sends a job only after "done": the previous job's
                        # thread is at its very end.
                        current.thread.join()
                    current = _start(executor, channel, JobRequest.from_json(message["request"]))
                elif op == "cancel" and current is not None and current.key == message["key"]:
                    current.token.cancel()
                elif op == "stop":
                    stopping = True
            if time.monotonic() - last_beat >= heartbeat:
                channel.send({"op": "beat"})
                last_beat = time.monotonic()
    finally:
        close = getattr(executor, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
        channel.close()
