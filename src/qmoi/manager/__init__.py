"""The manager: detect → validate → fix → run → read the logs → repair → re-run → learn.

``manage(options)`` is the core (``qmoi manager`` and ``scripts/qmoi_workflow_manager.py``
both call it); ``main(argv)`` parses the script's arguments first. ``Manager.run_pass`` is one
pass; ``watch`` keeps passing as files, HEAD and the clock move.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from qmoi.manager.options import FixMode, ManagerOptions, parse_args

__all__ = ["FixMode", "ManagerOptions", "main", "manage"]


def manage(options: ManagerOptions, out: TextIO | None = None) -> int:
    """Run the manager: one pass (``options.once``: exit 0 when every workflow ended green,
    1 when not) or for as long as it is left running."""
    from qmoi.manager.loop import Manager
    from qmoi.manager.view import PlainView, RichView

    stream = out or sys.stdout
    live = options.live if options.live is not None else stream.isatty()
    view = RichView(stream) if live else PlainView(stream)
    try:
        manager = Manager(options, view)
        try:
            if not options.once:
                from qmoi.manager.watch import watch

                view.note(f"watching {manager.root} (Ctrl-C to stop)")
                return watch(manager)
            result = manager.run_pass()
        finally:
            manager.close()
    finally:
        view.close()
    stream.write(_report(result.workflows, view.summary(), manager.stats_path) + "\n")
    return 0 if result.green else 1


def _report(workflows: Sequence[object], summary: str, stats: object) -> str:
    from qmoi.manager.results import WorkflowResult

    lines = []
    for item in workflows:
        assert isinstance(item, WorkflowResult)
        why = f" — {item.reason}" if item.reason and not item.green else ""
        repairs = f" after {', '.join(item.repairs)}" if item.repairs else ""
        lines.append(f"{item.path}: {item.result} in {item.attempts} attempt(s){repairs}{why}")
    lines.append(f"{summary}; stats in {stats}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The script's entry point: parse ``argv`` (default ``sys.argv[1:]``), then manage."""
    from qmoi.errors import QmoiError

    try:
        return manage(parse_args(sys.argv[1:] if argv is None else argv))
    except QmoiError as error:
        sys.stderr.write(f"qmoi: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("qmoi: interrupted\n")
        return 130
