"""The host executor: one job on this machine, from workspace to job outputs.

Order of a job (R:src/Runner.Worker/JobExtension.cs, StepsRunner.cs): workflow and job
``env``; every step's ``pre``; each step's ``main`` (``if:`` with the implicit
``success()``, ``continue-on-error`` giving outcome vs conclusion); the ``post`` parts in
reverse; the job ``outputs`` (empty values and values holding a secret are dropped).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qmoi.errors import QmoiError
from qmoi.events import JobFinished, JobStarted
from qmoi.execute.job_state import JobState
from qmoi.execute.process import Grace
from qmoi.execute.spares import write_file
from qmoi.execute.steps import run_steps
from qmoi.execute.workspace import WorkspacePool, cache_folder, prepare, release
from qmoi.expr import Status
from qmoi.model import Job, Workflow
from qmoi.plan.checkcache import CleanCache
from qmoi.plan.load import LoadedWorkflow, load_workflow
from qmoi.plan.values import EvaluationError, render_text
from qmoi.runners.base import CancelToken
from qmoi.schedule.protocol import Emit, JobRequest

_RESULTS = {Status.SUCCESS: "success", Status.FAILURE: "failure",
            Status.CANCELLED: "cancelled"}


class HostExecutor:
    """Implements ``qmoi.runners.JobExecutor`` on this machine."""

    def __init__(self, grace: Grace = Grace(), loaded: Sequence[LoadedWorkflow] = ()) -> None:
        """``loaded``: workflows the caller has read and checked already (reused while
        their files are unchanged, so a run does not parse and check them twice)."""
        self.grace = grace
        self._workflows: dict[tuple[str, float], Workflow] = {}
        for item in loaded:
            try:
                self._workflows[(str(item.path), item.path.stat().st_mtime)] = item.workflow
            except OSError:
                continue
        self._pools: dict[tuple[str, str], WorkspacePool] = {}
        self._lock = threading.Lock()

    def _pool(self, request: JobRequest) -> WorkspacePool:
        return self._pool_for(Path(request.root), Path(request.run_dir))

    def _pool_for(self, root: Path, run_dir: Path) -> WorkspacePool:
        key = (str(root), str(run_dir))
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = WorkspacePool(root, run_dir / "workspaces",
                                                         cache_folder(run_dir))
        return pool

    def reserve(self, root: Path, run_dir: Path, sha: str, count: int) -> None:
        """Start checking out workspaces for ``count`` jobs of the run ahead of time."""
        self._pool_for(root, run_dir).reserve(sha, count)

    def close(self) -> None:
        """Wait for workspace removals and drop the unused spares."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def _workflow(self, request: JobRequest) -> Workflow:
        path = Path(request.workflow_path)
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            found = self._workflows.get(key)
            if found is None:
                # Files found clean before are not checked again (the run-time check cache).
                cache = CleanCache(Path(request.run_dir).parent.parent / "cache"
                                   / "run-check.json")
                loaded = load_workflow(path, request.workflow_display, Path(request.root),
                                       cache)
                cache.save()
                found = self._workflows[key] = loaded.workflow
        return found

    def run_job(self, request: JobRequest, emit: Emit, token: CancelToken) -> None:
        emit(JobStarted(request.key, time.time()))
        run_dir = Path(request.run_dir)
        try:
            job = self._job(request)
            pool = self._pool(request)
            folders = prepare(pool, run_dir / "jobs" / request.key, str(request.github["sha"]),
                              run_dir.parent.parent / "toolcache")
        except QmoiError as error:
            emit(JobFinished(request.key, "failure", {}, time.time(), str(error)))
            return
        state = JobState(request, self._workflow(request), job, folders, emit, token,
                         self.grace)
        try:
            message = self._run(state)
            outputs = _job_outputs(state) if message is None else {}
        finally:
            state.drop_warm()
            if state.containers is not None:
                from qmoi.execute.container_setup import stop_containers

                stop_containers(state)
            state.groups.kill_all()
            if folders.spares is not None and state.masker.values:
                folders.spares.held_secrets()
            release(pool, folders)
        emit(JobFinished(request.key, _RESULTS[state.status], outputs, time.time(), message))

    def _job(self, request: JobRequest) -> Job:
        model = self._workflow(request).job(request.job_id)
        if model is None:
            raise QmoiError(f"job '{request.job_id}' is not in {request.workflow_display}")
        if not isinstance(model, Job):
            raise QmoiError(f"job '{model.id}' calls a reusable workflow, which qmoi run "
                            "cannot do yet")
        return model

    def _run(self, state: JobState) -> str | None:
        """Set up the job's env and masks, run its steps; a message when the job could not
        start (then it has failed)."""
        request = state.request
        write_file(state.folders.spares, str(state.folders.root / "event.json"),
                   json.dumps(request.github.get("event", {})).encode("utf-8"))
        for value in state.secrets().values():
            state.masker.add_secret(value)
        state.debug = any(_truthy(table.get(name)) for table in (request.secrets, request.vars)
                          for name in ("ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"))
        try:
            state.env = _job_env(state)
        except EvaluationError as error:
            state.annotate(-1, "error", str(error))
            state.status = Status.FAILURE
            return str(error)
        if state.job.container is not None or state.job.services:
            from qmoi.execute.container_setup import start_containers  # such jobs only

            message = start_containers(state)
            if message is not None:
                return message
        run_steps(state)
        return None


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def _env_map(entries: Any, contexts: dict[str, Any], state: JobState) -> dict[str, str]:
    values: dict[str, str] = {}
    for entry in entries:
        if entry.scalar is not None:
            values[entry.name] = render_text(entry.scalar, contexts, state.source)
    return values


def _job_env(state: JobState) -> dict[str, str]:
    """``--env-file`` values, then workflow ``env``, then job ``env`` (later wins); each
    evaluated with the contexts GitHub allows there."""
    request = state.request
    env = dict(request.env)
    workflow_contexts = {"github": state.github(), "secrets": state.secrets(),
                         "inputs": request.inputs, "vars": request.vars, "env": dict(env)}
    env.update(_env_map(state.workflow.env, workflow_contexts, state))
    job_contexts = {**state.base_contexts(), "env": dict(env)}
    env.update(_env_map(state.job.env, job_contexts, state))
    return env


def _job_outputs(state: JobState) -> dict[str, str]:
    """``jobs.<id>.outputs``: evaluated now; empty values and values that would be masked are
    dropped, as the runner does (JobExtension.cs: "Skip output ... may contain secret")."""
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    outputs: dict[str, str] = {}
    for entry in state.job.outputs:
        if entry.scalar is None:
            continue
        try:
            value = render_text(entry.scalar, contexts, state.source, options=state.options)
        except EvaluationError as error:
            state.annotate(-1, "error", str(error))
            continue
        if not value:
            continue
        if state.masker.mask(value) != value:
            state.annotate(-1, "warning",
                           f"Skip output '{entry.name}' since it may contain secret.")
            continue
        outputs[entry.name] = value
    return outputs
