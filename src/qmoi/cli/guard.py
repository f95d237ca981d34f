"""How every command's errors reach a user: a message and an exit code, never a
traceback (2 for a usage or input error, 130 for Ctrl-C, 141 when the reader of the output
went away, as a shell reports a process that SIGPIPE ended, 3 for a crash, whose traceback
goes to a log file). Light on purpose: the fast paths of ``run`` and ``lint`` use it
without loading Typer."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from qmoi.errors import QmoiError


def guarded(command: Callable[[], int]) -> int:
    try:
        return command()
    except QmoiError as error:
        sys.stderr.write(f"qmoi: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("qmoi: interrupted\n")
        return 130
    except BrokenPipeError:
        # `qmoi lint | head -1`: nobody reads on; no message could reach anyone either.
        silence(sys.stdout)
        return 141
    except Exception as error:  # last line of defence: no traceback reaches a user
        return crash(error)


def crash(error: BaseException) -> int:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="qmoi-crash-", suffix=".log",
                                     delete=False) as log:
        traceback.print_exception(error, file=log)
    sys.stderr.write(f"qmoi: internal error: {error!r} (details in {log.name})\n")
    return 3


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at the null device once its reader is gone, so what
    is still buffered and every later write (the interpreter's own flush at exit
    included) goes nowhere instead of failing again
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
    except (OSError, ValueError):
        pass  # no descriptor (a StringIO) or already closed: nothing will be written
