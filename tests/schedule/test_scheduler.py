"""The scheduler with the inline runner and a scripted executor (no processes): ready-set
starts, max-parallel, fail-fast, skip propagation, concurrency, timeouts."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from qmoi.events import Event, JobFinished, JobStarted, LogLine
from qmoi.plan import build_plan, load_workflows, synthesise_event
from qmoi.plan.contexts import RunInfo
from qmoi.runners import CancelToken, InlineRunner
from qmoi.schedule import JobRequest, RunOptions, RunRecord, Scheduler
from run_helpers import make_repo


class Scripted:
    """Each job sleeps ``matrix.sleep`` or ``sleeps[job]`` seconds (cut short by cancel) and
    fails when its matrix says ``fail: true`` or its id is in ``failing``."""

    def __init__(self, sleeps: dict[str, float] | None = None,
                 failing: tuple[str, ...] = ()) -> None:
        self.sleeps = sleeps or {}
        self.failing = failing
        self.running = 0
        self.peak = 0
        self.lock = threading.Lock()
        self.requests: list[JobRequest] = []

    def run_job(self, request: JobRequest, emit: Any, token: CancelToken) -> None:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.requests.append(request)
        emit(JobStarted(request.key, time.time()))
        delay = float(request.matrix.get("sleep", self.sleeps.get(request.job_id, 0.0)))
        cancelled = token.wait(delay)
        with self.lock:
            self.running -= 1
        failed = request.matrix.get("fail") is True or request.job_id in self.failing
        result = "cancelled" if cancelled else "failure" if failed else "success"
        outputs = {"who": request.key} if result == "success" else {}
        emit(JobFinished(request.key, result, outputs, time.time()))


def _run(tmp_path: Path, workflow: str, executor: Scripted, capacity: int = 8
         ) -> tuple[str, RunRecord, list[Event]]:
    repo = make_repo(tmp_path / "r", {"ci.yml": workflow})
    loaded = load_workflows([], repo, repo)
    plan = build_plan(loaded, synthesise_event(repo, "push"), RunInfo("7"))
    record = RunRecord()
    events: list[Event] = []

    def sink(event: Event) -> None:
        record.add(event)
        events.append(event)

    runner = InlineRunner(executor, capacity)
    scheduler = Scheduler(plan, loaded, runner, sink, RunOptions(repo, tmp_path / "run"))
    try:
        result = scheduler.run()
    finally:
        runner.close()
    return result, record, events


def _results(record: RunRecord) -> dict[str, str | None]:
    return {key: job.result for key, job in record.jobs.items()}


def test_ready_set_a_fast_branch_does_not_wait_for_a_slow_unrelated_job(tmp_path: Path) -> None:
    executor = Scripted({"slow": 0.8, "fast": 0.05, "after_fast": 0.05})
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          slow: {runs-on: x, steps: [{run: a}]}
          fast: {runs-on: x, steps: [{run: a}]}
          after_fast: {runs-on: x, needs: fast, steps: [{run: a}]}
          after_slow: {runs-on: x, needs: [slow, after_fast], steps: [{run: a}]}
        """, executor)
    assert result == "success"
    jobs = record.jobs
    # after_fast starts as soon as fast is done, long before the slow job (a level-staged
    # runner would hold it until every job of the first level had finished).
    assert jobs["after_fast"].started_at is not None and jobs["slow"].finished_at is not None
    assert jobs["after_fast"].started_at < jobs["slow"].finished_at - 0.5
    assert jobs["after_slow"].started_at >= jobs["slow"].finished_at  # type: ignore[operator]


