"""The Ray backend on a real local cluster: results, needs and outputs, events streamed
while the job runs, the workspace fetched with git at the event's commit, cancellation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qmoi.events import Event, JobFinished, LogLine
from qmoi.schedule import Scheduler
from run_helpers import git, make_repo
from runners.ray.conftest import RayCluster
from runners.ray.helpers import run_on_ray

pytestmark = [pytest.mark.ray, pytest.mark.slow]

CHAIN = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
    outputs:
      sha: ${{ steps.s.outputs.sha }}
    steps:
      - id: s
        run: |
          echo "leg ${{ matrix.n }} in $PWD"
          echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
          test -f committed.txt
          test ! -f uncommitted.txt
  report:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "built ${{ needs.build.outputs.sha }} attempt $QMOI_RUNNER_ATTEMPT"
"""


def test_a_run_succeeds_with_needs_outputs_and_the_commit_from_git(
        ray_cluster: RayCluster, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": CHAIN}, {"committed.txt": "x"})
    (repo / "uncommitted.txt").write_text("not in the commit")
    sha = git(repo, "rev-parse", "HEAD")
    outcome = run_on_ray(repo)
    assert outcome.record.result == "success"
    assert outcome.job("report")["result"] == "success"
    assert f"built {sha} attempt 1" in outcome.logs()
    # The workspace is a checkout of the node's own repository, not the coordinator's.
    legs = [line for line in outcome.logs() if line.startswith("leg ")]
    assert len(legs) == 3 and not any(str(repo) in line for line in legs)
    assert {e.attempt for e in outcome.started()} == {1}
    assert all(e.runner and e.runner.startswith("ray:") for e in outcome.started())
    assert len(outcome.finished()) == 4


STREAM = """
on: push
jobs:
  talk:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "waiting for the coordinator"
          for i in $(seq 200); do test -f "{flag}" && break; sleep 0.05; done
          test -f "{flag}" && echo "the coordinator answered"
"""


def test_events_arrive_while_the_job_runs(ray_cluster: RayCluster, tmp_path: Path) -> None:
    # The job waits for a file the test creates only once the job's first line has come
    # back: that works only if events stream during the job, not after it.
    flag = tmp_path / "flag"
    repo = make_repo(tmp_path / "r", {"ci.yml": STREAM.replace("{flag}", str(flag))})
    seen: list[float] = []

    def watch(event: Event, scheduler: Scheduler) -> None:
        if isinstance(event, LogLine) and event.text == "waiting for the coordinator":
            seen.append(time.time())
            flag.write_text("go")

    outcome = run_on_ray(repo, watch=watch)
    assert outcome.record.result == "success"
    assert "the coordinator answered" in outcome.logs()
    finished = outcome.finished()[0]
    assert seen and seen[0] < finished.at


CANCEL = """
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo "sleeping" && sleep 30
      - if: always()
        run: echo "cleanup ran"
"""


def test_cancel_interrupts_the_job_and_always_steps_still_run(
        ray_cluster: RayCluster, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": CANCEL})

    def watch(event: Event, scheduler: Scheduler) -> None:
        if isinstance(event, LogLine) and event.text == "sleeping":
            scheduler.cancel()

    began = time.monotonic()
    outcome = run_on_ray(repo, watch=watch)
    assert time.monotonic() - began < 20
    assert outcome.job("slow")["result"] == "cancelled"
    assert "cleanup ran" in outcome.logs()
    assert len(outcome.finished()) == 1


WAITING = """
on: push
jobs:
  nowhere:
    runs-on: [self-hosted, unobtainium]
    steps:
      - run: echo "never"
"""


def test_cancel_before_a_node_takes_the_job(ray_cluster: RayCluster, tmp_path: Path) -> None:
    from qmoi.runners.ray.runner import RayOptions

    repo = make_repo(tmp_path / "r", {"ci.yml": WAITING})
    queued = time.monotonic()

    def watch(event: Event, scheduler: Scheduler) -> None:
        if event.kind == "job_queued":
            scheduler.cancel()

    outcome = run_on_ray(repo, RayOptions(unplaceable_timeout=60), watch=watch)
    assert time.monotonic() - queued < 15
    [finished] = outcome.finished()
    assert finished.result == "cancelled"
    assert "never" not in outcome.logs()


def test_a_label_no_node_has_fails_naming_it(ray_cluster: RayCluster, tmp_path: Path) -> None:
    from qmoi.runners.ray.runner import RayOptions

    repo = make_repo(tmp_path / "r", {"ci.yml": WAITING})
    outcome = run_on_ray(repo, RayOptions(unplaceable_timeout=1.0))
    [finished] = outcome.finished()
    assert isinstance(finished, JobFinished) and finished.result == "failure"
    assert finished.message is not None and "unobtainium" in finished.message
    assert "qmoi runner start" in finished.message


ARTIFACTS = """
on: push
jobs:
  make:
    runs-on: [self-hosted, gpu]
    steps:
      - run: echo "built on $QMOI_RUNNER_NODE" > out.txt
      - uses: actions/upload-artifact@v4
        with:
          name: out
          path: out.txt
  use:
    needs: make
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: out
      - run: cat out.txt
"""


def test_artifacts_go_through_the_coordinators_store(ray_cluster: RayCluster,
                                                     tmp_path: Path) -> None:
    pytest.importorskip("qmoi.execute.actions.builtin.artifacts")
    repo = make_repo(tmp_path / "r", {"ci.yml": ARTIFACTS})
    outcome = run_on_ray(repo)
    assert outcome.record.result == "success", outcome.finished()
    assert f"built on {ray_cluster.nodes['gpu']}" in outcome.logs()
    [run] = list((repo / ".qmoi" / "runs").iterdir())
    stored = [p.name for p in (run / "artifacts").rglob("*") if p.is_file()]
    assert "meta.json" in stored  # the coordinator's run folder holds the artifact


def test_a_shared_folder_holds_artifacts_and_caches(ray_cluster: RayCluster,
                                                    tmp_path: Path) -> None:
    pytest.importorskip("qmoi.execute.actions.builtin.artifacts")
    from qmoi.runners.ray.runner import RayOptions

    repo = make_repo(tmp_path / "r", {"ci.yml": ARTIFACTS})
    shared = tmp_path / "nfs"
    outcome = run_on_ray(repo, RayOptions(shared_dir=str(shared)))
    assert outcome.record.result == "success", outcome.finished()
    assert list((shared / "runs").glob("*/artifacts/*/meta.json"))
    assert (shared / "cache").is_dir()
