"""How every command's errors reach a user: a message and an exit code, never a
traceback (2 for a usage or input error, 130 for Ctrl-C, 3 for a crash, whose traceback
goes to a log file). Light on purpose: the fast paths of ``run`` and ``lint`` use it
without loading Typer."""

from __future__ import annotations

import sys
from collections.abc import Callable

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
