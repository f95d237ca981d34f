"""How the pool starts fast: the fork server is started early and preloads exactly what the
workers need; the label router uses the workflows the run read already."""

from __future__ import annotations

import subprocess
import sys
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


def test_workers_inherit_the_main_module_and_sys_path_from_the_fork_server(
        tmp_path: Path) -> None:
    """The main module's imports run in the coordinator and once in the fork server, not
    again in every worker; the factory's module, found through a path the coordinator
    added, is imported once too."""
    log = tmp_path / "imports.log"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "factory_home.py").write_text(
        "import os\n"
        f"open({str(log)!r}, 'a').write(f'factory {{os.getpid()}}\\n')\n"
        "class Quiet:\n"
        "    def run_job(self, request, emit, token):\n"
        "        pass\n"
        "def make():\n"
        "    return Quiet()\n", encoding="utf-8")
    main = tmp_path / "coordinator.py"
    main.write_text(
        "import os, sys, time\n"
        f"open({str(log)!r}, 'a').write(f'main {{os.getpid()}}\\n')\n"
        f"sys.path.insert(0, {str(tmp_path / 'lib')!r})\n"
        "from qmoi.runners.pool import LocalPool, PoolConfig\n"
        "if __name__ == '__main__':\n"
        "    import factory_home\n"
        "    pool = LocalPool(factory_home.make, PoolConfig(min=3, max=3))\n"
        "    while sum(1 for w in pool.workers() if w.pid) < 3:\n"
        "        time.sleep(0.01)\n"
        "    pool.close()\n", encoding="utf-8")
    subprocess.run([sys.executable, str(main)], check=True, timeout=60)
    lines = log.read_text(encoding="utf-8").split()
    assert lines.count("main") == 2  # the coordinator and the fork server
    assert lines.count("factory") == 2


def test_the_fork_server_compiles_through_the_coordinators_start_cache(
        tmp_path: Path) -> None:
    """A coordinator that compiles through ``qmoi.startcache`` (``qmoi run``) has its fork
    server, and so its workers, use the same file; one that does not leaves them alone."""
    log = tmp_path / "caches.log"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "cache_probe.py").write_text(
        "from qmoi import startcache\n"
        f"open({str(log)!r}, 'a').write(f'{{startcache.installed_path()}}\\n')\n"
        "class Quiet:\n"
        "    def run_job(self, request, emit, token):\n"
        "        pass\n"
        "def make():\n"
        "    return Quiet()\n", encoding="utf-8")
    cache = tmp_path / "start.marshal"
    main = tmp_path / "coordinator.py"
    main.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(tmp_path / 'lib')!r})\n"
        "from pathlib import Path\n"
        "from qmoi import startcache\n"
        "from qmoi.runners.pool import LocalPool, PoolConfig\n"
        "if __name__ == '__main__':\n"
        "    if sys.argv[1:] == ['cached']:\n"
        f"        startcache.install(Path({str(cache)!r}))\n"
        "    import cache_probe\n"
        "    pool = LocalPool(cache_probe.make, PoolConfig(min=1, max=1))\n"
        "    while not any(w.pid for w in pool.workers()):\n"
        "        time.sleep(0.01)\n"
        "    pool.close()\n", encoding="utf-8")
    subprocess.run([sys.executable, str(main), "cached"], check=True, timeout=60)
    # The coordinator's import, then the fork server's preload of the factory's module
    assert log.read_text(encoding="utf-8").split() == [str(cache), str(cache)]
    log.unlink()
    subprocess.run([sys.executable, str(main)], check=True, timeout=60)
    assert log.read_text(encoding="utf-8").split() == ["None", "None"]