def test_max_parallel_is_respected(tmp_path: Path) -> None:
    executor = Scripted()
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            strategy:
              max-parallel: 2
              matrix: {sleep: [0.1, 0.1, 0.1, 0.1, 0.1]}
            steps: [{run: a}]
        """, executor)
    assert result == "success" and len(record.jobs) == 5
    assert executor.peak == 2
    assert sorted(r.strategy["job-index"] for r in executor.requests) == [0, 1, 2, 3, 4]
    assert {r.strategy["job-total"] for r in executor.requests} == {5}


def test_runner_capacity_caps_all_jobs(tmp_path: Path) -> None:
    executor = Scripted()
    _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            strategy: {matrix: {sleep: [0.1, 0.1, 0.1, 0.1]}}
            steps: [{run: a}]
        """, executor, capacity=3)
    assert executor.peak == 3


def test_fail_fast_cancels_queued_and_running_legs(tmp_path: Path) -> None:
    executor = Scripted()
    started = time.monotonic()
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            strategy:
              max-parallel: 2
              matrix:
                include:
                  - {sleep: 0.05, fail: true}
                  - {sleep: 5}
                  - {sleep: 5}
            steps: [{run: a}]
        """, executor)
    assert time.monotonic() - started < 3
    assert result == "failure"
    assert _results(record) == {"m-1": "failure", "m-2": "cancelled", "m-3": "cancelled"}


def test_no_fail_fast_lets_legs_finish(tmp_path: Path) -> None:
    _, record, _ = _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            strategy:
              fail-fast: false
              matrix:
                include: [{sleep: 0.01, fail: true}, {sleep: 0.2}]
            steps: [{run: a}]
        """, Scripted())
    assert _results(record) == {"m-1": "failure", "m-2": "success"}


def test_skip_propagation_and_status_functions(tmp_path: Path) -> None:
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          a: {runs-on: x, steps: [{run: a}]}
          b: {runs-on: x, needs: a, steps: [{run: a}]}
          c: {runs-on: x, needs: b, steps: [{run: a}]}
          d: {runs-on: x, needs: b, if: always(), steps: [{run: a}]}
          e: {runs-on: x, needs: c, if: failure(), steps: [{run: a}]}
          f: {runs-on: x, needs: a, if: "${{ needs.a.result == 'failure' }}", steps: [{run: a}]}
        """, Scripted(failing=("a",)))
    assert result == "failure"
    assert _results(record) == {"a": "failure", "b": "skipped", "c": "skipped", "d": "success",
                                "e": "success", "f": "skipped"}


def test_outputs_and_results_reach_dependents(tmp_path: Path) -> None:
    executor = Scripted()
    _run(tmp_path, """
        on: push
        jobs:
          a: {runs-on: x, steps: [{run: a}]}
          b: {runs-on: x, needs: a, steps: [{run: a}]}
        """, executor)
    b = next(r for r in executor.requests if r.job_id == "b")
    assert b.needs == {"a": {"result": "success", "outputs": {"who": "a"}}}
    assert b.github["event_name"] == "push" and b.github["run_id"] == "7"


def test_matrix_from_needs_is_expanded_after_the_needs(tmp_path: Path) -> None:
    class Emits(Scripted):
        def run_job(self, request: JobRequest, emit: Any, token: CancelToken) -> None:
            if request.job_id == "setup":
                emit(JobStarted(request.key, time.time()))
                emit(JobFinished(request.key, "success", {"m": '{"n": [1, 2, 3]}'}, time.time()))
                return
            super().run_job(request, emit, token)

    executor = Emits()
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          setup: {runs-on: x, steps: [{run: a}]}
          use:
            runs-on: x
            needs: setup
            strategy: {matrix: "${{ fromJSON(needs.setup.outputs.m) }}"}
            steps: [{run: a}]
        """, executor)
    assert result == "success"
    assert [record.jobs[k].name for k in ("use-1", "use-2", "use-3")] == [
        "use (1)", "use (2)", "use (3)"]


