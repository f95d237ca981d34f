"""How the pool starts fast: the fork server is started early and preloads exactly what the
workers need; the label router uses the workflows the run read already."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from qmoi.cli.run import EXECUTOR_MODULE
from qmoi.execute.host import HostExecutor
from qmoi.execute.process import Grace
from qmoi.plan import load_workflows
from qmoi.runners.pool import PoolConfig
from qmoi.runners.pool.forkserver import WORKER_MODULE, preload_of
from qmoi.runners.pool.labels import LabelRouter
from runners.conformance import request


def test_the_early_fork_server_preloads_what_the_run_s_workers_need() -> None:
    # qmoi run names the module before importing it; the session's factory must agree.
    assert preload_of(partial(HostExecutor, Grace(), ())) == (WORKER_MODULE, EXECUTOR_MODULE)
    assert preload_of(HostExecutor) == (WORKER_MODULE, EXECUTOR_MODULE)


def test_the_label_router_reads_runs_on_from_known_workflows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = ("on: push\njobs:\n  job:\n    runs-on: [self-hosted, gpu]\n"
                "    steps:\n      - run: 'true'\n")
    job = request(tmp_path, "j", [], workflow=workflow)
    known = load_workflows([Path(job.workflow_path)], tmp_path, tmp_path)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the workflow was loaded again")

    monkeypatch.setattr("qmoi.runners.pool.labels.load_workflow", refuse)
    router = LabelRouter(PoolConfig(labels=(("gpu", "local"),)), known)
    assert router.labels(job) == ["self-hosted", "gpu"]
    assert router.pool_for(job) == "local"
