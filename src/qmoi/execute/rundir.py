"""A run's id and folder, chosen before the run is planned (light: ``qmoi run`` imports
it before the executor)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from qmoi.plan.contexts import RunInfo


def new_run(runs_dir: Path) -> tuple[RunInfo, Path]:
    """A fresh run id (milliseconds since the epoch, numeric like GitHub's) and its folder;
    the run number counts the runs saved so far."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    # scandir's entry types come with the listing: no stat per run saved so far
    with os.scandir(runs_dir) as entries:
        number = sum(1 for entry in entries if entry.is_dir()) + 1
    while True:
        run_id = str(int(time.time() * 1000))
        folder = runs_dir / run_id
        try:
            folder.mkdir()
        except FileExistsError:
            time.sleep(0.001)
            continue
        return RunInfo(run_id, number), folder
