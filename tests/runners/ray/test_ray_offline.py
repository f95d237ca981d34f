"""The Ray backend's parts that need no cluster: labels as resources, ``runs-on``
evaluation, addresses, the ``ray start`` command, the node's git repository, the event hub's
fencing, and the CLI without Ray installed."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from qmoi.cli.app import run as cli
from qmoi.errors import UsageError
from qmoi.runners.ray import INSTALL_HINT
from qmoi.runners.ray.gitsource import FetchError, fetch_commit, process_repository
from qmoi.runners.ray.labels import (
    JobResources,
    label_resources,
    labels_of,
    missing_labels,
    node_labels,
    node_resources,
)
from qmoi.runners.ray.placement import Placement, Placer, unplaceable
from qmoi.schedule import JobRequest
from run_helpers import git, make_repo


def test_generic_labels_need_no_resource_and_others_match_case_insensitively() -> None:
    assert label_resources(("ubuntu-latest", "self-hosted", "Linux")) == {}
    assert label_resources(("self-hosted", "GPU", "big mem")) == {
        "label:gpu": 0.001, "label:big_mem": 0.001}
    assert label_resources(("x",), "Team A") == {"label:x": 0.001, "group:team_a": 0.001}
    offered = node_resources(["gpu", " ", "Big Mem"])
    assert offered == {"label:gpu": 10_000.0, "label:big_mem": 10_000.0}
    assert node_labels({**offered, "CPU": 4.0}) == ["big_mem", "gpu"]


def test_runs_on_values_become_labels_and_groups() -> None:
    assert labels_of("ubuntu-latest") == (("ubuntu-latest",), None)
    assert labels_of(["self-hosted", "gpu"]) == (("self-hosted", "gpu"), None)
    assert labels_of({"group": "big", "labels": "x"}) == (("x",), "big")
    assert labels_of({"group": "big"}) == ((), "big")
    assert labels_of(None) == ((), None)


def test_missing_labels_names_what_no_node_carries() -> None:
    nodes = [{"CPU": 2.0, "label:gpu": 1.0}, {"CPU": 1.0, "label:arm": 1.0}]
    assert missing_labels({"label:gpu": 0.001}, nodes) == []
    assert missing_labels({"label:tpu": 0.001, "label:gpu": 0.001}, nodes) == ["tpu"]
    # Each label exists, but never together on one node.
    assert missing_labels({"label:gpu": 0.001, "label:arm": 0.001}, nodes) == ["arm", "gpu"]


def test_unplaceable_says_why() -> None:
    nodes = [{"CPU": 2.0, "memory": 2.0**30}]
    assert unplaceable(Placement((), None, JobResources()), nodes) is None
    big = Placement((), None, JobResources(cpus=4))
    assert "4 CPU" in (unplaceable(big, nodes) or "")
    labelled = Placement(("gpu",), None, JobResources(), {"label:gpu": 0.001})
    message = unplaceable(labelled, nodes) or ""
    assert "gpu" in message and "qmoi runner start" in message
    options = Placement((), None, JobResources(0.5, 2**20)).ray_options()
    assert options == {"num_cpus": 0.5, "resources": {}, "memory": 2**20}


MATRIX = """
on: push
jobs:
  build:
    strategy:
      matrix:
        where: [gpu, arm]
    runs-on: [self-hosted, "${{ matrix.where }}"]
    steps:
      - run: 'true'
  whole:
    runs-on: ${{ fromJSON('["self-hosted", "tpu"]') }}
    steps:
      - run: 'true'
