"""Real Ray clusters on this machine, only inside a network namespace that has nothing but
loopback (``test_netns.py`` runs these tests in one; ``.ci/run`` does the same), so no
Ray process can listen on or reach the machine's network."""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

LOOPBACK = "127.0.0.1"

# Ray is an optional extra: without it, the modules that import Ray are not collected (the
# rest of this folder tests what needs no Ray); .ci/run installs it and runs them.
if importlib.util.find_spec("ray") is None:
    collect_ignore = ["test_ray_cluster.py", "test_ray_conformance.py", "test_ray_runner.py"]


def loopback_only() -> bool:
    """True inside a network namespace whose only interface is ``lo``."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


@dataclass
class RayCluster:
    cluster: Any
    nodes: dict[str, str]  # name → node id

    def add(self, name: str, labels: list[str], cpus: int = 1) -> str:
        from qmoi.runners.ray.labels import node_resources

        node = self.cluster.add_node(num_cpus=cpus, node_ip_address=LOOPBACK,
                                     resources=node_resources(labels))
        self.cluster.wait_for_nodes()
        self.nodes[name] = node.node_id
        return str(node.node_id)

    def remove(self, name: str) -> None:
        node_id = self.nodes.pop(name)
        for node in self.cluster.worker_nodes:
            if node.node_id == node_id:
                self.cluster.remove_node(node, allow_graceful=False)
                return
        raise KeyError(name)


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayCluster]:
    """A head node (2 CPUs, no labels) and a node labelled ``gpu``; tests add more."""
    pytest.importorskip("ray")
    if not loopback_only():
        pytest.skip("Ray tests run only in a loopback-only network namespace "
                    "(run tests/runners/ray/test_netns.py, or unshare -n as .ci/run does)")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ["QMOI_RAY_WORKDIR"] = str(tmp_path_factory.mktemp("ray-nodes"))
    # Ray's workers import the tests' executors (``runners.conformance``) by name.
    tests = str(Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (tests, os.environ.get("PYTHONPATH")) if p)
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 2, "node_ip_address": LOOPBACK, "include_dashboard": False})
    found = RayCluster(cluster, {"head": cluster.head_node.node_id})
    found.add("gpu", ["gpu"], cpus=1)
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield found
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
