"""Two qmoi processes at once on one store: both open a brand-new database (one migrates,
the other waits), then both record runs as fast as they can. Nothing is lost, nothing
fails with a locked database, and the shared workflow version is recorded once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from qmoi.store import open_store
from qmoi.store.models import JobRow, Run, StepRow, WorkflowVersion
from run_helpers import make_repo

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from qmoi.events import (JobFinished, JobQueued, JobStarted, RunFinished, StepFinished,
                             StepStarted)
    from qmoi.plan import RunInfo, build_plan, load_workflows, synthesise_event
    from qmoi.schedule import RunOptions
    from qmoi.store import RunSpec, StoreSink, open_store

    home, repo, tag, count, go = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], \\
        int(sys.argv[4]), Path(sys.argv[5])
    loaded = load_workflows([], repo, repo)
    event = synthesise_event(repo, "push")
    while not go.exists():
        time.sleep(0.005)
    store = open_store(home)
    for i in range(count):
        plan = build_plan(loaded, event, RunInfo(f"{tag}-{i}"))
        options = RunOptions(repo, repo / ".qmoi" / "runs" / f"{tag}-{i}")
        sink = StoreSink(store, RunSpec(plan, loaded, options))
        t = time.time()
        for key in ("a", "b"):
            sink(JobQueued(key, key, key, "ci.yml", {}, t))
            sink(JobStarted(key, t))
            sink(StepStarted(key, 0, "s", "step", t))
            sink(StepFinished(key, 0, "s", "success", "success", {}, t))
            sink(JobFinished(key, "success", {}, t))
        sink(RunFinished(plan.run.run_id, "success", t))
        sink.close()
    print("done", tag)
""")
WORKFLOW = """
    on: push
    jobs:
      a: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}
"""


def test_two_processes_write_to_one_new_store_at_once(database: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"ci.yml": WORKFLOW})
    home, go, script = tmp_path / "home", tmp_path / "go", tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    count = 10
    writers = [subprocess.Popen([sys.executable, str(script), str(home), str(repo), tag,
                                 str(count), str(go)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=dict(os.environ))
               for tag in ("p", "q")]
    time.sleep(0.5)  # both are importing; release them together
    go.touch()
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.startswith("done")
    store = open_store(home)
    try:
        with store.read() as session:
            assert session.scalar(select(func.count()).select_from(Run)
                                  .where(Run.result == "success")) == 2 * count
            assert session.scalar(select(func.count()).select_from(JobRow)) == 4 * count
            assert session.scalar(select(func.count()).select_from(StepRow)) == 4 * count
            assert session.scalar(select(func.count()).select_from(WorkflowVersion)) == 1
    finally:
        store.close()