"""


def _request(repo: Path, job_id: str, matrix: dict[str, str]) -> JobRequest:
    path = repo / ".github" / "workflows" / "ci.yml"
    return JobRequest("1", job_id, str(path), ".github/workflows/ci.yml", job_id, job_id,
                      str(repo), str(repo / "run"), {"sha": "0" * 40}, matrix=matrix)


def test_runs_on_is_evaluated_with_the_legs_matrix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": MATRIX})
    placer = Placer(lambda request: JobResources(cpus=0.25))
    gpu = placer.place(_request(repo, "build", {"where": "gpu"}))
    assert gpu.labels == ("self-hosted", "gpu") and gpu.custom == {"label:gpu": 0.001}
    assert gpu.bundle() == {"CPU": 0.25, "label:gpu": 0.001}
    assert placer.place(_request(repo, "whole", {})).custom == {"label:tpu": 0.001}
    assert "runs-on" in placer.workflow_text(_request(repo, "whole", {}))


def test_addresses_of_the_runners_option(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ray")
    from qmoi.runners.ray.cluster import resolve_address

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert resolve_address("ray") is None
    monkeypatch.setenv("RAY_ADDRESS", "10.1.2.3:6379")
    assert resolve_address("ray") == "10.1.2.3:6379"
    assert resolve_address("ray://head:10001") == "ray://head:10001"
    assert resolve_address("ray:auto") == "auto"
    assert resolve_address("ray:127.0.0.1:6379") == "127.0.0.1:6379"
    with pytest.raises(UsageError):
        resolve_address("rays")


def test_ray_start_command_offers_the_labels() -> None:
    pytest.importorskip("ray")
    from qmoi.runners.ray.cluster import start_command

    command = start_command("127.0.0.1:6379", ["gpu", "Arm"], 3, "127.0.0.1")
    assert command[1:] == ["start", "--address=127.0.0.1:6379",
                           '--resources={"label:arm": 10000.0, "label:gpu": 10000.0}',
                           "--num-cpus=3", "--node-ip-address=127.0.0.1"]


def test_the_node_fetches_the_commit_with_git_and_checks_it_out(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": MATRIX}, {"a.txt": "one"})
    first = git(repo, "rev-parse", "HEAD")
    (repo / "a.txt").write_text("two")
    git(repo, "commit", "-qam", "two")
    second = git(repo, "rev-parse", "HEAD")
    node = tmp_path / "node"
    mirror = fetch_commit(node, str(repo), first)
    assert fetch_commit(node, str(repo), second) == mirror
    mine = process_repository(mirror)
    workspace = tmp_path / "ws"
    subprocess.run(["git", "worktree", "add", "--detach", str(workspace), first], cwd=mine,
                   check=True, capture_output=True)
    assert (workspace / "a.txt").read_text() == "one"
    with pytest.raises(FetchError, match="cannot fetch commit 123456789abc"):
        fetch_commit(node, str(repo), "123456789abc" + "0" * 28)


def test_the_hub_fences_old_attempts_and_relays_cancels() -> None:
    pytest.importorskip("ray")
    from qmoi.runners.ray.hub import CANCEL, RUN, STALE, EventHub

    async def scenario() -> None:
        hub = EventHub()
        assert await hub.begin("k", 1) == RUN
        assert await hub.push("k", 1, [{"type": "log"}]) == RUN
        await hub.fence("k", 2)
        assert await hub.push("k", 1, [{"type": "late"}]) == STALE
        assert await hub.begin("k", 1) == STALE
        assert await hub.begin("k", 2) == RUN
        assert await hub.drain(0.01) == [("k", 1, {"type": "log"})]
        assert await hub.drain(0.01) == []
        assert await hub.cancel("k") is True
        assert await hub.push("k", 2, []) == CANCEL
        assert await hub.cancel("other") is False
        assert await hub.begin("other", 1) == CANCEL

    asyncio.run(scenario())


def test_without_ray_the_cli_says_how_to_install_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import qmoi.runners.ray as package

    repo = make_repo(tmp_path / "r", {"ci.yml": MATRIX})
    monkeypatch.chdir(repo)
    monkeypatch.setattr(package, "ray_available", lambda: False)
    assert cli(["run", "--runners", "ray"]) == 2
    assert INSTALL_HINT in capsys.readouterr().err
    assert cli(["runner", "start", "--address", "127.0.0.1:6379"]) == 2
    assert INSTALL_HINT in capsys.readouterr().err
    assert not (repo / ".qmoi" / "runs").exists() or not any((repo / ".qmoi" / "runs").iterdir())


def test_runner_start_dry_run_prints_the_ray_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray")
    assert cli(["runner", "start", "--address", "127.0.0.1:6379", "--labels", "gpu, big",
                "--cpus", "2", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "start --address=127.0.0.1:6379" in out
    assert '"label:big": 10000.0, "label:gpu": 10000.0' in out and "--num-cpus=2" in out
    assert cli(["runner", "start", "--address", "x:1", "--cpus", "0", "--dry-run"]) == 2
