"""Entry point. ``--version`` answers before anything heavy is imported, and ``run`` and
``lint`` start without Typer."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from qmoi import __version__

        sys.stdout.write(f"qmoi {__version__}\n")
        return 0
    if args[:1] == ["lint"]:
        # qmoi lint starts without Typer too (see qmoi.cli.lint).
        from qmoi.cli.lint import main as lint_main

        code = lint_main(args[1:])
        if code is not None:
            if argv is None:  # a cold lint leaves ~100 k objects for the tear-down to free
                exit_now(code)
            return code
    if args[:1] == ["run"]:
        # qmoi run starts without Typer (see qmoi.cli.run); None: Typer must read the args.
        from qmoi.cli.run import main as run_main

        code = run_main(args[1:])
        if code is not None:
            if argv is None:  # the process's own entry point, not a caller in-process
                exit_now(code)
            return code
    from qmoi.cli.app import run

    return run(args)


def exit_now(code: int) -> None:
    """End the process with ``code`` as the interpreter's exit would, without its
    tear-down; return (the caller exits as usual) when that cannot be done here.

    A normal exit then tears the interpreter down: clears ~240 modules and frees every
    object (after a run, ~10-20 ms that change nothing). What the exit does that matters
    is done here first, in its order: wait for the non-daemon threads (with threading's
    own exit hooks: concurrent.futures joins its workers there), run the ``atexit``
    callbacks (logging's flush, multiprocessing's clean-up, ``weakref.finalize``), flush
    the standard streams. Objects still alive at exit are not promised their ``__del__``
    (https://docs.python.org/3/reference/datamodel.html#object.__del__); a run closes
    its files and its journal before ``run`` returns."""
    import atexit
    import os
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    threading._shutdown()  # type: ignore[attr-defined]  # what Py_FinalizeEx calls first
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe: the interpreter's exit reports it as it always does
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
