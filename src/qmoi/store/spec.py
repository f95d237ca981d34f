"""What the store keeps about a run besides its events, as objects (``RunSpec``) and as the
plain JSON header a run journal starts with (``run_header``). Imports no SQLAlchemy: a run
builds its header before anything heavy is loaded (``qmoi.store.journal``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qmoi.store.liveness import Coordinator

if TYPE_CHECKING:
    from qmoi.plan import LoadedWorkflow, Plan
    from qmoi.schedule import RunOptions

LOCAL_RUNNER = "local"


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What the store keeps about a run besides its events (enough to resume it)."""

    plan: Plan
    workflows: Sequence[LoadedWorkflow]
    options: RunOptions
    capacity: int | None = None
    runner: str = LOCAL_RUNNER


def run_header(spec: RunSpec, me: Coordinator, now: float | None = None) -> dict[str, Any]:
    """The run row's values and its workflows' texts, JSON-serialisable: what
    ``qmoi.store.runrow.insert_run`` writes."""
    plan, options = spec.plan, spec.options
    loaded = {w.display: w for w in spec.workflows}
    return {
        "run_id": plan.run.run_id, "number": plan.run.run_number,
        "attempt": plan.run.run_attempt, "event": plan.event.name,
        "event_data": _plain(dataclasses.asdict(plan.event)), "commit_sha": plan.event.sha,
        "ref": plan.event.ref, "repository": plan.event.repository, "root": str(options.root),
        "run_dir": str(options.run_dir), "plan": plan.to_json(), "variables": dict(plan.vars),
        "matrix_filter": [list(pair) for pair in options.matrix], "capacity": spec.capacity,
        "runner": spec.runner, "started_at": time.time() if now is None else now,
        "coordinator": {"pid": me.pid, "host": me.host, "start": me.start},
        "workflows": [{"path": w.path, "repo_path": w.repo_path, "name": w.name,
                       "text": loaded[w.path].workflow.source.text} for w in plan.workflows],
    }


def header_coordinator(header: dict[str, Any]) -> Coordinator:
    found = header["coordinator"]
    return Coordinator(int(found["pid"]), str(found["host"]), found["start"])


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
