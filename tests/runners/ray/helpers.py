"""Runs through the scheduler on a ``RayRunner`` (the path ``qmoi run --runners ray``
takes, minus the connection the session fixture already holds)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from qmoi.events import Event, JobAttemptLost, JobFinished, JobStarted, LogLine, LogLines
from qmoi.execute.host import HostExecutor
from qmoi.execute.process import Grace
from qmoi.execute.session import new_run
from qmoi.plan import build_plan, load_workflows, synthesise_event
from qmoi.runners.ray.runner import RayOptions, RayRunner
from qmoi.schedule import RunOptions, RunRecord, Scheduler


@dataclass
class RayOutcome:
    record: RunRecord
    runner: RayRunner
    events: list[Event] = field(default_factory=list)

    def job(self, job_id: str) -> dict[str, object]:
        for job in self.record.to_json()["jobs"]:
            if job["id"] == job_id:
                return job  # type: ignore[no-any-return]
        raise KeyError(job_id)

    def of(self, kind: type, key: str | None = None) -> list[Event]:
        return [e for e in self.events
                if isinstance(e, kind) and (key is None or getattr(e, "key", None) == key)]

    def logs(self) -> list[str]:
        texts: list[str] = []
        for e in self.events:
            if isinstance(e, LogLines):
                texts += e.texts
            elif isinstance(e, LogLine):
                texts.append(e.text)
        return texts

    def started(self) -> list[JobStarted]:
        return self.of(JobStarted)  # type: ignore[return-value]

    def finished(self) -> list[JobFinished]:
        return self.of(JobFinished)  # type: ignore[return-value]

    def lost(self) -> list[JobAttemptLost]:
        return self.of(JobAttemptLost)  # type: ignore[return-value]


def run_on_ray(repo: Path, options: RayOptions = RayOptions(),
               watch: Callable[[Event, Scheduler], None] | None = None) -> RayOutcome:
    """Run the repository's push workflows on the connected Ray cluster; ``watch`` sees
    each event as it arrives (with the scheduler, to cancel the run)."""
    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, "push"), info, {})
    runner = RayRunner(partial(HostExecutor, Grace(0.3, 0.3)), options)
    outcome = RayOutcome(RunRecord(), runner)
    holder: list[Scheduler] = []
    lock = threading.Lock()

    def sink(event: Event) -> None:
        with lock:
            outcome.record.add(event)
            outcome.events.append(event)
        if watch is not None:
            watch(event, holder[0])

    scheduler = Scheduler(plan, loaded, runner, sink, RunOptions(repo, run_dir, {}))
    holder.append(scheduler)
    try:
        scheduler.run()
    finally:
        runner.close()
    return outcome
