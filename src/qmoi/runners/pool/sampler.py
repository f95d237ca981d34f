"""Sampling the process trees of busy workers with psutil: the memory each job holds now
(its peak is learned), the CPU the pool uses (to tell other load apart), and the processes
a job started (killed when its worker dies, since they live in their own sessions)."""

from __future__ import annotations

import contextlib
import os
import signal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

Identity = tuple[int, float]  # pid and create time: a pid alone may be reused


@dataclass(frozen=True, slots=True)
class TreeSample:
    """A worker's descendants now: their summed ``rss`` and their identities; ``cpu`` is the
    CPU seconds of the worker and its descendants, the reaped ones included."""

    rss: int
    members: frozenset[Identity]
    cpu: float


def _children_map() -> dict[int, list[int]]:
    found = _proc_children_map()
    if found is not None:
        return found
    children: dict[int, list[int]] = defaultdict(list)
    for proc in psutil.process_iter(["ppid"]):
        ppid = proc.info.get("ppid")
        if ppid:
            children[int(ppid)].append(proc.pid)
    return children


def _proc_children_map() -> dict[int, list[int]] | None:
    """Linux: each process's parent from one read of ``/proc/<pid>/stat`` — four times
    cheaper than psutil's process objects, and the pool does this every tick while a
    burst of jobs runs (proc(5): the field after the parenthesised name is the state, then
    the parent's pid)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    children: dict[int, list[int]] = defaultdict(list)
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                data = handle.read()
            ppid = int(data[data.rindex(b")") + 2:].split(b" ", 2)[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not readable
        if ppid:
            children[ppid].append(int(name))
    return children


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    found, stack = [], list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def sample_trees(roots: Iterable[int]) -> dict[int, TreeSample]:
    """One pass over the process table for every root pid at once."""
    wanted = list(roots)
    if not wanted:
        return {}
    children = _children_map()
    samples: dict[int, TreeSample] = {}
    for root in wanted:
        rss, members, cpu = 0, set(), 0.0
        with contextlib.suppress(psutil.Error):
            cpu = _cpu(psutil.Process(root))
        for pid in _descendants(root, children):
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                with proc.oneshot():
                    rss += int(proc.memory_info().rss)
                    cpu += _cpu(proc)
                    members.add((pid, proc.create_time()))
        samples[root] = TreeSample(rss, frozenset(members), cpu)
    return samples


def kill_leftovers(members: Iterable[Identity]) -> int:
    """SIGKILL the processes of a lost job that still run (and only those: the create time
    must match); how many were killed."""
    killed = 0
    for pid, created in members:
        with contextlib.suppress(psutil.Error, OSError):
            if psutil.Process(pid).create_time() == created and pid != os.getpid():
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed
