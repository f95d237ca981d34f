"""Telling a live coordinator from a dead one.

On the same host a process id says it, once two traps are avoided: a killed process that its
parent has not reaped yet (a zombie) still has its id, and a new process may reuse the id.
On Linux ``/proc/<pid>/stat`` gives both the state and the start time (in clock ticks after
boot), so QMOI stores that start time beside the pid. From another host only the heartbeat
can tell, so a run there is presumed dead only after a long silence.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

HEARTBEAT_SECONDS = 5.0
# Another host's coordinator is presumed dead after this long without a heartbeat (many
# missed beats, so a paused laptop or a slow database is not mistaken for a crash).
FOREIGN_STALE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Coordinator:
    """A process coordinating a run; its start time tells it from a later process reusing the
    pid."""

    pid: int
    host: str
    start: str | None


def hostname() -> str:
    # On POSIX gethostname() is uname's nodename: reading it from os spares every run
    # the socket module's import (~3 ms of qmoi run's start-up).
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()


def this_process() -> Coordinator:
    pid = os.getpid()
    return Coordinator(pid, hostname(), process_start(pid))


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return text[text.rfind(")") + 2:].split()


def process_start(pid: int) -> str | None:
    """The process's start time as ``/proc`` gives it, or None where there is no /proc."""
    fields = _stat(pid)
    return fields[19] if fields is not None and len(fields) > 19 else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    fields = _stat(pid)
    return fields is None or fields[0] not in ("Z", "X")


def is_alive(coordinator: Coordinator, heartbeat_at: float, now: float | None = None) -> bool:
    """Whether the coordinator may still be running (when in doubt: yes)."""
    now = time.time() if now is None else now
    if coordinator.host != hostname():
        return now - heartbeat_at < FOREIGN_STALE_SECONDS
    if not pid_alive(coordinator.pid):
        return False
    started = process_start(coordinator.pid)
    return coordinator.start is None or started is None or started == coordinator.start
