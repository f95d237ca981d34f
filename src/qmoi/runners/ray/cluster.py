"""Reaching a Ray cluster: connect (``RAY_ADDRESS``, ``ray://host:port``, ``host:port``) or
start a local one, list its nodes with their labels, and the ``ray start`` command that
joins this machine as a runner node.

A Ray started here binds 127.0.0.1 only: a coordinator's private Ray has no business on
the network. Joining a real cluster (``qmoi runner start``) uses the address the user names.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any

import ray

from qmoi.errors import UsageError
from qmoi.runners.ray.labels import node_labels, node_resources

LOOPBACK = "127.0.0.1"


def resolve_address(spec: str) -> str | None:
    """The cluster a ``--runners`` value names: ``ray`` means ``RAY_ADDRESS`` (else a
    local Ray, None); ``ray://host:port`` a Ray client address; ``ray:auto`` an existing
    cluster found by Ray; ``ray:HOST:PORT`` the GCS address of a cluster."""
    if spec == "ray":
        return os.environ.get("RAY_ADDRESS") or None
    if spec.startswith("ray://"):
        return spec
    if spec.startswith("ray:") and len(spec) > 4:
        return spec[4:]
    raise UsageError(f"--runners {spec!r}: expected ray, ray:auto, ray:HOST:PORT or "
                     "ray://HOST:PORT")


def connect(address: str | None) -> None:
    """Join the cluster at ``address`` as a driver, or start a local Ray on loopback."""
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        if address is None:
            # "local": a new Ray of our own, never one `ray start` left on this machine.
            ray.init(address="local", _node_ip_address=LOOPBACK, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = address or "a local Ray"
        raise UsageError(f"cannot connect to the Ray cluster at {where}: {error}") from None


def disconnect() -> None:
    if ray.is_initialized():
        ray.shutdown()


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """A node of the Ray cluster: where it is, whether it is alive, its resources and labels."""

    node_id: str
    address: str
    alive: bool
    cpus: float
    memory: float
    labels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.node_id, "address": self.address,
                "state": "alive" if self.alive else "dead", "cpus": self.cpus,
                "memory": int(self.memory), "labels": list(self.labels)}


def ray_nodes() -> list[dict[str, Any]]:
    """Ray's node table (``ray.nodes`` is untyped)."""
    nodes: list[dict[str, Any]] = ray.nodes()  # type: ignore[no-untyped-call, unused-ignore]
    return nodes


def cluster_cpus() -> int:
    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call, unused-ignore]
    return max(1, int(resources.get("CPU", 1)))


def list_nodes() -> list[NodeInfo]:
    """The cluster's nodes (alive first) with their runner labels."""
    found = []
    for node in ray_nodes():
        resources = node.get("Resources", {})
        found.append(NodeInfo(str(node["NodeID"]), str(node.get("NodeManagerAddress", "")),
                              bool(node.get("Alive")), float(resources.get("CPU", 0.0)),
                              float(resources.get("memory", 0.0)),
                              tuple(node_labels(resources))))
    return sorted(found, key=lambda n: (not n.alive, n.node_id))


def start_command(address: str, labels: list[str], cpus: int | None,
                  node_ip: str | None = None) -> list[str]:
    """The ``ray start`` call that joins this machine to ``address`` as a runner node,
    its labels offered as custom resources."""
    import json

    executable = shutil.which("ray", path=os.path.dirname(sys.executable)) or "ray"
    command = [executable, "start", f"--address={address}"]
    resources = node_resources(labels)
    if resources:
        command.append("--resources=" + json.dumps(resources, sort_keys=True))
    if cpus is not None:
        command.append(f"--num-cpus={cpus}")
    if node_ip is not None:
        command.append(f"--node-ip-address={node_ip}")
    return command


def cluster_nodes(spec: str) -> list[NodeInfo]:
    """The nodes of the cluster ``spec`` names (as ``--runners`` does; ``ray`` means
    ``RAY_ADDRESS``, which must then be set: listing starts no Ray of its own)."""
    address = resolve_address(spec)
    if address is None:
        raise UsageError("name the cluster: --ray HOST:PORT, ray://HOST:PORT, or set "
                         "RAY_ADDRESS")
    was_connected = ray.is_initialized()
    connect(address)
    try:
        return list_nodes()
    finally:
        if not was_connected:
            disconnect()
