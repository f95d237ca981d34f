"""A ready-set DAG scheduler: a job is considered the moment all it needs is done (never in
level stages), then started as soon as the runner, the matrix's ``max-parallel`` and its
concurrency group allow. It owns every result; runners only report events.

GitHub rules applied here (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax):
``jobs.<id>.if`` (evaluated in :mod:`qmoi.schedule.conditions`), ``strategy.fail-fast`` /
``max-parallel``, ``concurrency``, ``timeout-minutes`` (default 360) and ``continue-on-error``.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmoi.errors import QmoiError
from qmoi.events import Event, JobFinished, JobQueued, JobStarted, RunFinished, RunStarted
from qmoi.model import Job, ReusableCall
from qmoi.plan import EvaluationError, LoadedWorkflow, Plan, expand_strategy, github_context
from qmoi.plan.values import render_node, render_text
from qmoi.schedule.concurrency import ConcurrencyGroups
from qmoi.schedule.conditions import job_contexts, should_run
from qmoi.schedule.nodes import (
    ACTIVE,
    CALLING,
    CANCELLED,
    DONE,
    FAILURE,
    QUEUED,
    RUNNING,
    SKIPPED,
    SUCCESS,
    WAITING,
    JobNode,
    Leg,
    WorkflowRun,
    workflow_prefix,
)
from qmoi.schedule.protocol import JobRequest, Runner

_CANCEL = object()
DEFAULT_TIMEOUT_MINUTES = 360.0


@dataclass(frozen=True, slots=True)
class RunOptions:
    """``matrix`` keeps only legs with these values (``--matrix``); ``env`` is added to
    every job's environment (``--env-file``)."""

    root: Path
    run_dir: Path
    secrets: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    matrix: Sequence[tuple[str, str]] = ()


