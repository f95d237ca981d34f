"""QCity on Ray against the local pool: throughput of a 256-leg matrix of trivial jobs, and
the time from a runner node's death to its job's restart on another node.

Everything runs on this machine, on a 3-node ``ray.cluster_utils.Cluster``, inside private
network and process namespaces that have only loopback (the script re-executes itself
under ``unshare -n -p -f`` when run as root outside one), so Ray never touches the network.

    python bench/ray_bench.py [--legs 256] [--trials 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
MATRIX = """on: push
jobs:
  leg:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [{legs}]
    steps:
      - run: echo "leg ${{{{ matrix.n }}}}"
"""
FLAKY = """on: push
jobs:
  survive:
    runs-on: [self-hosted, flaky]
    steps:
      - run: |
          echo "attempt $QMOI_RUNNER_ATTEMPT on $QMOI_RUNNER_NODE"
          if [ "$QMOI_RUNNER_ATTEMPT" = 1 ]; then sleep 120; fi
"""


def loopback_only() -> bool:
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def reexec_in_namespace() -> int:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        sys.stderr.write("ray_bench needs root and unshare for a loopback-only namespace\n")
        return 2
    argv = " ".join(f"'{a}'" for a in [sys.executable, *sys.argv])
    return subprocess.run(["unshare", "-n", "-p", "-f", "--mount-proc", "sh", "-c",
                           f"ip link set lo up && exec {argv}"], check=False).returncode


def make_repo(root: Path, workflow: str) -> Path:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(workflow)
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root


def run_matrix(repo: Path, **spec: Any) -> tuple[float, str, int]:
    """Seconds for one run of the repository's push workflows, its result, jobs run."""
    from qmoi.execute.session import LocalRun, new_run, run_locally
    from qmoi.plan import build_plan, load_workflows, synthesise_event
    from qmoi.schedule import RunOptions

    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, "push"), info, {})
    began = time.perf_counter()
    record = run_locally(LocalRun(plan, loaded, RunOptions(repo, run_dir, {}), **spec),
                         lambda event: None)
    took = time.perf_counter() - began
    return took, str(record.result), len(record.jobs)


def throughput(repo: Path, legs: int, label: str, **spec: Any) -> dict[str, Any]:
    took, result, jobs = run_matrix(repo, **spec)
    print(f"  {label:<24} {legs} legs in {took:6.2f} s = {legs / took:6.1f} jobs/s "
          f"({result})", file=sys.stderr)
    return {"runner": label, "legs": jobs, "seconds": round(took, 3),
            "jobs_per_s": round(legs / took, 1), "result": result}


def death_trial(cluster: Any, repo: Path) -> dict[str, float]:
    """Two fresh nodes carry the ``flaky`` label; the one running attempt 1 is removed."""
    from qmoi.events import Event, JobAttemptLost, JobStarted, LogLine
    from qmoi.execute.session import LocalRun, new_run, run_locally
    from qmoi.plan import build_plan, load_workflows, synthesise_event
    from qmoi.runners.ray.labels import node_resources
    from qmoi.schedule import RunOptions

    nodes = [cluster.add_node(num_cpus=1, node_ip_address=LOOPBACK,
                              resources=node_resources(["flaky"])) for _ in range(2)]
    cluster.wait_for_nodes()
    marks: dict[str, float] = {}

    def kill(node_id: str) -> None:
        doomed = next(n for n in nodes if n.node_id == node_id)
        marks["killed"] = time.time()
        cluster.remove_node(doomed, allow_graceful=False)
        nodes.remove(doomed)

    def sink(event: Event) -> None:
        if isinstance(event, LogLine) and event.text.startswith("attempt 1 on "):
            threading.Thread(target=kill, args=(event.text.rpartition(" ")[2],)).start()
        elif isinstance(event, JobAttemptLost):
            marks["lost"] = event.at
        elif isinstance(event, JobStarted) and event.attempt == 2:
            marks["restarted"] = event.at

    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, "push"), info, {})
    record = run_locally(LocalRun(plan, loaded, RunOptions(repo, run_dir, {}),
                                  ray=f"ray:{cluster.address}"), sink)
    for node in nodes:
        cluster.remove_node(node, allow_graceful=False)
    return {"result": record.result,  # type: ignore[dict-item]
            "detected_s": round(marks["lost"] - marks["killed"], 3),
            "restarted_s": round(marks["restarted"] - marks["killed"], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=256)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not loopback_only():
        return reexec_in_namespace()
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    work = Path(tempfile.mkdtemp(prefix="qmoi-ray-bench-"))
    os.environ["QMOI_RAY_WORKDIR"] = str(work / "nodes")
    from ray.cluster_utils import Cluster

    legs = ", ".join(str(n) for n in range(args.legs))
    report: dict[str, Any] = {"cores": os.cpu_count(), "throughput": [], "node_death": []}
    print(f"{args.legs}-leg matrix of trivial jobs ({os.cpu_count()} cores)", file=sys.stderr)
    matrix = make_repo(work / "matrix", MATRIX.format(legs=legs))
    report["throughput"].append(throughput(matrix, args.legs, "local pool", runners="local"))
    report["throughput"].append(throughput(matrix, args.legs, "inline (threads)",
                                           runners="inline"))
    began = time.perf_counter()
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 2, "node_ip_address": LOOPBACK, "include_dashboard": False})
    for _ in range(2):
        cluster.add_node(num_cpus=2, node_ip_address=LOOPBACK)
    cluster.wait_for_nodes()
    report["cluster_start_s"] = round(time.perf_counter() - began, 2)
    print(f"  3-node Ray cluster up in {report['cluster_start_s']} s", file=sys.stderr)
    try:
        for attempt in ("cold", "warm"):
            report["throughput"].append(throughput(
                matrix, args.legs, f"ray 3 nodes ({attempt})", ray=f"ray:{cluster.address}"))
        flaky = make_repo(work / "flaky", FLAKY)
        for _ in range(args.trials):
            trial = death_trial(cluster, flaky)
            report["node_death"].append(trial)
            print(f"  node killed: loss seen after {trial['detected_s']:.2f} s, job "
                  f"restarted after {trial['restarted_s']:.2f} s ({trial['result']})",
                  file=sys.stderr)
    finally:
        cluster.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    restarts = [t["restarted_s"] for t in report["node_death"]]
    if restarts:
        report["restart_median_s"] = statistics.median(restarts)
        print(f"  death → restart elsewhere: median {report['restart_median_s']:.2f} s",
              file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
