"""runs-on labels choose a pool; redundant jobs run twice and report disagreement; the
configuration is read from .github/qmoi.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.check.config import JobResources
from qmoi.errors import InputError
from qmoi.events import JobDiverged, JobFinished, JobStarted
from qmoi.runners.pool import pool_config
from qmoi.runners.pool.config import MIB
from runners.conformance import Collector, request
from runners.pool_helpers import pool


def _workflow(runs_on: str) -> str:
    return f"on: push\njobs:\n  job:\n    runs-on: {runs_on}\n    steps:\n      - run: 'true'\n"


def _run(tmp_path: Path, runs_on: str, matrix: dict[str, str] | None = None,
         **settings: object) -> tuple[JobFinished, list[str]]:
    with pool(**settings) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "j", [{"name": "s"}], matrix=matrix,
                              workflow=_workflow(runs_on)), seen)
        finished = seen.finished("j")
        runners = [e.runner or "" for e in seen.of("j") if isinstance(e, JobStarted)]
        pools = {w.id: w.pool for w in runner.workers()}
    return finished, [pools.get(r, "?") for r in runners]


@pytest.mark.parametrize("runs_on", ["ubuntu-latest", "[self-hosted, linux, X64]",
                                     "Ubuntu-22.04", "'${{ matrix.os }}'"])
def test_the_local_pool_serves_linux_labels(tmp_path: Path, runs_on: str) -> None:
    finished, pools = _run(tmp_path, runs_on, matrix={"os": "ubuntu-24.04"})
    assert finished.result == "success" and pools == ["local"]


def test_a_label_no_pool_serves_fails_naming_it(tmp_path: Path) -> None:
    finished, _ = _run(tmp_path, "[self-hosted, macos-14]")
    assert finished.result == "failure"
    assert "no runner pool serves the runs-on label 'macos-14'" in (finished.message or "")


def test_configured_labels_route_to_their_pool(tmp_path: Path) -> None:
    finished, pools = _run(tmp_path, "[self-hosted, gpu]", labels=(("gpu", "gpu"),),
                           pools=("local", "gpu"))
    assert finished.result == "success" and pools == ["gpu"]
    refused, _ = _run(tmp_path, "gpu", labels=(("gpu", "gpu"),))
    assert "select the pool 'gpu', which this machine does not serve" in (refused.message or "")


def test_a_redundant_job_runs_twice_and_reports_when_results_differ(tmp_path: Path) -> None:
    twice = (JobResources("ci.yml/job", redundant=True),)
    with pool(jobs=twice) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "steady", [{"name": "s"}]), seen)
        runner.submit(request(tmp_path, "flaky", [{"name": "f", "fail_first":
                                                   str(tmp_path / "flaky")}]), seen)
        steady, flaky = seen.finished("steady"), seen.finished("flaky")
    assert steady.result == "success"
    assert not any(isinstance(e, JobDiverged) for e in seen.of("steady"))
    [diverged] = [e for e in seen.of("flaky") if isinstance(e, JobDiverged)]
    assert sorted(diverged.results) == ["failure", "success"]
    assert diverged.results[0] == flaky.result
    assert [type(e).__name__ for e in seen.of("flaky")][-2:] == ["JobDiverged", "JobFinished"]
    assert (Path(tmp_path) / "run" / "qcity" / "flaky~redundant.events.jsonl").is_file()
    assert not seen.of("flaky~redundant")  # the second run is compared, not reported


def test_settings_come_from_qmoi_yml(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "qmoi.yml").write_text(
        "runners:\n  min: 2\n  max: 9\n  memory: 3G\n  idle-timeout: 5\n"
        "  labels: {gpu: gpu}\n  pools: [gpu]\n"
        "qcity:\n  jobs:\n    ci.yml/build: {cpu: 2, memory: 512M, redundant: true}\n")
    config = pool_config(tmp_path, tmp_path / "state")
    assert (config.min, config.max, config.memory, config.idle_timeout) == (2, 9, 3 << 30, 5)
    assert config.pools == ("local", "gpu") and config.labels == (("gpu", "gpu"),)
    build = config.job_settings(".github/workflows/ci.yml", "build")
    assert build == JobResources("ci.yml/build", 2.0, 512 * MIB, True)
    assert config.job_settings(".github/workflows/ci.yml", "test") is None


def test_a_bad_pool_setting_stops_the_run_with_its_line(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "qmoi.yml").write_text("rules: {}\nrunners:\n  memory: lots\n")
    with pytest.raises(InputError, match=r"qmoi.yml:3: runners.memory must be a size"):
        pool_config(tmp_path, None)


def test_at_the_maximum_an_idle_worker_of_another_pool_gives_way(tmp_path: Path) -> None:
    # One worker at most: the local pool's job leaves its worker idle, and the gpu pool's
    # job gets the machine once that worker has been stopped and has exited.
    with pool(min=1, max=1, labels=(("gpu", "gpu"),), pools=("local", "gpu")) as runner:
        first, second = Collector(), Collector()
        runner.submit(request(tmp_path, "a", [{"name": "s"}],
                              workflow=_workflow("ubuntu-latest")), first)
        assert first.finished("a").result == "success"
        runner.submit(request(tmp_path, "b", [{"name": "s"}],
                              workflow=_workflow("[self-hosted, gpu]")), second)
        assert second.finished("b").result == "success"
        started = [e.runner or "" for e in second.of("b") if isinstance(e, JobStarted)]
        pools = {w.id: w.pool for w in runner.workers()}
    assert [pools.get(r, "?") for r in started] == ["gpu"] and len(pools) == 1
