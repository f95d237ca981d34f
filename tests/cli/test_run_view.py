"""The live view of ``qmoi run`` when its reader goes away: it falls silent, the run goes
on and is saved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from qmoi.cli.run_view import PlainView
from qmoi.events import JobQueued, JobStarted
from run_helpers import ONE_STEP, make_repo


def test_the_view_falls_silent_when_its_pipe_is_closed() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", encoding="utf-8") as out:
        view = PlainView(out)
        view(JobQueued("j", "build", "build", "ci.yml", {}, 1.0))
        view(JobStarted("j", 1.0))  # the write fails: nobody reads
        view(JobStarted("j", 2.0))
        assert view.gone
        null = os.stat(os.devnull)
        assert os.fstat(out.fileno()).st_rdev == null.st_rdev  # what is left goes nowhere
        view.close()


def test_a_run_whose_reader_left_still_runs_to_its_end(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # where a crash log would go
    try:
        done = subprocess.run([sys.executable, "-m", "qmoi.cli.main", "run"], cwd=repo,
                              stdout=write_end, stderr=subprocess.PIPE, text=True,
                              env=env, check=False, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 0 and "internal error" not in done.stderr
    assert not list(tmp_path.glob("qmoi-crash-*"))
    runs = list((repo / ".qmoi" / "runs").iterdir())
    assert len(runs) == 1
    assert '"result": "success"' in (runs[0] / "result.json").read_text(encoding="utf-8")
