"""Running one step's process on the host: output line by line, a timeout and cancellation
that stop the whole process group the way the runner does (SIGINT, then SIGTERM, then
SIGKILL; https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-cancellation),
with shorter grace periods than the runner's 7.5 s and 2.5 s by default.

Each step gets its own process group, left alive when the step ends (a step may start a
server for later steps, as on GitHub); :class:`ProcessGroups` kills them all at job end.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from qmoi.runners.base import CancelToken

Stop = Literal["timeout", "cancelled"]
_BREAK = re.compile(r"\r\n|\r|\n")
_QUIET = 0.05  # after the shell exits, read what its children still write for this long
_POLL = 0.01  # while output flows, ask whether the shell has exited this often


@dataclass(frozen=True, slots=True)
class Grace:
    """Seconds to wait after SIGINT before SIGTERM, and after SIGTERM before SIGKILL."""

    interrupt: float = 2.0
    terminate: float = 1.0


@dataclass(frozen=True, slots=True)
class Completed:
    """``stopped`` tells why the process was stopped (None: it exited by itself)."""

    exit_code: int
    stopped: Stop | None = None


@dataclass(slots=True)
class LineSplitter:
    """Bytes → lines as the runner reads process output (LF, CRLF or CR end a line)."""

    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    _pending: str = ""

    def feed(self, data: bytes) -> list[str]:
        text = self._pending + self._decoder.decode(data)
        # A final CR may be the first half of a CRLF: keep it until more arrives.
        held = text.endswith("\r")
        parts = _split(text[:-1] if held else text)
        self._pending = parts.pop() + ("\r" if held else "")
        return parts

    def close(self) -> list[str]:
        rest = (self._pending + self._decoder.decode(b"", final=True)).removesuffix("\r")
        self._pending = ""
        return _split(rest) if rest else []


def _split(text: str) -> list[str]:
    # str.split is 4x faster than the regular expression, and most output has no CR
    return _BREAK.split(text) if "\r" in text else text.split("\n")


class ProcessGroups:
    """Every process group started for a job, killed at the job's end (orphans included)."""

    def __init__(self) -> None:
        self._groups: list[int] = []
        self._drains: list[threading.Thread] = []
        self._lock = threading.Lock()

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.append(pgid)

    def drain(self, fd: int) -> None:
        """Keep reading a pipe a background child still holds, so it never blocks on it."""
        thread = threading.Thread(target=_discard, args=(fd,), daemon=True)
        with self._lock:
            self._drains.append(thread)
        thread.start()

    def kill_all(self) -> None:
        with self._lock:
            groups, self._groups = self._groups, []
            drains, self._drains = self._drains, []
        for pgid in groups:
            _signal_group(pgid, signal.SIGKILL)
        for thread in drains:
            thread.join(timeout=1.0)


def _discard(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _stop(proc: subprocess.Popen[bytes], grace: Grace) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to the step's whole process group."""
    for sig, wait in ((signal.SIGINT, grace.interrupt), (signal.SIGTERM, grace.terminate)):
        if not _signal_group(proc.pid, sig):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait)
            if not _group_alive(proc.pid):
                return
    _signal_group(proc.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def spawn(argv: Sequence[str], *, env: Mapping[str, str], cwd: str, stdin: int
          ) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``argv`` in a session of its own with stdout and stderr merged into one pipe
    (the order the log shows); the process and the pipe's read end."""
    # The pipe is made here and read with os.read: subprocess.PIPE would wrap its end in a
    # buffered file object (an fstat, an ioctl and an lseek) that nothing here reads.
    fd, write_end = os.pipe()
    try:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=write_end,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except BaseException:
        os.close(fd)
        raise
    finally:
        os.close(write_end)
    return proc, fd


def run_process(argv: Sequence[str], *, env: Mapping[str, str], cwd: str,
                on_lines: Callable[[list[str]], None], token: CancelToken,
                timeout: float | None = None, grace: Grace = Grace(),
                groups: ProcessGroups | None = None) -> Completed:
    """Run ``argv``, calling ``on_lines`` with the lines of each read of its output, in
    order (never with none); stop it on ``timeout`` seconds or when ``token`` is set. A
    read's lines go together: the caller pays its costs per read, not per line (a build
    may print 10^5 lines)."""
    proc, fd = start(argv, env=env, cwd=cwd)
    return follow(proc, fd, on_lines=on_lines, token=token, timeout=timeout, grace=grace,
                  groups=groups)


def start(argv: Sequence[str], *, env: Mapping[str, str], cwd: str
          ) -> tuple[subprocess.Popen[bytes], int]:
    """``spawn`` with stdin a pipe closed at once, as the runner starts every process
    (R:src/Runner.Sdk/ProcessInvoker.cs: RedirectStandardInput, then StandardInput.Close()
    so that nothing blocks waiting for input)."""
    stdin, closed = os.pipe()
    os.close(closed)
    try:
        return spawn(argv, env=env, cwd=cwd, stdin=stdin)
    finally:
        os.close(stdin)


def follow(proc: subprocess.Popen[bytes], fd: int, *,
           on_lines: Callable[[list[str]], None], token: CancelToken,
           timeout: float | None = None, grace: Grace = Grace(),
           groups: ProcessGroups | None = None) -> Completed:
    """Read a started process's output pipe ``fd`` to its end (see ``run_process``); the
    timeout counts from now."""
    if groups is not None:
        groups.add(proc.pid)
    splitter = LineSplitter()
    deadline = None if timeout is None else time.monotonic() + timeout
    stopped: Stop | None = None
    eof = False
    exited_at: float | None = None
    # Whether the process has exited matters only while its output goes on (a background
    # child holding the pipe): asked when the output pauses or every _POLL seconds, a
    # short step ends at the end of its output without a wait call before it.
    polled = time.monotonic()
    ready: list[int] = [fd]
    while not eof:
        if stopped is None:
            if token.cancelled:
                stopped = "cancelled"
            elif deadline is not None and time.monotonic() >= deadline:
                stopped = "timeout"
            if stopped is not None:
                threading.Thread(target=_stop, args=(proc, grace), daemon=True).start()
        if exited_at is None and (not ready or time.monotonic() - polled >= _POLL):
            polled = time.monotonic()
            if proc.poll() is not None:
                exited_at = polled
        if exited_at is not None and time.monotonic() - exited_at > _QUIET:
            break
        ready, _, _ = select.select([fd], [], [], _QUIET if exited_at else 0.1)
        if ready:
            chunk = os.read(fd, 65536)
            eof = not chunk
            lines = splitter.feed(chunk)
            if lines:
                on_lines(lines)
    rest = splitter.close()
    if rest:
        on_lines(rest)
    code = proc.wait()
    if not eof and groups is not None:
        groups.drain(fd)  # a background child still writes: read on, close at the end
    else:
        os.close(fd)
    return Completed(code, stopped)
