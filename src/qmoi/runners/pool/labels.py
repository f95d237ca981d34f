"""``runs-on`` → the pool that serves the job.

``runners.labels`` in ``.github/qmoi.yml`` maps labels to pools; without it the local pool
serves a self-hosted Linux runner's labels and GitHub's Ubuntu images. Every label of a job
must be served, by one pool (on GitHub a job goes to a runner that has all its labels:
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idruns-on).
"""

from __future__ import annotations

import contextlib
import fnmatch
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qmoi.errors import QmoiError
from qmoi.model import Job, Workflow
from qmoi.plan.load import LoadedWorkflow, load_workflow
from qmoi.plan.values import EvaluationError, render_node
from qmoi.runners.pool.config import DEFAULT_LABELS, LOCAL, PoolConfig
from qmoi.schedule.protocol import JobRequest


class LabelError(QmoiError):
    """No pool serves the job's labels."""


class LabelRouter:
    def __init__(self, config: PoolConfig, known: Sequence[LoadedWorkflow] = ()) -> None:
        """``known``: workflows the caller read and checked already (used while their files
        are unchanged)."""
        self.config = config
        self._workflows: dict[tuple[str, float], Workflow] = {}
        for item in known:
            with contextlib.suppress(OSError):
                self._workflows[(str(item.path), item.path.stat().st_mtime)] = item.workflow
        self._lock = threading.Lock()

    def pool_for(self, request: JobRequest) -> str:
        """The pool of the job's ``runs-on``; raises :class:`LabelError` naming the label
        no pool serves."""
        labels = self.labels(request)
        if not labels:
            return LOCAL
        configured = {name.lower(): pool for name, pool in self.config.labels}
        chosen: dict[str, str] = {}
        for label in labels:
            pool = configured.get(label.lower())
            if pool is None and any(fnmatch.fnmatchcase(label.lower(), p)
                                    for p in DEFAULT_LABELS):
                pool = LOCAL
            if pool is None:
                raise LabelError(f"no runner pool serves the runs-on label '{label}' "
                                 "(map it to a pool in runners.labels of .github/qmoi.yml)")
            chosen[label] = pool
        explicit = {chosen[label] for label in labels if label.lower() in configured}
        pools = explicit or set(chosen.values())
        if len(pools) > 1:
            named = ", ".join(f"'{label}' → {pool}" for label, pool in chosen.items())
            raise LabelError(f"the runs-on labels select different pools ({named})")
        pool = pools.pop()
        if pool not in self.config.pools:
            raise LabelError(f"the runs-on labels {', '.join(repr(x) for x in labels)} select "
                             f"the pool '{pool}', which this machine does not serve "
                             "(runners.pools)")
        return pool

    def labels(self, request: JobRequest) -> list[str]:
        job = self._workflow(request).job(request.job_id)
        if not isinstance(job, Job) or job.runs_on is None:
            return []
        runs_on = job.runs_on
        contexts: dict[str, Any] = {"github": request.github, "matrix": request.matrix,
                                    "strategy": request.strategy, "needs": request.needs,
                                    "inputs": request.inputs, "vars": request.vars}
        try:
            value = render_node(runs_on.node, contexts)
        except EvaluationError as error:
            raise LabelError(f"runs-on: {error}") from None
        if isinstance(value, dict):
            group = value.get("group")
            found = _strings(value.get("labels"))
            return found + ([str(group)] if group and not found else [])
        return _strings(value)

    def _workflow(self, request: JobRequest) -> Workflow:
        path = Path(request.workflow_path)
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            found = self._workflows.get(key)
        if found is None:
            found = load_workflow(path, request.workflow_display, Path(request.root)).workflow
            with self._lock:
                self._workflows[key] = found
        return found


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value if item is not None and str(item)]
    return [str(value)] if str(value) else []