def test_concurrency_group_cancel_in_progress(tmp_path: Path) -> None:
    _, record, _ = _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            concurrency: {group: same, cancel-in-progress: true}
            strategy: {matrix: {sleep: [5, 0.05]}}
            steps: [{run: a}]
        """, Scripted())
    assert _results(record) == {"m-1": "cancelled", "m-2": "success"}


def test_concurrency_group_replaces_the_pending_job(tmp_path: Path) -> None:
    _, record, _ = _run(tmp_path, """
        on: push
        jobs:
          m:
            runs-on: x
            concurrency: one-at-a-time
            strategy: {matrix: {sleep: [0.3, 0.01, 0.01]}}
            steps: [{run: a}]
        """, Scripted())
    # 1 runs; 2 waits; 3 arrives and replaces (cancels) the pending 2; 3 runs after 1.
    assert _results(record) == {"m-1": "success", "m-2": "cancelled", "m-3": "success"}
    assert record.jobs["m-3"].started_at >= record.jobs["m-1"].finished_at  # type: ignore[operator]


class Chatty(Scripted):
    """Each job floods its log until it is cancelled."""

    def run_job(self, request: JobRequest, emit: Any, token: CancelToken) -> None:
        emit(JobStarted(request.key, time.time()))
        while not token.cancelled:
            for _ in range(200):
                emit(LogLine(request.key, 0, "spam", time.time()))
        emit(JobFinished(request.key, "cancelled", {}, time.time()))


# Chatty: the scheduler passes on a run of log events without its pass over the jobs, but
# looks at the clock between them, so a flood never hides a job's timeout (it did).
@pytest.mark.parametrize("executor", [Scripted({"slow": 10}), Chatty()],
                         ids=["quiet", "never-stops-printing"])
def test_job_timeout_fails_the_job(tmp_path: Path, executor: Scripted) -> None:
    started = time.monotonic()
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          slow: {runs-on: x, timeout-minutes: 0.005, steps: [{run: a}]}
        """, executor)
    assert result == "failure" and record.jobs["slow"].result == "failure"
    assert "maximum execution time of 0.005 minutes" in (record.jobs["slow"].message or "")
    assert time.monotonic() - started < 10


def test_job_continue_on_error_keeps_the_run_green(tmp_path: Path) -> None:
    result, record, _ = _run(tmp_path, """
        on: push
        jobs:
          flaky: {runs-on: x, continue-on-error: true, steps: [{run: a}]}
          after: {runs-on: x, needs: flaky, steps: [{run: a}]}
        """, Scripted(failing=("flaky",)))
    assert result == "success"
    assert _results(record) == {"flaky": "failure", "after": "success"}


def test_cancel_runs_only_always_jobs(tmp_path: Path) -> None:
    repo_result: dict[str, Any] = {}
    executor = Scripted({"long": 5})
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          long: {runs-on: x, steps: [{run: a}]}
          next: {runs-on: x, needs: long, steps: [{run: a}]}
          cleanup: {runs-on: x, needs: long, if: always(), steps: [{run: a}]}
        """})
    loaded = load_workflows([], repo, repo)
    plan = build_plan(loaded, synthesise_event(repo, "push"), RunInfo("1"))
    record = RunRecord()
    runner = InlineRunner(executor, 4)
    scheduler = Scheduler(plan, loaded, runner, record.add, RunOptions(repo, tmp_path / "x"))
    threading.Timer(0.2, scheduler.cancel).start()
    repo_result["result"] = scheduler.run()
    runner.close()
    assert repo_result["result"] == "cancelled"
    assert _results(record) == {"long": "cancelled", "next": "cancelled", "cleanup": "success"}


@pytest.mark.parametrize("bad", [0, -1])
def test_inline_runner_rejects_a_useless_capacity(bad: int) -> None:
    with pytest.raises(ValueError):
        InlineRunner(Scripted(), bad)


def test_reusable_call_support_loads_only_with_a_call() -> None:
    # qmoi.schedule.calls (and qmoi.plan.reusable) are imported by the first call: a run
    # without one does not pay for them at its start.
    code = ("import sys, qmoi.schedule\n"
            "print('qmoi.schedule.calls' in sys.modules, 'qmoi.plan.reusable' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.split() == ["False", "False"]
