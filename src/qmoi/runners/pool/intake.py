"""A submitted job becomes a task: its pool from ``runs-on``, its resource request from the
configuration, else from what was learned, else the default — or the reason it can never
run here (then it fails at once, without waiting in the queue)."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from qmoi.errors import QmoiError
from qmoi.runners.pool.admission import too_big
from qmoi.runners.pool.config import PoolConfig, Request
from qmoi.runners.pool.labels import LabelRouter
from qmoi.runners.pool.profiles import Profiles
from qmoi.runners.pool.workers import Task
from qmoi.schedule.protocol import Emit, JobRequest

REDUNDANT_SUFFIX = "~redundant"


def demand(config: PoolConfig, profiles: Profiles, request: JobRequest) -> Request:
    settings = config.job_settings(request.workflow_display, request.job_id)
    learned = profiles.lookup(request.workflow_display, request.job_id, request.matrix,
                              config.cores)
    base = learned or config.default_request
    if settings is None or (settings.cpu is None and settings.memory is None):
        return base
    return Request(settings.cpu if settings.cpu is not None else base.cpu,
                   settings.memory if settings.memory is not None else base.memory, "config")


def make_tasks(config: PoolConfig, profiles: Profiles, router: LabelRouter,
               request: JobRequest, emit: Emit) -> tuple[list[Task], str | None]:
    """The task(s) for ``request`` (two when the job runs redundantly), or a message saying
    why it cannot run on this pool."""
    try:
        pool = router.pool_for(request)
    except (QmoiError, OSError) as error:
        return [], str(error)
    wanted = demand(config, profiles, request)
    problem = too_big(wanted, config)
    if problem is not None:
        return [], f"{problem} (it asks for {wanted.describe()})"
    now = time.monotonic()
    task = Task(request, emit, wanted, pool, now)
    settings = config.job_settings(request.workflow_display, request.job_id)
    if settings is None or not settings.redundant:
        return [task], None
    second = dataclasses.replace(request, key=request.key + REDUNDANT_SUFFIX)
    shadow = Task(second, emit, wanted, pool, now, shadow=True, twin=task)
    task.twin = shadow
    return [task, shadow], None


def keep_shadow_log(shadow: Task) -> None:
    """The second run of a redundant job reports nothing; its events are kept in
    ``<run_dir>/qcity/<key>.events.jsonl``."""
    folder = Path(shadow.request.run_dir) / "qcity"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lines = [*shadow.lost, json.dumps(shadow.outcome.to_json())]
        (folder / f"{shadow.key}.events.jsonl").write_text("\n".join(lines) + "\n",
                                                          encoding="utf-8")
    except OSError:
        pass  # the comparison is still reported; only the second run's log is missing
