"""Sampling the workers' process trees: the memory their jobs hold now (the peak is
learned), the CPU the pool uses (to tell other load apart), and the processes a job started
(killed when its worker dies, since they live in their own sessions). On Linux one read of
``/proc/<pid>/stat`` per process per round — a burst of jobs means hundreds of processes
every tick — and psutil elsewhere."""

from __future__ import annotations

import contextlib
import os
import signal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

Identity = tuple[int, float]  # pid and start stamp: a pid alone may be reused


@dataclass(frozen=True, slots=True)
class TreeSample:
    """A worker's descendants now: their summed ``rss`` and their identities; ``cpu`` is the
    CPU seconds of the worker and its descendants, the reaped ones included."""

    rss: int
    members: frozenset[Identity]
    cpu: float
    runnable: int = 0  # descendants running or waiting for a CPU now (state R)


@dataclass(frozen=True, slots=True)
class _Stat:
    """One process from ``/proc/<pid>/stat``: its parent, resident memory in bytes, CPU
    seconds of its own and of its reaped children, and its start (clock ticks since
    boot)."""

    ppid: int
    rss: int
    cpu: float
    started: float
    runnable: bool


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _read_stat(pid: int | str) -> _Stat | None:
    """proc(5): after the parenthesised name come the state, the parent (field 4), the
    CPU times in clock ticks (14-17: user, system, children's user and system), the start
    time (22) and the resident pages (24); the state (3) is R when it runs or waits for a
    CPU. One read, where psutil makes three."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
        fields = data[data.rindex(b")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        return _Stat(int(fields[1]), int(fields[21]) * _PAGE, ticks / _TICKS,
                     float(fields[19]), fields[0] == b"R")
    except (OSError, ValueError, IndexError):
        return None  # gone meanwhile, or not readable


def _proc_table() -> dict[int, _Stat] | None:
    """Every process now (Linux), or None where there is no ``/proc``."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    table = {}
    for name in names:
        if name.isdigit():
            found = _read_stat(name)
            if found is not None:
                table[int(name)] = found
    return table


def _proc_children_map() -> dict[int, list[int]] | None:
    table = _proc_table()
    return None if table is None else _children_of(table)


def _children_of(table: dict[int, _Stat]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, stat in table.items():
        if stat.ppid:
            children[stat.ppid].append(pid)
    return children


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    found, stack = [], list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def sample_trees(roots: Iterable[int]) -> dict[int, TreeSample]:
    """One pass over the process table for every root pid at once."""
    wanted = list(roots)
    if not wanted:
        return {}
    table = _proc_table()
    if table is None:
        return _psutil_samples(wanted)
    children = _children_of(table)
    samples: dict[int, TreeSample] = {}
    for root in wanted:
        own = table.get(root)
        rss, members, cpu = 0, set(), own.cpu if own is not None else 0.0
        runnable = 0
        for pid in _descendants(root, children):
            stat = table[pid]
            rss += stat.rss
            cpu += stat.cpu
            runnable += stat.runnable
            members.add((pid, stat.started))
        samples[root] = TreeSample(rss, frozenset(members), cpu, runnable)
    return samples


def _psutil_samples(roots: list[int]) -> dict[int, TreeSample]:
    """Where there is no ``/proc``: the same through psutil's process objects."""
    samples: dict[int, TreeSample] = {}
    for root in roots:
        rss, members, cpu = 0, set(), 0.0
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(root)
            cpu = _cpu(process)
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.Error), child.oneshot():
                    rss += int(child.memory_info().rss)
                    cpu += _cpu(child)
                    members.add((child.pid, child.create_time()))
        samples[root] = TreeSample(rss, frozenset(members), cpu)
    return samples


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def _started(pid: int) -> float | None:
    """The start stamp ``sample_trees`` records for ``pid`` (None when it is gone)."""
    if os.path.isdir("/proc"):
        stat = _read_stat(pid)
        return None if stat is None else stat.started
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def kill_leftovers(members: Iterable[Identity]) -> int:
    """SIGKILL the processes of a lost job that still run (and only those: the start stamp
    must match); how many were killed."""
    killed = 0
    for pid, started in members:
        if pid != os.getpid() and _started(pid) == started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed
