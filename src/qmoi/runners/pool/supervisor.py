"""The supervisor: one thread that owns the queue and the workers. It admits jobs when the
machine has room (a job that waits joins a worker with room, any other takes a worker of
its own), grows and shrinks the pool, forwards each worker's events, replaces a worker
that died or stopped answering and runs each of its jobs again as a new attempt."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from qmoi.events import (
    Event,
    JobAttemptLost,
    JobDiverged,
    JobFinished,
    JobStarted,
    event_from_json,
)
from qmoi.runners.pool import sizing
from qmoi.runners.pool.admission import LoadMeter
from qmoi.runners.pool.board import RunnerBoard, WorkerInfo
from qmoi.runners.pool.config import PoolConfig
from qmoi.runners.pool.intake import keep_shadow_log
from qmoi.runners.pool.profiles import Profiles, Usage, job_key, leg_key
from qmoi.runners.pool.sampler import kill_leftovers, sample_trees
from qmoi.runners.pool.worker import ExecutorFactory
from qmoi.runners.pool.workers import (
    DRAINING,
    IDLE,
    STARTING,
    Task,
    WorkerHandle,
    runner_id,
    runners_of,
    start_worker,
)

_PUBLISH_EVERY = 0.1
_COST_SHARE = 10
# Sampling rounds a job must run through before the share of them in which its processes
# wanted a CPU is trusted (one round may catch a shell of a sleeping job starting).
BUSY_SAMPLES = 5


class Supervisor:
    def __init__(self, config: PoolConfig, factory: ExecutorFactory, profiles: Profiles,
                 board: RunnerBoard | None) -> None:
        self.config, self.factory, self.profiles, self.board = config, factory, profiles, board
        self.queue: list[Task] = []
        self.tasks: dict[str, Task] = {}  # unfinished, by key (a redundant twin by its own)
        self.workers: dict[str, WorkerHandle] = {}
        self.closing = False
        self.meter = LoadMeter(config.cores)
        self._serial = 0
        self._hung: set[str] = set()
        self._sampled = self._published = 0.0
        # Seconds the last sampling round and the last publishing took: under a burst of
        # hundreds of processes each is spaced so that it takes at most 1/_COST_SHARE of
        # the supervisor's time.
        self._sample_cost = self._publish_cost = 0.0
        # The CPU seconds of this process and everything under it (fork server, workers,
        # their jobs, git), reaped processes included, at the last sampling round
        self._own_cpu = _tree_cpu()
        self._dirty = True

    # ------------------------------------------------------------------ the loop

    def step(self, wake: int, intake: Callable[[], None]) -> None:
        """Wait for a message, a worker's death, new work (``wake``; ``intake`` takes it)
        or the next tick, and act on it."""
        watched: list[Any] = [wake]
        for worker in self.workers.values():
            watched += [worker.channel.conn, worker.process.sentinel]
        ready = set(wait(watched, timeout=self.config.tick))
        if wake in ready:
            drain_wake(wake)
        intake()
        for worker in list(self.workers.values()):
            if worker.channel.conn in ready:
                self._read(worker)
        for worker in list(self.workers.values()):
            if worker.process.sentinel in ready or not worker.process.is_alive():
                self._lost(worker)
        now = time.monotonic()
        if now - self._sampled >= max(self.config.tick, self._sample_cost * _COST_SHARE):
            self._sampled = now
            self._sample()
            self._sample_cost = time.monotonic() - now
            self._check_heartbeats(now)
            self._scale_down(now)
            if not self.closing:
                self.start_minimum()  # replaces a worker that died while idle
        self.admit()
        self._publish(now)

    @property
    def idle(self) -> bool:
        return not self.tasks and not self.queue

    def start_minimum(self) -> None:
        for _ in range(max(0, self.config.min - len(self.workers))):
            self._start(self.config.pools[0])

    def shutdown(self) -> None:
        for worker in self.workers.values():
            worker.send({"op": "stop"})
            worker.state = DRAINING
        self._publish(time.monotonic(), force=True)
        for worker in list(self.workers.values()):
            # A job's "done" (its measured usage) may trail its JobFinished event: read
            # what the worker sent before it exited, so its profile is still learned.
            worker.process.join(5.0)
            self._read(worker)
            worker.reap()
        self.workers.clear()
        self.profiles.save()
        if self.board is not None:
            self.board.clear()

    # ------------------------------------------------------------------ intake

    def accept(self, tasks: list[Task]) -> None:
        for task in tasks:
            self.tasks[task.key] = task
            self.queue.append(task)

    def cancel(self, key: str) -> None:
        task = self.tasks.get(key)
        if task is None or task.shadow:
            return
        for one in (task, task.twin):
            if one is None or one.finished:
                continue
            one.cancelled = True
            if one in self.queue:
                self.queue.remove(one)
                self._finish(one, JobFinished(one.key, "cancelled", {}, time.time(),
                                              attempt=one.attempt))
            else:
                worker = self._worker_of(one)
                if worker is not None:
                    worker.send({"op": "cancel", "key": one.key})

    def _worker_of(self, task: Task) -> WorkerHandle | None:
        return next((w for w in self.workers.values() if w.holds(task)), None)

    # ------------------------------------------------------------------ messages

    def _read(self, worker: WorkerHandle) -> None:
        try:
            while worker.channel.conn.poll():
                self._handle(worker, worker.channel.receive())
        except (EOFError, OSError, ValueError):
            pass  # the process sentinel reports the death
        worker.last_seen = time.monotonic()

    def _handle(self, worker: WorkerHandle, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "ready":
            worker.pid = int(message["pid"])
            if worker.state == STARTING:
                worker.state, worker.idle_since = IDLE, time.monotonic()
                self._dirty = True
        elif op == "events":
            for key, data in message["items"]:
                task = worker.tasks.get(str(key))
                if task is not None:
                    self._forward(worker, task, event_from_json(data))
        elif op == "done":
            self._done(worker, message)

    def _forward(self, worker: WorkerHandle, task: Task, event: Event) -> None:
        if task.finished:
            return
        if isinstance(event, JobStarted):
            event = dataclasses.replace(event, attempt=task.attempt,
                                        runner=runner_id(worker, task))
        if isinstance(event, JobFinished):
            self._finish(task, dataclasses.replace(event, attempt=task.attempt))
        elif task.shadow:
            task.lost.append(json.dumps(event.to_json(), ensure_ascii=False))
        else:
            task.emit(event)

    def _done(self, worker: WorkerHandle, message: dict[str, Any]) -> None:
        task = worker.release(str(message.get("key")))
        self._dirty = True
        if task is None:
            return
        wall = time.monotonic() - task.started
        peak = max(task.peak_rss, int(message.get("maxrss", 0)))
        if not task.cancelled:
            request = task.request
            busy = task.busy / task.samples if task.samples >= BUSY_SAMPLES else 0.0
            self.profiles.learn(request.workflow_display, request.job_id, request.matrix,
                                Usage(peak, float(message.get("cpu", 0.0)), wall,
                                      self._share(), busy))
            self._relearn(task)
        if not task.finished:
            self._finish(task, JobFinished(task.key, "failure", {}, time.time(),
                                           "the job ended without a result", task.attempt))

    def _share(self) -> float:
        """The share of a core a CPU-bound process gets now (1-minute load average)."""
        return min(1.0, self.config.cores / max(1.0, os.getloadavg()[0]))

    def _relearn(self, done: Task) -> None:
        """Queued legs of the job that just ended take its learned request at once (a
        matrix's later legs need not wait for the next run to be packed well)."""
        first = done.request
        same = (first.workflow_display, first.job_id)
        known = self.profiles.known
        whole = known.get(job_key(*same))
        for task in self.queue:
            request = task.request
            if task.demand.source == "config" \
                    or (request.workflow_display, request.job_id) != same:
                continue
            if not task.leg:  # kept: a matrix is turned into its key once, not per leg ended
                task.leg = leg_key(request.workflow_display, request.job_id, request.matrix)
            learned = known.get(task.leg) or whole
            if learned is not None:
                task.demand = learned.request(self.config.cores)

    def _finish(self, task: Task, event: JobFinished) -> None:
        """End ``task``; a redundant job's result is reported once both runs ended, after a
        ``JobDiverged`` when they disagree."""
        task.finished, task.outcome = True, event
        self.tasks.pop(task.key, None)
        twin = task.twin
        if twin is None:
            task.emit(event)
            return
        if not twin.finished:
            return
        primary, shadow = (twin, task) if task.shadow else (task, twin)
        keep_shadow_log(shadow)
        first, second = primary.outcome, shadow.outcome
        if (first.result, first.outputs) != (second.result, second.outputs) \
                and not primary.cancelled:
            primary.emit(JobDiverged(primary.key, (first.result, second.result),
                                     (dict(first.outputs), dict(second.outputs)), time.time()))
        primary.emit(first)

    # ------------------------------------------------------------------ losses

    def _lost(self, worker: WorkerHandle) -> None:
        self.workers.pop(worker.id, None)
        self._dirty = True
        worker.reap(timeout=1.0)
        kill_leftovers(worker.members)
        reason = worker.describe_exit()
        if worker.id in self._hung:
            self._hung.discard(worker.id)
            reason = (f"the worker process {worker.pid} stopped answering (no heartbeat for "
                      f"{self.config.heartbeat_timeout:g}s) and was killed")
        for task in sorted(worker.tasks.values(), key=lambda t: t.submitted, reverse=True):
            if not task.finished:
                self._requeue(task, reason)

    def _requeue(self, task: Task, reason: str) -> None:
        """Run a lost job again as a new attempt, first in the queue, or give it up."""
        retry = not task.cancelled and not self.closing and task.attempt <= self.config.retries
        lost = JobAttemptLost(task.key, task.attempt, reason, retry, time.time())
        if task.shadow:
            task.lost.append(json.dumps(lost.to_json()))
        else:
            task.emit(lost)
        if retry:
            task.attempt += 1
            self.queue.insert(0, task)
            return
        result = "cancelled" if task.cancelled else "failure"
        self._finish(task, JobFinished(task.key, result, {}, time.time(),
                                       f"{reason}; the job was given up after attempt "
                                       f"{task.attempt}", task.attempt))

    def _check_heartbeats(self, now: float) -> None:
        for worker in self.workers.values():
            if now - worker.last_seen > self.config.heartbeat_timeout \
                    and worker.id not in self._hung:
                self._hung.add(worker.id)
                worker.kill()

    def _sample(self) -> None:
        """Each worker's process tree: the memory its jobs hold (shared out evenly when
        several wait in one worker) and the processes they started; and the CPU the pool
        used — all of it: this process, the fork server, every worker from its start and
        what they ran, so that the pool's own work never passes for other load that holds
        CPU-bound jobs back (a new worker's start-up, ~0.1 s of imports, and the fork
        server's did, and kept two CPU-bound jobs from running side by side)."""
        alive = {w.pid: w for w in self.workers.values() if w.pid}
        me = os.getpid()
        samples = sample_trees([*alive, me])
        mine = samples.pop(me, None)
        cpu_now = mine.cpu if mine is not None else self._own_cpu
        own, self._own_cpu = max(0.0, cpu_now - self._own_cpu), cpu_now
        for pid, sample in samples.items():
            worker = alive[pid]
            if worker.tasks:
                count = len(worker.tasks)
                share, wanting = sample.rss // count, min(1.0, sample.runnable / count)
                for task in worker.tasks.values():
                    task.rss_now, task.peak_rss = share, max(task.peak_rss, share)
                    task.samples += 1
                    task.busy += wanting
                worker.members |= sample.members
        self.meter.update(own)

    # ------------------------------------------------------------------ sizing

    def _start(self, pool: str) -> None:
        self._serial += 1
        worker_id = f"w{self._serial}"
        self.workers[worker_id] = start_worker(worker_id, pool, self.factory,
                                               self.config.heartbeat_interval)
        self._dirty = True

    def _scale_down(self, now: float) -> None:
        if sizing.scale_down(self.workers, self.config, now):
            self._dirty = True

    def admit(self) -> None:
        """Start every queued job that fits now; see ``sizing.admit``."""
        if not self.queue:
            return
        self.queue, assigned = sizing.admit(self.queue, self.workers, self.config,
                                            self.meter.external, self._start)
        if assigned:
            self._dirty = True

    # ------------------------------------------------------------------ publishing

    def snapshot(self) -> list[WorkerInfo]:
        return runners_of(self.workers.values())

    def _publish(self, now: float, force: bool = False) -> None:
        if self.board is None or not (self._dirty or force):
            return
        if not force and now - self._published < max(_PUBLISH_EVERY,
                                                      self._publish_cost * _COST_SHARE):
            return
        self._published, self._dirty = now, False
        began = time.monotonic()
        # The published list is a view; the run goes on without it.
        with contextlib.suppress(OSError):
            self.board.publish(self.snapshot())
        self._publish_cost = time.monotonic() - began


def drain_wake(fd: int) -> None:
    with contextlib.suppress(BlockingIOError):
        os.read(fd, 4096)


def _tree_cpu() -> float:
    """CPU seconds of this process and all its descendants, the reaped ones included."""
    sample = sample_trees([os.getpid()]).get(os.getpid())
    return sample.cpu if sample is not None else time.process_time()
