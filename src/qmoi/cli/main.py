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
            return code
    if args[:1] == ["run"]:
        # qmoi run starts without Typer (see qmoi.cli.run); None: Typer must read the args.
        from qmoi.cli.run import main as run_main

        code = run_main(args[1:])
        if code is not None:
            return code
    from qmoi.cli.app import run

    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
