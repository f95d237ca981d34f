"""Placement by ``runs-on`` labels on a multi-node cluster, a node killed mid-job, and the
autoscaler asked for what waiting jobs need."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from qmoi.events import Event, LogLine
from qmoi.runners.ray.runner import RayOptions
from qmoi.schedule import Scheduler
from run_helpers import make_repo
from runners.ray.conftest import RayCluster
from runners.ray.helpers import RayOutcome, run_on_ray

pytestmark = [pytest.mark.ray, pytest.mark.slow]

LABELS = """
on: push
jobs:
  place:
    strategy:
      matrix:
        include:
          - {name: gpu, labels: [self-hosted, GPU]}
          - {name: arm, labels: [self-hosted, linux, arm]}
          - {name: any, labels: ubuntu-latest}
    runs-on: ${{ matrix.labels }}
    outputs:
      node: ${{ steps.where.outputs.node }}
    steps:
      - id: where
        run: echo "node=$QMOI_RUNNER_NODE" >> "$GITHUB_OUTPUT"
"""


def test_labelled_jobs_run_on_the_nodes_that_carry_the_labels(
        ray_cluster: RayCluster, tmp_path: Path) -> None:
    if "arm" not in ray_cluster.nodes:
        ray_cluster.add("arm", ["arm"])
    repo = make_repo(tmp_path / "r", {"ci.yml": LABELS})
    outcome = run_on_ray(repo)
    assert outcome.record.result == "success", outcome.finished()
    nodes = {job["matrix"]["name"]: job["outputs"]["node"]  # type: ignore[index]
             for job in outcome.record.to_json()["jobs"]}
    assert nodes["gpu"] == ray_cluster.nodes["gpu"]
    assert nodes["arm"] == ray_cluster.nodes["arm"]
    assert nodes["any"] in ray_cluster.nodes.values()


DOOMED = """
on: push
jobs:
  survive:
    runs-on: [self-hosted, flaky]
    steps:
      - run: |
          echo "attempt $QMOI_RUNNER_ATTEMPT on $QMOI_RUNNER_NODE"
          if [ "$QMOI_RUNNER_ATTEMPT" = 1 ]; then sleep 60; fi
          echo "done"
"""


def test_a_node_killed_mid_job_ends_in_success_on_another_node(
        ray_cluster: RayCluster, tmp_path: Path) -> None:
    first = ray_cluster.add("flaky-1", ["flaky"])
    second = ray_cluster.add("flaky-2", ["flaky"])
    repo = make_repo(tmp_path / "r", {"ci.yml": DOOMED})
    killed: list[tuple[str, float]] = []

    def kill(node_id: str) -> None:
        name = "flaky-1" if node_id == first else "flaky-2"
        killed.append((node_id, time.time()))
        ray_cluster.remove(name)

    def watch(event: Event, scheduler: Scheduler) -> None:
        if isinstance(event, LogLine) and event.text.startswith("attempt 1 on "):
            node = event.text.rpartition(" ")[2]
            threading.Thread(target=kill, args=(node,)).start()

    outcome = run_on_ray(repo, RayOptions(max_attempts=2), watch=watch)
    assert outcome.record.result == "success", outcome.finished()
    [lost] = outcome.lost()
    assert lost.attempt == 1 and lost.retry
    starts = outcome.started()
    assert [s.attempt for s in starts] == [1, 2]
    dead = killed[0][0]
    assert starts[0].runner == f"ray:{dead}"
    assert starts[1].runner == f"ray:{({first, second} - {dead}).pop()}"
    [finished] = outcome.finished()
    assert finished.attempt == 2 and finished.result == "success"
    assert outcome.logs().count("done") == 1  # attempt 1 never got past its sleep
    for name in ("flaky-1", "flaky-2"):
        if name in ray_cluster.nodes:
            ray_cluster.remove(name)


LATER = """
on: push
jobs:
  later:
    runs-on: [self-hosted, later]
    steps:
      - run: echo "ran at last"
"""


def test_waiting_jobs_ask_the_autoscaler_and_run_when_a_node_appears(
        ray_cluster: RayCluster, tmp_path: Path) -> None:
    from ray.autoscaler._private.constants import AUTOSCALER_RESOURCE_REQUEST_CHANNEL
    from ray.experimental.internal_kv import _internal_kv_get

    repo = make_repo(tmp_path / "r", {"ci.yml": LATER})
    done: list[RayOutcome] = []
    run = threading.Thread(target=lambda: done.append(
        run_on_ray(repo, RayOptions(unplaceable_timeout=30))))
    run.start()
    # Play the autoscaler: add a node with the label once the request names it (nodes can
    # only be added from the main thread).
    asked = None
    deadline = time.monotonic() + 20
    while asked is None and time.monotonic() < deadline:
        raw = _internal_kv_get(AUTOSCALER_RESOURCE_REQUEST_CHANNEL)
        if raw and b"label:later" in raw:
            asked = json.loads(raw)
        time.sleep(0.1)
    assert asked is not None, "the autoscaler was never asked for a node with the label"
    assert {"CPU": 1.0, "label:later": 0.001} in asked
    ray_cluster.add("later", ["later"])
    run.join(timeout=60)
    [outcome] = done
    assert outcome.record.result == "success"
    assert "ran at last" in outcome.logs()
    # Nothing waits any more: the request was withdrawn.
    assert outcome.runner.autoscaler.requested == []
    assert json.loads(_internal_kv_get(AUTOSCALER_RESOURCE_REQUEST_CHANNEL)) == []
    ray_cluster.remove("later")
