"""What runs on a runner node: one attempt of one job, as a Ray task.

The task asks the hub whether it may start (fencing), fetches the event's commit into the
node's repository, writes the workflow it was given, rewrites the request's paths to the
node, and calls the job executor, streaming events to the hub every few tens of
milliseconds (and at the end) rather than returning them at the end.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ray

from qmoi.events import Event, JobFinished, JobStarted
from qmoi.runners.base import CancelToken, JobExecutor, run_to_one_end
from qmoi.runners.ray.folders import node_run_dir
from qmoi.runners.ray.gitsource import fetch_commit, process_repository
from qmoi.runners.ray.hub import CANCEL, RUN, STALE
from qmoi.schedule.protocol import JobRequest

ExecutorFactory = Callable[[], JobExecutor]
FLUSH_EVERY = 0.05  # seconds between pushes of a running job's events
POLL_EVERY = 0.25  # seconds between cancellation checks of a quiet job
WORKDIR_ENV = "QMOI_RAY_WORKDIR"
NODE_ENV, ATTEMPT_ENV = "QMOI_RUNNER_NODE", "QMOI_RUNNER_ATTEMPT"


@dataclass(frozen=True, slots=True)
class AttemptSpec:
    """One attempt of a job, as sent to a node (plain data)."""

    request: dict[str, Any]
    attempt: int
    workflow_text: str
    source: str | None  # git URL or path the node fetches the commit from
    workdir: str | None = None  # the node's folder; default from the node's environment
    shared: str | None = None  # a folder every node mounts, for artifacts and caches


def node_workdir(given: str | None) -> Path:
    """The node's folder for repositories, job folders and the tool cache."""
    chosen = given or os.environ.get(WORKDIR_ENV)
    if chosen:
        return Path(chosen)
    return Path.home() / ".cache" / "qmoi" / "ray"


class Streamer:
    """Buffers a job's events and pushes them to the hub from one thread, in order."""

    def __init__(self, hub: Any, key: str, attempt: int, token: CancelToken) -> None:
        self.hub, self.key, self.attempt, self.token = hub, key, attempt, token
        self.stale = False
        self._buffer: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="qmoi-ray-stream", daemon=True)
        self._thread.start()

    def emit(self, event: Event) -> None:
        with self._lock:
            self._buffer.append(event.to_json())

    def _loop(self) -> None:
        quiet = 0.0
        while True:
            self._wake.wait(FLUSH_EVERY)
            with self._lock:
                batch, self._buffer = self._buffer, []
                stopping = self._stop
            quiet = 0.0 if batch else quiet + FLUSH_EVERY
            if batch or quiet >= POLL_EVERY or stopping:
                quiet = 0.0
                self._push(batch)
            if stopping:
                return

    def _push(self, batch: list[dict[str, Any]]) -> None:
        if self.stale:
            return
        status = ray.get(self.hub.push.remote(self.key, self.attempt, batch))
        if status != RUN:
            self.token.cancel()
        self.stale = status == STALE

    def close(self) -> None:
        """Push what is left and stop (blocks until the hub has it)."""
        with self._lock:
            self._stop = True
        self._wake.set()
        self._thread.join()


_EXECUTORS: dict[str, JobExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def _executor(factory: ExecutorFactory, run_id: str) -> JobExecutor:
    """One executor per run in this worker process (it keeps workspaces ahead of need);
    executors of earlier runs are closed."""
    with _EXECUTORS_LOCK:
        found = _EXECUTORS.get(run_id)
        old = [e for r, e in _EXECUTORS.items() if r != run_id]
        if found is None:
            found = _EXECUTORS[run_id] = factory()
        for other in [r for r in _EXECUTORS if r != run_id]:
            del _EXECUTORS[other]
    for executor in old:
        close = getattr(executor, "close", None)
        if callable(close):
            threading.Thread(target=close, daemon=True).start()
    return found


def _node_request(spec: AttemptSpec, request: JobRequest, workdir: Path) -> JobRequest:
    """The request with the node's repository, run folder and workflow file."""
    root = request.root
    if spec.source is not None:
        sha = str(request.github["sha"])
        root = str(process_repository(fetch_commit(workdir, spec.source, sha)))
    shared = Path(spec.shared) if spec.shared else None
    run_dir = node_run_dir(workdir, request.run_id, spec.attempt, Path(request.run_dir),
                           shared)
    workflow = run_dir / "workflows" / f"{request.key}.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(spec.workflow_text, encoding="utf-8")
    env = {**request.env, NODE_ENV: str(ray.get_runtime_context().get_node_id()),
           ATTEMPT_ENV: str(spec.attempt)}
    return replace(request, root=root, run_dir=str(run_dir),
                   workflow_path=str(workflow), env=env)


def run_attempt(spec: AttemptSpec, hub: Any, factory: ExecutorFactory) -> str:
    """The Ray task body; returns how the attempt ended (``done`` or ``stale``)."""
    request = JobRequest.from_json(spec.request)
    status = ray.get(hub.begin.remote(request.key, spec.attempt))
    if status == STALE:
        return STALE
    token = CancelToken()
    streamer = Streamer(hub, request.key, spec.attempt, token)
    try:
        if status == CANCEL:
            streamer.emit(JobFinished(request.key, "cancelled", {}, time.time(),
                                      "cancelled before it started", spec.attempt))
        else:
            _run(spec, request, streamer, token, factory)
    finally:
        streamer.close()
    return STALE if streamer.stale else "done"


def _run(spec: AttemptSpec, request: JobRequest, streamer: Streamer, token: CancelToken,
         factory: ExecutorFactory) -> None:
    node = str(ray.get_runtime_context().get_node_id())

    def stamped(event: Event) -> None:
        # Events of this attempt carry its number (and where it ran) to the coordinator.
        if isinstance(event, JobStarted) and event.key == request.key:
            event = replace(event, attempt=spec.attempt, runner=f"ray:{node}")
        elif isinstance(event, JobFinished) and event.key == request.key:
            event = replace(event, attempt=spec.attempt)
        streamer.emit(event)

    def body(forward: Callable[[Event], None]) -> None:
        local = _node_request(spec, request, node_workdir(spec.workdir))
        _executor(factory, request.run_id).run_job(local, forward, token)

    run_to_one_end(request.key, token, stamped, body)


def clean_run(workdir: str | None, run_id: str) -> None:
    """Remove a finished run's folders from this node (a Ray task pinned to the node)."""
    from qmoi.runners.ray.gitsource import remove_dead_repositories

    root = node_workdir(workdir)
    shutil.rmtree(root / run_id, ignore_errors=True)
    remove_dead_repositories(root)
