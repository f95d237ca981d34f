"""The commands on a real cluster: ``qmoi run --runners ray…`` (an existing cluster, and a
Ray of its own), ``qmoi runner start`` joining a node with labels, ``qmoi runners list
--ray``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from run_helpers import make_repo
from runners.ray.conftest import LOOPBACK, RayCluster

pytestmark = [pytest.mark.ray, pytest.mark.slow]

WORKFLOW = """
on: push
jobs:
  hello:
    runs-on: [self-hosted, gpu]
    steps:
      - run: echo "hello from $QMOI_RUNNER_NODE"
"""


def qmoi(*args: str, cwd: Path | None = None, timeout: float = 120
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    return subprocess.run([sys.executable, "-m", "qmoi.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _events(repo: Path) -> list[dict[str, object]]:
    [run] = list((repo / ".qmoi" / "runs").iterdir())
    lines = (run / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_qmoi_run_on_a_named_cluster(ray_cluster: RayCluster, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": WORKFLOW})
    done = qmoi("run", "--runners", f"ray:{ray_cluster.cluster.address}", "--json", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "success"
    started = [e for e in _events(repo) if e["type"] == "job_started"]
    assert started[0]["runner"] == f"ray:{ray_cluster.nodes['gpu']}"
    assert f"hello from {ray_cluster.nodes['gpu']}" in done.stderr


def test_qmoi_run_starts_a_ray_of_its_own(tmp_path: Path, ray_cluster: RayCluster) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": WORKFLOW.replace(", gpu]", "]")})
    done = qmoi("run", "--runners", "ray", "--json", cwd=repo)
    assert done.returncode == 0, done.stderr
    [started] = [e for e in _events(repo) if e["type"] == "job_started"]
    assert str(started["runner"]).startswith("ray:")
    assert started["runner"] not in {f"ray:{n}" for n in ray_cluster.nodes.values()}


def test_runner_start_joins_a_labelled_node_that_runners_list_shows(
        ray_cluster: RayCluster) -> None:
    address = ray_cluster.cluster.address
    node = subprocess.Popen(
        [sys.executable, "-m", "qmoi.cli.main", "runner", "start", "--address", address,
         "--labels", "special,Edge", "--cpus", "1", "--node-ip-address", LOOPBACK, "--block"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        found: list[dict[str, object]] = []
        deadline = time.monotonic() + 60
        while not found and time.monotonic() < deadline:
            listed = qmoi("runners", "list", "--ray", address, "--json")
            assert listed.returncode == 0, listed.stderr
            found = [n for n in json.loads(listed.stdout)
                     if n["labels"] == ["edge", "special"] and n["state"] == "alive"]
            time.sleep(0.5)
        assert found and found[0]["cpus"] == 1.0
        text = qmoi("runners", "list", "--ray", address).stdout
        assert "edge,special" in text and "gpu" in text
    finally:
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(timeout=60)
