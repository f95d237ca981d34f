"""A ``run`` step's bash started while the step before it runs, held at a gate until its
turn: starting bash (exec, the dynamic loader, the locale files, its variables) is most
of what a one-line step costs, and it can overlap the step before.

The gate is bash's own start-up file. A non-interactive bash sources ``$BASH_ENV`` before
it opens its script (https://www.gnu.org/software/bash/manual/bash.html#Bash-Startup-Files),
and it reads a start-up file that is not a regular file to its end before running any of
it (``builtins/evalfile.c``). So a warm shell starts with ``BASH_ENV=/dev/stdin`` and its
stdin a pipe: it blocks reading the pipe. When its turn comes, the script is written, one
line goes down the pipe (it unsets ``BASH_ENV``, restarts ``SECONDS`` and puts back ``$_``)
and the pipe is closed: the script then finds stdin an empty pipe at its end, which is
what the runner gives every process (R:src/Runner.Sdk/ProcessInvoker.cs closes stdin at
once).

A warm shell is used only when it is exactly what a cold start would be: the same argv,
environment and working directory (the very folder: one deleted and made again is another
folder), and still waiting. The step before may change any of them (``GITHUB_ENV``,
``GITHUB_PATH``, a step's ``env`` reading ``steps``…): then the warm shell is killed and
the step starts cold. Only bash with the runner's two templates qualifies, and not with
variables that change how bash starts (``BASH_ENV`` itself, ``SHELLOPTS``, ``BASHOPTS``,
``POSIXLY_CORRECT`` — POSIX mode reads no ``BASH_ENV`` — or ``SECONDS``), nor for a user
whose real and effective ids differ (bash then reads no start-up files).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from qmoi.execute.process import spawn

# The argument templates of the default shell (``sh`` run by bash) and of ``shell: bash``
# (qmoi.execute.shells): nothing in them changes how bash reads its start-up files.
_GATED = frozenset({"-e {0}", "--noprofile --norc -e -o pipefail {0}"})
_UNSAFE = ("BASH_ENV", "SHELLOPTS", "BASHOPTS", "POSIXLY_CORRECT", "SECONDS")


@functools.cache
def _supported() -> bool:
    """A system with ``/dev/stdin`` and ``/proc`` (the folder check), and ids bash trusts."""
    return (os.path.exists("/dev/stdin") and os.path.exists("/proc/self/cwd")
            and os.getuid() == os.geteuid() and os.getgid() == os.getegid())


def can_warm(executable: str, arg_format: str, env: Mapping[str, str]) -> bool:
    """Whether a step run as ``executable`` with ``arg_format`` may start warm."""
    return (os.path.basename(executable) == "bash" and arg_format in _GATED
            and not any(name in env for name in _UNSAFE) and _supported())


@dataclass(slots=True)
class WarmShell:
    """A shell waiting at its gate for the step ``owner`` (the step's kind object), to
    run ``script`` with exactly ``argv``, ``env`` and ``cwd``."""

    owner: object
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: str
    script: str
    proc: subprocess.Popen[bytes]
    output: int  # the read end of its stdout and stderr
    gate: int  # the write end of its stdin
    folder: tuple[int, int]  # device and inode of ``cwd`` when it started

    def fits(self, argv: tuple[str, ...], env: Mapping[str, str], cwd: str) -> bool:
        """Whether a cold start of this step would be this very process."""
        if argv != self.argv or cwd != self.cwd or env != self.env:
            return False
        try:
            # The shell's working folder is held open, so its inode cannot be reused while
            # it lives: the same identity at the path means the same folder. A shell that
            # died while it waited (a step's `pkill bash`…) has no folder: no fit either.
            return _identity(os.stat(cwd)) == self.folder == _identity(
                os.stat(f"/proc/{self.proc.pid}/cwd"))
        except OSError:
            return False

    def open(self) -> None:
        """Let the shell run its script (written by now)."""
        underscore = self.env.get("_", self.argv[0])  # bash's $_ at start (variables.c)
        line = f"unset -v BASH_ENV; SECONDS=0; : {_quote(underscore)}\n"
        try:
            os.write(self.gate, line.encode("utf-8"))
        finally:
            os.close(self.gate)

    def discard(self) -> None:
        """Kill the shell (it never ran a line of the step) and close its pipes."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for fd in (self.gate, self.output):
            with contextlib.suppress(OSError):
                os.close(fd)


def start_warm(owner: object, argv: tuple[str, ...], env: Mapping[str, str], cwd: str,
               script: str) -> WarmShell | None:
    """Start the shell for ``owner``'s step; None if it cannot start (the step will then
    start cold and report why)."""
    stdin, gate = os.pipe()
    try:
        folder = _identity(os.stat(cwd))
        proc, output = spawn(argv, env={**env, "BASH_ENV": "/dev/stdin"}, cwd=cwd,
                             stdin=stdin)
    except OSError:
        os.close(gate)
        return None
    finally:
        os.close(stdin)
    return WarmShell(owner, argv, env, cwd, script, proc, output, gate, folder)


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def _quote(text: str) -> str:
    """``text`` as one bash word."""
    return "'" + text.replace("'", "'\\''") + "'"