class Scheduler:
    def __init__(self, plan: Plan, workflows: Sequence[LoadedWorkflow], runner: Runner,
                 sink: Callable[[Event], None], options: RunOptions) -> None:
        self.plan, self.runner, self.sink, self.options = plan, runner, sink, options
        # SimpleQueue: a put and a get in C, no Condition; every log line passes here
        self._events: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._groups = ConcurrencyGroups()
        self._queue: list[Leg] = []
        self._legs: dict[str, Leg] = {}
        self._cancelled = False
        self._called: set[str] = set()
        self._nodes = self._build_nodes(workflows)

    def _build_nodes(self, workflows: Sequence[LoadedWorkflow]) -> dict[tuple[str, str], JobNode]:
        by_path = {w.display: w for w in workflows}
        many = len(self.plan.workflows) > 1
        nodes: dict[tuple[str, str], JobNode] = {}
        for planned in self.plan.workflows:
            loaded = by_path[planned.path]
            github = github_context(self.plan.event, self.plan.run, loaded.name,
                                    loaded.repo_path)
            run = WorkflowRun(planned, loaded, github, workflow_prefix(planned.repo_path, many),
                              key=planned.path)
            for job in planned.jobs:
                model = loaded.workflow.job(job.job_id)
                assert model is not None
                node = nodes[(run.key, job.job_id)] = JobNode(run, job, model)
                run.nodes.append(node)
        return nodes

    # ------------------------------------------------------------------ public

    def cancel(self) -> None:
        """Cancel the run (thread-safe; e.g. on Ctrl-C)."""
        self._events.put(_CANCEL)

    def run(self) -> str:
        """Run every job to the end; the run's result."""
        self._emit(RunStarted(self.plan.run.run_id, time.time()))
        while True:
            self._activate_ready()
            self._dispatch()
            if all(node.state == DONE for node in self._nodes.values()):
                break
            if not any(leg.state == RUNNING for leg in self._legs.values()):
                self._unblock()
                continue
            self._wait()
        result = self._result()
        self._emit(RunFinished(self.plan.run.run_id, result, time.time()))
        return result

    # ------------------------------------------------------------------ activation

    def _node(self, run: WorkflowRun, job_id: str) -> JobNode:
        return self._nodes[(run.key, job_id)]

    def _activate_ready(self) -> None:
        """Activate every job whose needs are done, until none is left (a job skipped here
        may make its dependents ready at once)."""
        changed = True
        while changed:
            changed = False
            for node in list(self._nodes.values()):  # a call adds its callee's jobs
                if node.state == WAITING and all(
                    self._node(node.run, need).state == DONE for need in node.planned.needs
                ):
                    self._activate(node)
                    changed = True

    def _contexts(self, node: JobNode) -> dict[str, Any]:
        return job_contexts(node, self.plan.vars, self._node)

    def _activate(self, node: JobNode) -> None:
        node.state = ACTIVE
        contexts = self._contexts(node)
        source = node.run.loaded.workflow.source
        cancelled = self._cancelled or node.run.is_cancelled()
        try:
            if not should_run(node, contexts, cancelled, self._node):
                self._finish_unrun(node, CANCELLED if cancelled else SKIPPED)
                return
            legs = node.planned.legs
            if legs is None:
                strategy = expand_strategy(node.model, contexts, source, self.options.matrix)
                legs = strategy.legs
                node.fail_fast, node.max_parallel = strategy.fail_fast, strategy.max_parallel
                node.total = strategy.total
            else:
                node.fail_fast, node.max_parallel = (node.planned.fail_fast,
                                                     node.planned.max_parallel)
                node.total = max(len(legs), max((leg.index + 1 for leg in legs), default=1))
            if not legs:
                self._finish_unrun(node, SKIPPED)
                return
            for planned_leg in legs:
                self._add_leg(node, Leg(self._leg_key(node, planned_leg.index), node,
                                        planned_leg), contexts)
        except EvaluationError as error:
            self._finish_unrun(node, FAILURE, str(error))

    def _leg_key(self, node: JobNode, index: int) -> str:
        return f"{node.base_key}-{index + 1}" if node.planned.is_matrix else node.base_key

    def _strategy(self, node: JobNode, leg: Leg) -> dict[str, Any]:
        return {"fail-fast": node.fail_fast, "job-index": leg.planned.index,
                "job-total": node.total, "max-parallel": node.max_parallel or node.total}

    def _add_leg(self, node: JobNode, leg: Leg, contexts: dict[str, Any]) -> None:
        node.legs.append(leg)
        self._legs[leg.key] = leg
        scoped = {**contexts, "matrix": leg.matrix, "strategy": self._strategy(node, leg)}
        self._emit(JobQueued(leg.key, node.job_id, node.run.names + leg.planned.name,
                             node.run.planned.path, dict(leg.matrix), time.time()))
        source = node.run.loaded.workflow.source
        model = node.model
        if isinstance(model, ReusableCall):
            self._call(leg, scoped)
            return
        if isinstance(model, Job):
            if model.continue_on_error is not None:
                leg.continue_on_error = bool(render_node(model.continue_on_error, scoped,
                                                         source))
            minutes = render_node(model.timeout_minutes, scoped, source)
            if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                leg.timeout = float(minutes) * 60
        self._queue.append(leg)
        concurrency = model.concurrency
        if concurrency is not None and concurrency.group is not None:
            self._join_group(leg, render_text(concurrency.group, scoped, source),
                             bool(render_node(concurrency.cancel_in_progress, scoped, source)))

    def _join_group(self, leg: Leg, group: str, cancel_in_progress: bool) -> None:
        leg.group = group
        admission = self._groups.queue(group, leg.key, cancel_in_progress=cancel_in_progress)
        for other in (admission.replaced, admission.interrupt):
            if other is not None and other in self._legs:
                self._cancel_leg(self._legs[other])

    def _finish_unrun(self, node: JobNode, result: str, message: str | None = None) -> None:
        now = time.time()
        self._emit(JobQueued(node.base_key, node.job_id, node.run.names + node.planned.name,
                             node.run.planned.path, {}, now))
        self._emit(JobFinished(node.base_key, result, {}, now, message))
        node.result, node.state = result, DONE
        self._node_done(node)

    # ------------------------------------------------------------------ reusable calls

    def _call(self, leg: Leg, contexts: dict[str, Any]) -> None:
        """Start a reusable-workflow call: its callee's jobs join the run."""
        # Imported by the first call (with qmoi.plan.reusable): a run without one, most
        # runs, does not pay for them at its start.
        from qmoi.schedule.calls import callee_run

        leg.state = CALLING
        self._emit(JobStarted(leg.key, time.time()))
        try:
            run = callee_run(leg, contexts, self.options.root,
                             self.options.run_dir.parent.parent / "cache",
                             self.options.secrets, self._called)
        except QmoiError as error:
            self._done(leg, JobFinished(leg.key, FAILURE, {}, time.time(), str(error)))
            return
        leg.call = run
        for node in run.nodes:
            self._nodes[(run.key, node.job_id)] = node
        if not run.nodes:
            self._finish_call(run)

    def _node_done(self, node: JobNode) -> None:
        run = node.run
        if run.parent is not None and run.parent.state == CALLING and all(
                other.state == DONE for other in run.nodes):
            self._finish_call(run)

    def _finish_call(self, run: WorkflowRun) -> None:
        from qmoi.schedule.calls import call_result

        leg = run.parent
        assert leg is not None
        result, outputs, message = call_result(run, self._contexts(leg.node))
        self._done(leg, JobFinished(leg.key, result, outputs, time.time(), message))

    # ------------------------------------------------------------------ running

    def _dispatch(self) -> None:
        running = sum(1 for leg in self._legs.values() if leg.state == RUNNING)
        for leg in list(self._queue):
            if running >= self.runner.capacity:
                return
            node = leg.node
            if node.max_parallel is not None and node.running_legs() >= node.max_parallel:
                continue
            if leg.group is not None and not self._groups.may_start(leg.group, leg.key):
                continue
            self._start(leg)
            running += 1

    def _start(self, leg: Leg) -> None:
        self._queue.remove(leg)
        node = leg.node
        leg.state = RUNNING
        leg.deadline = time.monotonic() + leg.timeout
        if leg.group is not None:
            self._groups.started(leg.group, leg.key)
        contexts = self._contexts(node)
        request = JobRequest(
            run_id=self.plan.run.run_id, key=leg.key, workflow_path=str(node.run.loaded.path),
            workflow_display=node.run.planned.path, job_id=node.job_id,
            name=node.run.names + leg.planned.name,
            root=str(self.options.root), run_dir=str(self.options.run_dir),
            github=node.run.github, matrix=dict(leg.matrix),
            strategy=self._strategy(node, leg), needs=contexts["needs"],
            inputs=dict(node.run.planned.inputs), vars=dict(self.plan.vars),
            secrets=dict(self.options.secrets if node.run.secrets is None else node.run.secrets),
            env=dict(self.options.env),
        )
        self.runner.submit(request, self._events.put)

    def _wait(self) -> None:
        """Take the next item; pass on the plain events behind it too, until one that
        changes what runs (a job's end, a cancellation) or an empty queue. Only those need
        the loop's pass over every job: a step printing 200,000 lines made 200,000 such
        passes (and a 256-leg matrix, one pass over 256 legs per log line)."""
        deadlines = [leg.deadline for leg in self._legs.values()
                     if leg.state == RUNNING and leg.deadline is not None and not leg.timed_out]
        deadline = min(deadlines) if deadlines else None
        timeout = max(0.0, deadline - time.monotonic()) if deadline is not None else None
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            self._expire()
            return
        while True:
            if item is _CANCEL:
                self._cancel_run()
                return
            if isinstance(item, JobFinished):
                self._finished(item)
                return
            self._emit(item)  # type: ignore[arg-type]
            if deadline is not None and time.monotonic() >= deadline:
                self._expire()  # a job's time is up, however much it goes on printing
                return
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return

    def _expire(self) -> None:
        now = time.monotonic()
        for leg in self._legs.values():
            if leg.state == RUNNING and leg.deadline is not None and leg.deadline <= now \
                    and not leg.timed_out:
                leg.timed_out = True
                self.runner.cancel(leg.key)

    def _cancel_run(self) -> None:
        self._cancelled = True
        for leg in list(self._legs.values()):
            self._cancel_leg(leg)

    def _cancel_leg(self, leg: Leg) -> None:
        if leg.state == CALLING and leg.call is not None:
            leg.call.cancelled = True
            for node in leg.call.nodes:
                for other in list(node.legs):
                    self._cancel_leg(other)
        elif leg.state == RUNNING:
            self.runner.cancel(leg.key)
        elif leg.state == QUEUED:
            self._queue.remove(leg)
            self._done(leg, JobFinished(leg.key, CANCELLED, {}, time.time()))

    def _finished(self, event: JobFinished) -> None:
        leg = self._legs.get(event.key)
        if leg is None or leg.state == DONE:
            return
        if leg.timed_out:
            minutes = f"{leg.timeout / 60:g}"
            event = JobFinished(event.key, FAILURE, event.outputs, event.at,
                                f"The job running on runner qmoi has exceeded the maximum "
                                f"execution time of {minutes} minutes.")
        self._done(leg, event)
        node = leg.node
        if leg.counts_as_failure and node.fail_fast and node.planned.is_matrix:
            for other in node.legs:
                if other is not leg:
                    self._cancel_leg(other)

    def _done(self, leg: Leg, event: JobFinished) -> None:
        leg.state, leg.result, leg.outputs = DONE, event.result, dict(event.outputs)
        leg.finished_at = time.monotonic()
        if leg.group is not None:
            self._groups.finished(leg.group, leg.key)
        self._emit(event)
        node = leg.node
        if all(other.state == DONE for other in node.legs):
            node.finish()
            self._node_done(node)

    def _unblock(self) -> None:
        """Nothing runs yet jobs remain: start the oldest queued leg; if none is queued the
        remaining jobs can never start, so they end cancelled instead of hanging."""
        if self._queue:
            self._start(self._queue[0])
            return
        for node in self._nodes.values():
            if node.state != DONE and not node.legs:
                self._finish_unrun(node, CANCELLED, "the job could not be scheduled")
            elif node.state != DONE:
                node.finish()

    def _result(self) -> str:
        nodes = list(self._nodes.values())
        if any(leg.counts_as_failure for node in nodes for leg in node.legs) or any(
            node.result == FAILURE and not node.legs for node in nodes
        ):
            return FAILURE
        if self._cancelled or any(node.result == CANCELLED for node in nodes):
            return CANCELLED
        return SUCCESS

    def _emit(self, event: Event) -> None:
        self.sink(event)
