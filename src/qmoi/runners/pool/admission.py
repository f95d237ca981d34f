"""Whether a job may start now: its request against what is free on the machine.

Memory is checked against the memory available *now* (psutil), minus what running jobs
reserved but have not touched yet, and never below the configured headroom; all
reservations together stay within the pool's memory budget. CPU is reserved by request:
a job that mostly sleeps or waits on I/O has learned a request of a fraction of a core, so
several run per core. A CPU-bound job (a request of a quarter core or more) also waits
while the machine is busy with work that is not the pool's (measured load in whole cores,
counted up to half the cores), so other users of the machine are not starved.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from qmoi.runners.pool.config import MIB, PoolConfig, Request

CPU_LIGHT = 0.25  # cores: below this a job is counted as waiting, not computing
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Machine:
    """This machine now: ``available`` memory in bytes, ``external`` cores busy with work
    that is not the pool's."""

    cores: int
    available: int
    external: float = 0.0


@dataclass(frozen=True, slots=True)
class Reservation:
    """A running job's request and the memory its process tree holds right now."""

    request: Request
    rss: int = 0


def too_big(request: Request, config: PoolConfig) -> str | None:
    """Why ``request`` can never run on this pool, or None."""
    most = config.memory - config.headroom
    if request.memory > most:
        return (f"the job needs {request.memory / MIB:.0f} MiB of memory but this pool can "
                f"give at most {most / MIB:.0f} MiB (runners.memory minus "
                "runners.memory-headroom); lower its qcity.jobs memory or raise the limits")
    if request.cpu > config.cores * config.cpu_overcommit + _EPSILON:
        return (f"the job needs {request.cpu:g} CPUs but this machine has {config.cores}; "
                "lower its qcity.jobs cpu")
    return None


def shares_a_worker(request: Request) -> bool:
    """Whether a job with ``request`` may run beside others in one worker process: a job
    known to wait (learned or configured below ``CPU_LIGHT``). A job never seen before has a
    worker of its own, so what it uses is measured alone, and so has a CPU-bound one."""
    return request.source != "default" and request.cpu < CPU_LIGHT


@dataclass(slots=True)
class Held:
    """What running jobs hold, summed once per admission round: memory reserved, memory
    reserved but not touched yet, and cores."""

    memory: int = 0
    untouched: int = 0
    cpu: float = 0.0
    count: int = 0

    def add(self, request: Request, rss: int = 0) -> None:
        self.memory += request.memory
        self.untouched += max(0, request.memory - rss)
        self.cpu += request.cpu
        self.count += 1


def holding(running: Iterable[Reservation]) -> Held:
    held = Held()
    for reservation in running:
        held.add(reservation.request, reservation.rss)
    return held


def fits(request: Request, running: Iterable[Reservation] | Held, machine: Machine,
         config: PoolConfig) -> bool:
    """Whether ``request`` may start beside ``running`` on ``machine`` now."""
    held = running if isinstance(running, Held) else holding(running)
    if held.memory + request.memory > config.memory:
        return False
    if machine.available - held.untouched - request.memory < config.headroom:
        return False
    cpu = held.cpu + request.cpu
    limit = machine.cores * config.cpu_overcommit + _EPSILON
    if cpu > limit:
        return False
    # Other load delays CPU-bound jobs, but never takes more than half the machine from
    # the pool: the kernel shares the cores anyway, and waiting longer would only idle.
    # It counts in whole cores (a busy process holds one): the measure carries a few
    # hundredths of noise (kernel threads, interrupts, processes gone between two
    # rounds), which alone kept a second job learned at 0.98 core off a 2-core machine.
    other = min(float(round(machine.external)), machine.cores / 2)
    return request.cpu < CPU_LIGHT or cpu + other <= limit


class LoadMeter:
    """Measures the machine's busy cores between calls and, from the CPU time the pool's
    own process trees used meanwhile, the part that is someone else's."""

    def __init__(self, cores: int) -> None:
        self.cores = cores
        self._last_busy = _busy_seconds()
        self._last_at = time.monotonic()
        self.external = 0.0

    def update(self, own_cpu_seconds: float) -> float:
        """Call once per sampling round with the CPU seconds the pool used since the last
        call; the smoothed external load in cores."""
        busy, now = _busy_seconds(), time.monotonic()
        elapsed = now - self._last_at
        if elapsed < 0.05:
            return self.external
        used = (busy - self._last_busy) / elapsed
        own = own_cpu_seconds / elapsed
        external = min(float(self.cores), max(0.0, used - own))
        self.external = 0.5 * self.external + 0.5 * external
        self._last_busy, self._last_at = busy, now
        return self.external


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.system + getattr(times, "nice", 0.0)
                 + getattr(times, "irq", 0.0) + getattr(times, "softirq", 0.0))


def measure(cores: int, external: float) -> Machine:
    return Machine(cores, int(psutil.virtual_memory().available), external)
