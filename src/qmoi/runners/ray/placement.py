"""Where a job may run: its ``runs-on`` evaluated with the leg's contexts, and the Ray
resources (CPU, memory, labels) it asks for. Runs on the coordinator, which has the
workflow file the run was planned from."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmoi.errors import QmoiError
from qmoi.model import Job, Workflow
from qmoi.plan.load import load_workflow
from qmoi.plan.values import render_node
from qmoi.runners.ray.labels import JobResources, label_resources, labels_of, missing_labels
from qmoi.schedule.protocol import JobRequest

ResourcePolicy = Callable[[JobRequest], JobResources]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a job may run: its ``runs-on`` labels and group, and the Ray resources it asks for."""

    labels: tuple[str, ...]
    group: str | None
    resources: JobResources
    custom: dict[str, float] = field(default_factory=dict)

    def ray_options(self) -> dict[str, Any]:
        """Keyword arguments for ``remote_function.options``."""
        options: dict[str, Any] = {"num_cpus": self.resources.cpus, "resources": self.custom}
        if self.resources.memory is not None:
            options["memory"] = self.resources.memory
        return options

    def bundle(self) -> dict[str, float]:
        """The resource shape handed to the autoscaler."""
        shape = {"CPU": self.resources.cpus, **self.custom}
        if self.resources.memory is not None:
            shape["memory"] = float(self.resources.memory)
        return shape


def default_policy(request: JobRequest) -> JobResources:
    """One CPU and no memory reservation: what a job gets until configuration or history
    says more."""
    return JobResources()


class Placer:
    """Evaluates ``runs-on`` per job; workflows are parsed once per file version."""

    def __init__(self, policy: ResourcePolicy = default_policy) -> None:
        self._policy = policy
        self._workflows: dict[tuple[str, float], tuple[Workflow, str]] = {}
        self._lock = threading.Lock()

    def place(self, request: JobRequest) -> Placement:
        labels, group = self._runs_on(request)
        return Placement(labels, group, self._policy(request), label_resources(labels, group))

    def workflow_text(self, request: JobRequest) -> str:
        """The text of the job's workflow as the run loaded it (shipped to the node)."""
        return self._workflow(request)[1]

    def _runs_on(self, request: JobRequest) -> tuple[tuple[str, ...], str | None]:
        job = self._workflow(request)[0].job(request.job_id)
        if not isinstance(job, Job) or job.runs_on is None:
            return (), None
        contexts = {"github": request.github, "matrix": request.matrix,
                    "strategy": request.strategy, "needs": request.needs,
                    "inputs": request.inputs, "vars": request.vars}
        return labels_of(render_node(job.runs_on.node, contexts))

    def _workflow(self, request: JobRequest) -> tuple[Workflow, str]:
        path = Path(request.workflow_path)
        try:
            key = (str(path), path.stat().st_mtime)
            with self._lock:
                found = self._workflows.get(key)
            if found is None:
                text = path.read_text(encoding="utf-8")
                loaded = load_workflow(path, request.workflow_display, Path(request.root))
                found = (loaded.workflow, text)
                with self._lock:
                    self._workflows[key] = found
        except OSError as error:
            raise QmoiError(f"cannot read {request.workflow_display}: {error}") from None
        return found


def unplaceable(placement: Placement, nodes: list[dict[str, float]]) -> str | None:
    """Why no node of ``nodes`` (their total resources) can ever run the job, or None."""
    missing = missing_labels(placement.custom, nodes)
    if missing:
        names = ", ".join(missing)
        return (f"no runner node has the label(s) {names}; join one with "
                f"`qmoi runner start --address ADDR --labels {','.join(missing)}`")
    wanted = placement.bundle()
    if not any(all(node.get(name, 0.0) >= amount for name, amount in wanted.items())
               for node in nodes):
        return f"no runner node has the resources the job asks for ({_shape(wanted)})"
    return None


def _shape(wanted: dict[str, float]) -> str:
    parts = []
    for name, amount in wanted.items():
        if name == "memory":
            parts.append(f"{amount / 2**20:.0f} MiB memory")
        elif name == "CPU":
            parts.append(f"{amount:g} CPU")
    return ", ".join(parts)


def configured_policy(root: Path, state_dir: Path | None) -> ResourcePolicy:
    """Requests as the local pool makes them: ``qcity.jobs`` in ``.github/qmoi.yml``, else
    what the pool learned about the job (``state_dir/profiles.json``), else the default."""
    from qmoi.runners.pool.config import pool_config
    from qmoi.runners.pool.intake import demand
    from qmoi.runners.pool.profiles import JsonProfiles, Profiles

    config = pool_config(root, state_dir)
    store = None if state_dir is None else JsonProfiles(state_dir / "profiles.json")
    profiles = Profiles(store)

    def policy(request: JobRequest) -> JobResources:
        wanted = demand(config, profiles, request)
        return JobResources(cpus=wanted.cpu, memory=wanted.memory)

    return policy
