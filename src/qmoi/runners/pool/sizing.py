"""How the supervisor sizes the pool: which queued jobs start now and on which worker, how
many workers to start for the rest, and which idle workers to stop. The supervisor owns the
queue and the workers; these functions act on what it passes in and start workers through
its ``start`` callback (which adds the new worker to ``workers``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from qmoi.runners.pool.admission import Held, Machine, fits, measure, shares_a_worker
from qmoi.runners.pool.config import PoolConfig
from qmoi.runners.pool.workers import DRAINING, IDLE, STARTING, Task, WorkerHandle

Workers = dict[str, WorkerHandle]
Start = Callable[[str], None]


def admit(queue: list[Task], workers: Workers, config: PoolConfig, external: float,
          start: Start) -> tuple[list[Task], bool]:
    """Start every queued job that fits now, oldest first (a job that does not fit lets
    later, smaller ones pass): a job that waits joins a worker that has room (the least
    busy one), any other takes an idle worker; start workers for admitted jobs that found
    none. Returns the jobs left queued and whether any job was handed to a worker."""
    held = Held()
    for worker in workers.values():
        for running in worker.tasks.values():
            held.add(running.demand, running.rss_now)
    machine: Machine | None = None
    wanted: Counter[str] = Counter()
    waiting: Counter[str] = Counter()  # admitted jobs that may share, without a worker
    most = config.jobs_per_worker
    left: list[Task] = []
    assigned = False
    for task in queue:
        machine = machine or measure(config.cores, external)
        now = machine if held.count else Machine(machine.cores, machine.available)
        if not fits(task.demand, held, now, config):
            left.append(task)
            continue
        held.add(task.demand)
        task.shares = shares_a_worker(task.demand)
        host = _room_for(workers, task, most)
        if host is None:
            left.append(task)
            if task.shares:
                waiting[task.pool] += 1
            else:
                wanted[task.pool] += 1
            continue
        assigned = True
        if not host.assign(task):
            left.append(task)  # the worker died meanwhile: its sentinel says so
    for pool, count in waiting.items():
        wanted[pool] += -(-count // most)
    _grow(workers, wanted, config.max, start)
    return left, assigned


def _room_for(workers: Workers, task: Task, most: int) -> WorkerHandle | None:
    best: WorkerHandle | None = None
    for worker in workers.values():
        if worker.pool == task.pool and worker.room(task.shares, most) \
                and (best is None or len(worker.tasks) < len(best.tasks)):
            best = worker
            if not worker.tasks:
                break
    return best


def _grow(workers: Workers, wanted: Counter[str], limit: int, start: Start) -> None:
    starting = Counter(w.pool for w in workers.values() if w.state == STARTING)
    for pool, count in wanted.items():
        for _ in range(count - starting[pool]):
            if len(workers) >= limit:
                _make_room(workers, pool)
                return
            start(pool)


def _make_room(workers: Workers, pool: str) -> None:
    """At the maximum, stop an idle worker of another pool. The pool never holds more than
    its maximum of worker processes, so the room comes when that worker has exited and is
    reaped: the next admission round starts this pool's worker."""
    for worker in workers.values():
        if worker.state == IDLE and worker.pool != pool:
            worker.send({"op": "stop"})
            worker.state = DRAINING
            return


def scale_down(workers: Workers, config: PoolConfig, now: float) -> bool:
    """Stop the workers idle for ``idle_timeout``, longest idle first, down to the minimum;
    whether any was stopped."""
    idle = [w for w in workers.values() if w.state == IDLE]
    spare = len(workers) - config.min
    stopped = False
    for worker in sorted(idle, key=lambda w: w.idle_since):
        if spare <= 0:
            break
        if now - worker.idle_since >= config.idle_timeout:
            worker.send({"op": "stop"})
            worker.state, stopped = DRAINING, True
            spare -= 1
    return stopped
