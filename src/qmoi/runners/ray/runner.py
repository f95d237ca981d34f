"""The Ray backend of ``qmoi.schedule.Runner``: each attempt of a job is one Ray task.

Why tasks and not an actor per runner: a task carries its own resource request (CPUs,
memory, the ``runs-on`` labels as custom resources), so Ray's scheduler places every job on
a node that fits it and packs nodes by what jobs ask; pending tasks are the demand Ray's
autoscaler reads; and a task lost with its node is reported to its owner, which is how
a retry is decided. An actor would hold one fixed resource bundle for all the jobs it runs.

Ray's own task retry is off (``max_retries=0``): the coordinator retries only after it has
seen the attempt fail, and the hub fences the key to the new attempt first, so two attempts
of one job never run at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
import ray.exceptions as rex

from qmoi.errors import QmoiError
from qmoi.events import JobAttemptLost, JobFinished, JobStarted, event_from_json
from qmoi.runners.base import default_capacity
from qmoi.runners.ray.autoscale import Autoscaler
from qmoi.runners.ray.cluster import cluster_cpus, ray_nodes
from qmoi.runners.ray.hub import start_hub
from qmoi.runners.ray.node import AttemptSpec, ExecutorFactory, clean_run, run_attempt
from qmoi.runners.ray.placement import Placement, Placer, ResourcePolicy, default_policy
from qmoi.runners.ray.placement import unplaceable as unplaceable_reason
from qmoi.schedule.protocol import Emit, JobRequest

# A task lost with its worker or node: worth another attempt elsewhere.
_LOST = (rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError, rex.OwnerDiedError,
         rex.LocalRayletDiedError, rex.OutOfMemoryError, rex.RaySystemError)
CHECK_EVERY = 0.05  # seconds between looks at the tasks' states
MAX_WATCH_FAILURES = 20  # failed looks in a row before the jobs are given up


@dataclass(frozen=True, slots=True)
class RayOptions:
    """``max_attempts`` bounds retries after lost nodes; ``source`` is the git URL or path
    nodes fetch commits from (default: the coordinator's repository path);
    ``node_workdir`` overrides the nodes' folder; ``shared_dir`` is a folder every node
    mounts at the same path, holding artifacts and caches (see ``folders``); a job that no
    node can take fails after ``unplaceable_timeout`` seconds (time for the autoscaler to
    add one)."""

    capacity: int | None = None
    max_attempts: int = 3
    source: str | None = None
    node_workdir: str | None = None
    unplaceable_timeout: float = 60.0
    shared_dir: str | None = None


@dataclass(slots=True)
class _Job:
    """A job the Ray runner looks after across attempts: its current task, and why earlier ones
    were lost."""

    request: JobRequest
    emit: Emit
    placement: Placement
    workflow_text: str
    attempt: int = 1
    ref: Any = None
    launched_at: float = 0.0
    started: bool = False
    finished: bool = False
    cancelled: bool = False
    unplaceable_since: float | None = None
    history: list[str] = field(default_factory=list)


class RayRunner:
    """Jobs on the Ray cluster this process is connected to (see ``cluster.connect``)."""

    def __init__(self, factory: ExecutorFactory, options: RayOptions = RayOptions(),
                 policy: ResourcePolicy = default_policy) -> None:
        self._factory, self._options = factory, options
        self._placer = Placer(policy)
        self._capacity = options.capacity or default_capacity(cluster_cpus())
        if self._capacity < 1:
            raise ValueError("a runner needs a capacity of at least 1")
        self._hub = start_hub()
        self._task = ray.remote(run_attempt)
        self._jobs: dict[str, _Job] = {}
        self._by_ref: dict[Any, str] = {}
        self._run_ids: set[str] = set()
        self._lock = threading.Lock()
        self._closing = False
        self._nodes: tuple[float, list[dict[str, float]]] = (0.0, [])
        self.autoscaler = Autoscaler()
        self._monitor = threading.Thread(target=self._watch, name="qmoi-ray", daemon=True)
        self._monitor.start()

    @property
    def capacity(self) -> int:
        return self._capacity

    def attempts(self, key: str) -> list[str]:
        """Why earlier attempts of ``key`` were lost (empty while on its first)."""
        with self._lock:
            job = self._jobs.get(key)
            return list(job.history) if job is not None else []

    # ------------------------------------------------------------------ protocol

    def submit(self, request: JobRequest, emit: Emit) -> None:
        try:
            placement = self._placer.place(request)
            text = self._placer.workflow_text(request)
        except QmoiError as error:
            emit(JobFinished(request.key, "failure", {}, time.time(), str(error)))
            return
        job = _Job(request, emit, placement, text)
        if unplaceable_reason(placement, self._node_resources()) is not None:
            job.unplaceable_since = time.monotonic()
        with self._lock:
            self._jobs[request.key] = job
            self._run_ids.add(request.run_id)
            self._launch(job)

    def cancel(self, key: str) -> None:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.finished:
                return
            job.cancelled = True
            ref = job.ref
        begun = ray.get(self._hub.cancel.remote(key))
        if not begun:
            # Still waiting for a node: drop it from Ray's queue (a task that starts
            # meanwhile is told ``cancel`` by the hub and ends at once).
            ray.cancel(ref)

    def close(self) -> None:
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._monitor.join()
        self.autoscaler.clear()
        self._clean_nodes()
        ray.kill(self._hub)

    # ------------------------------------------------------------------ attempts

    def _launch(self, job: _Job) -> None:
        request = job.request
        spec = AttemptSpec(request.to_json(), job.attempt, job.workflow_text,
                           self._source(request), self._options.node_workdir,
                           self._options.shared_dir)
        options = job.placement.ray_options()
        # One task name for all jobs: Ray keys its scheduling classes on it, and a class per
        # job name (256 for a 256-leg matrix) slows its scheduler down.
        job.ref = self._task.options(max_retries=0, retry_exceptions=False, name="qmoi-job",
                                     **options).remote(spec, self._hub, self._factory)
        job.launched_at = time.monotonic()
        job.started = False
        self._by_ref[job.ref] = request.key

    def _source(self, request: JobRequest) -> str | None:
        """Where nodes fetch the commit: the configured URL, else the coordinator's
        repository (None when the job has no repository to check out)."""
        if self._options.source is not None:
            return self._options.source
        return request.root if (Path(request.root) / ".git").exists() else None

    def _watch(self) -> None:
        checked, failures = 0.0, 0
        while True:
            try:
                self._deliver(ray.get(self._hub.drain.remote(CHECK_EVERY)))
                now = time.monotonic()
                if now - checked >= CHECK_EVERY:
                    checked = now
                    self._check_tasks()
                    self._check_waiting(now)
                failures = 0
            except Exception as error:  # the cluster misbehaved: retry, then give up
                failures += 1
                if failures >= MAX_WATCH_FAILURES:
                    self._abandon(f"lost contact with the Ray cluster: {_describe(error)}")
                time.sleep(min(1.0, CHECK_EVERY * failures))
            with self._lock:
                if self._closing and not self._jobs:
                    return

    def _abandon(self, reason: str) -> None:
        """End every unfinished job as failed: the coordinator cannot follow them."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            self._finish(job, JobFinished(job.request.key, "failure", {}, time.time(), reason,
                                          job.attempt))

    def _deliver(self, items: list[tuple[str, int, dict[str, Any]]]) -> None:
        for key, attempt, data in items:
            with self._lock:
                job = self._jobs.get(key)
                if job is None or job.attempt != attempt or job.finished:
                    continue  # a lost attempt's late words
                event = event_from_json(data)
                if isinstance(event, JobStarted):
                    job.started = True
            if isinstance(event, JobFinished):
                self._finish(job, event)
            else:
                job.emit(event)

    def _finish(self, job: _Job, event: JobFinished) -> None:
        with self._lock:
            if job.finished:
                return
            job.finished = True
            self._jobs.pop(job.request.key, None)
            self._by_ref.pop(job.ref, None)
        self._hub.forget.remote(job.request.key)
        job.emit(event)

    def _check_tasks(self) -> None:
        with self._lock:
            refs = list(self._by_ref)
        if not refs:
            return
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        failed: list[tuple[Any, Exception]] = []
        for ref in ready:
            try:
                ray.get(ref)
            except Exception as error:
                failed.append((ref, error))
                continue
            with self._lock:  # ended normally: its JobFinished is in the hub already
                self._by_ref.pop(ref, None)
        if failed:
            self._deliver(ray.get(self._hub.drain.remote(0)))  # what it said before dying
            for ref, problem in failed:
                self._failed(ref, problem)

    def _failed(self, ref: Any, error: Exception) -> None:
        with self._lock:
            key = self._by_ref.pop(ref, None)
            job = self._jobs.get(key) if key is not None else None
        if job is None or job.finished or job.ref is not ref:
            return
        now = time.time()
        if job.cancelled or isinstance(error, rex.TaskCancelledError):
            self._finish(job, JobFinished(job.request.key, "cancelled", {}, now,
                                          attempt=job.attempt))
            return
        reason, key = _describe(error), job.request.key
        if not isinstance(error, _LOST):
            self._finish(job, JobFinished(key, "failure", {}, now, reason, job.attempt))
            return
        retry = job.attempt < self._options.max_attempts
        job.emit(JobAttemptLost(key, job.attempt, reason, retry, now))
        if not retry:
            message = f"attempt {job.attempt} of {job.attempt} was lost: {reason}"
            self._finish(job, JobFinished(key, "failure", {}, now, message, job.attempt))
            return
        self._retry(job, reason)

    def _retry(self, job: _Job, reason: str) -> None:
        key, attempt = job.request.key, job.attempt + 1
        # Fence before launching: from now on the hub refuses the lost attempt.
        ray.get(self._hub.fence.remote(key, attempt))
        with self._lock:
            job.history.append(reason)
            job.attempt = attempt
            self._launch(job)

    def _check_waiting(self, now: float) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        waiting = [job for job in jobs if not job.started and now - job.launched_at > 0.5]
        self.autoscaler.update([job.placement.bundle() for job in jobs] if waiting else [])
        for job in waiting:
            if job.unplaceable_since is None or job.cancelled:
                continue
            reason = unplaceable_reason(job.placement, self._node_resources())
            if reason is None:
                job.unplaceable_since = None
            elif now - job.unplaceable_since >= self._options.unplaceable_timeout:
                self._give_up(job, reason)

    def _give_up(self, job: _Job, reason: str) -> None:
        self._finish(job, JobFinished(job.request.key, "failure", {}, time.time(), reason))
        ray.cancel(job.ref)

    # ------------------------------------------------------------------ cluster

    def _node_resources(self) -> list[dict[str, float]]:
        """Total resources of the alive nodes (read at most once a second)."""
        at, nodes = self._nodes
        if time.monotonic() - at > 1.0:
            nodes = [dict(n["Resources"]) for n in ray_nodes() if n.get("Alive")]
            self._nodes = (time.monotonic(), nodes)
        return nodes

    def _clean_nodes(self) -> None:
        """Remove this run's folders from every alive node (best effort, bounded)."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        cleaner = ray.remote(num_cpus=0, max_retries=0)(clean_run)
        refs = []
        for node in ray_nodes():
            if not node.get("Alive"):
                continue
            strategy = NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
            for run_id in self._run_ids:
                refs.append(cleaner.options(scheduling_strategy=strategy).remote(
                    self._options.node_workdir, run_id))
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=10)


def _describe(error: Exception) -> str:
    if isinstance(error, rex.NodeDiedError | rex.LocalRayletDiedError):
        return "its runner node died"
    if isinstance(error, rex.OutOfMemoryError):
        return "its node ran out of memory"
    if isinstance(error, rex.WorkerCrashedError):
        return "its worker process died"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[-1] if text else ''}"


class OwnedRayRunner(RayRunner):
    """A ``RayRunner`` that connected to (or started) Ray itself and lets go of it on
    ``close``."""

    def close(self) -> None:
        from qmoi.runners.ray.cluster import disconnect

        try:
            super().close()
        finally:
            disconnect()


def open_runner(spec: str, factory: ExecutorFactory, capacity: int | None = None,
                policy: ResourcePolicy = default_policy) -> RayRunner:
    """The runner ``--runners SPEC`` names (``ray``, ``ray:auto``, ``ray:HOST:PORT``,
    ``ray://HOST:PORT``), connected."""
    from qmoi.runners.ray.cluster import connect, resolve_address

    connect(resolve_address(spec))
    return OwnedRayRunner(factory, RayOptions(capacity=capacity), policy)
