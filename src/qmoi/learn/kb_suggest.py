"""Enhancements the history supports (``qmoi learn suggest``): timeouts for jobs and steps
that hung, a cache for slow dependency installs, flaky tests, and jobs whose ``needs`` only
serialise them (they could run in parallel). Each suggestion carries its evidence."""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from qmoi.learn.kb import KbEntry
from qmoi.learn.repairs import RepairKind
from qmoi.model import Job, Workflow
from qmoi.store import Store
from qmoi.store.models import JobAttempt, JobRow, Run, StepRow

SLOW_INSTALL_S = 30.0
_INSTALL = re.compile(
    r"\b(?:pip3? install|poetry install|uv sync|npm (?:ci|install)|yarn(?: install)?"
    r"|pnpm install|bundle install|go mod download|cargo (?:fetch|build)|apt-get install"
    r"|composer install|mvn .*dependency|gradle .*dependencies)\b")
_STEP_TIMEOUT = re.compile(r"The action '([^']+)' has timed out after")
_JOB_TIMEOUT = "exceeded the maximum execution time"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An enhancement the run history supports, where it applies, and the evidence for it."""

    kind: str  # timeout-minutes | cache | flaky | parallel
    where: str
    message: str
    evidence: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "message": self.message,
                "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class JobHistory:
    """One finished job attempt: ``steps`` are (name, seconds) in order."""

    workflow: str
    job_id: str
    result: str | None
    message: str | None
    seconds: float | None
    steps: tuple[tuple[str, float], ...]


def _where(signature: str) -> str:
    """``workflow/job`` from a knowledge-base signature (``… @ <where>: …``)."""
    _, _, rest = signature.partition(" @ ")
    return rest.split(": ", 1)[0] if rest else signature


def flaky(entries: Iterable[KbEntry]) -> list[Suggestion]:
    found = []
    for entry in entries:
        for stats in entry.repairs:
            if stats.repair == RepairKind.RERUN_FLAKY.value and stats.successes:
                found.append(Suggestion(
                    "flaky", _where(entry.signature),
                    "a flaky test: fix or quarantine it (it fails, then passes on the same "
                    "commit)", f"passed on a re-run {stats.successes} of {stats.attempts} "
                    f"time(s): {entry.example or entry.signature}"))
    return found


def timeouts(history: Sequence[JobHistory], entries: Iterable[KbEntry]) -> list[Suggestion]:
    found = []
    hung: dict[tuple[str, str], int] = defaultdict(int)
    for job in history:
        if job.message and _JOB_TIMEOUT in job.message:
            hung[(job.workflow, job.job_id)] += 1
    for (workflow, job_id), count in sorted(hung.items()):
        took = [j.seconds for j in history if j.workflow == workflow and j.job_id == job_id
                and j.result == "success" and j.seconds is not None]
        limit = f"{_minutes(max(took) * 2)}" if took else "a few times its usual duration"
        found.append(Suggestion("timeout-minutes", f"{workflow}/{job_id}",
                                f"set timeout-minutes: {limit} so a hang fails fast",
                                f"timed out {count} time(s)"))
    for entry in entries:
        match = _STEP_TIMEOUT.search(entry.example or "")
        if match:
            found.append(Suggestion("timeout-minutes", f"{_where(entry.signature)}",
                                    f"step '{match.group(1)}' hangs: give it its own "
                                    "timeout-minutes and look at why",
                                    f"timed out {entry.occurrences} time(s)"))
    return found


def slow_installs(history: Sequence[JobHistory], threshold: float = SLOW_INSTALL_S
                  ) -> list[Suggestion]:
    took: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    cached: set[tuple[str, str]] = set()
    for job in history:
        for name, seconds in job.steps:
            if "cache" in name.lower():
                cached.add((job.workflow, job.job_id))
            elif _INSTALL.search(name):
                took[(job.workflow, job.job_id, name)].append(seconds)
    found = []
    for (workflow, job_id, name), times in sorted(took.items()):
        median = statistics.median(times)
        if median >= threshold and (workflow, job_id) not in cached:
            found.append(Suggestion("cache", f"{workflow}/{job_id}",
                                    f"cache the dependencies of '{name}' (actions/cache or "
                                    "the setup action's cache input)",
                                    f"median {median:.0f}s over {len(times)} run(s)"))
    return found


def parallel(workflows: Iterable[tuple[str, Workflow]], history: Sequence[JobHistory]
             ) -> list[Suggestion]:
    """Jobs that ``need`` another but read nothing from it (no ``needs.<id>``, no artifact
    passed along): the edge only makes them wait. Suggested when history shows both."""
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    for done in history:
        if done.seconds is not None and done.result == "success":
            durations[(done.workflow, done.job_id)].append(done.seconds)
    found = []
    for path, workflow in workflows:
        jobs = {job.id: job for job in workflow.jobs if isinstance(job, Job)}
        for job in jobs.values():
            text = workflow.source.slice(job.node.span)
            for need in job.needs:
                other = jobs.get(need.id)
                if other is None or f"needs.{need.id}" in text or _passes_artifacts(
                        workflow.source.slice(other.node.span), text):
                    continue
                mine, theirs = durations.get((path, job.id)), durations.get((path, need.id))
                if not mine or not theirs:
                    continue
                saved = min(statistics.median(mine), statistics.median(theirs))
                found.append(Suggestion(
                    "parallel", f"{path}/{job.id}",
                    f"'{job.id}' needs '{need.id}' but uses nothing from it: drop the need "
                    "to run them in parallel", f"would save about {saved:.0f}s per run"))
    return found


def _passes_artifacts(producer: str, consumer: str) -> bool:
    return "upload-artifact" in producer and "download-artifact" in consumer


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def job_history(store: Store, root: Path, limit: int = 2000) -> list[JobHistory]:
    """The latest finished job attempts of runs in ``root``, with their steps' durations."""
    with store.read() as session:
        rows = session.execute(
            select(JobRow, JobAttempt.id).join(Run, Run.id == JobRow.run_id)
            .join(JobAttempt, JobAttempt.job_pk == JobRow.id)
            .where(Run.root == str(root), JobRow.finished_at.is_not(None))
            .order_by(JobRow.finished_at.desc()).limit(limit)).all()
        attempt_ids = [attempt for _, attempt in rows]
        steps = session.execute(select(StepRow).where(StepRow.attempt_id.in_(attempt_ids))
                                .order_by(StepRow.index)).scalars().all()
    by_attempt: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for step in steps:
        if step.finished_at is not None:
            by_attempt[step.attempt_id].append((step.name, step.finished_at - step.started_at))
    history = []
    for job, attempt in rows:
        took = None if job.started_at is None or job.finished_at is None else \
            job.finished_at - job.started_at
        history.append(JobHistory(job.workflow, job.job_id, job.result, job.message, took,
                                  tuple(by_attempt.get(attempt, ()))))
    return history


def suggest(entries: Sequence[KbEntry], history: Sequence[JobHistory],
            workflows: Iterable[tuple[str, Workflow]]) -> list[Suggestion]:
    return [*timeouts(history, entries), *slow_installs(history), *flaky(entries),
            *parallel(workflows, history)]
