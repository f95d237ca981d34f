"""The runner conformance suite: what every ``qmoi.schedule.Runner`` must do, whatever runs
the jobs (threads, worker processes, a Ray cluster).

Use it from a test module of your backend::

    from runners.conformance import *  # noqa: F403  (the tests and the helpers)

    @pytest.fixture
    def make_runner() -> Iterator[MakeRunner]:
        yield lambda factory, capacity: MyRunner(factory, capacity)

``factory`` is a picklable, module-level callable returning a ``JobExecutor`` (here
:class:`ScriptedExecutor`, which does what each request's ``QMOI_SCRIPT`` env says), so a
backend may call it in another process or on another machine. A runner made by the fixture
is closed by the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qmoi.events import Event, JobFinished, JobStarted, LogLine, StepFinished, StepStarted
from qmoi.runners import CancelToken, JobExecutor
from qmoi.schedule import JobRequest, Runner

MakeRunner = Callable[[Callable[[], JobExecutor], int], Runner]
WORKFLOW = "on: push\njobs:\n  job:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"


class ScriptedExecutor:
    """Runs the steps a request's ``QMOI_SCRIPT`` lists (JSON): each step is a dict with
    ``name`` and any of ``sleep`` (seconds), ``wait_cancel`` (seconds to wait for a cancel),
    ``command`` (argv run as a child process, killed on cancel), ``fail``, ``always`` (runs
    after a failure or cancel), ``thread`` (its events come from another thread), ``raise``
    (the executor raises), ``once`` (a marker file: when it does not exist yet, the step
    creates it and sleeps ``sleep`` seconds; when it exists, the step is quick),
    ``fail_first`` (a marker file: the first run to create it fails). The job's
    ``outputs`` come from ``QMOI_OUTPUTS`` (JSON) plus ``matrix`` (the matrix as JSON)."""

    def run_job(self, request: JobRequest, emit: Callable[[Event], None],
                token: CancelToken) -> None:
        emit(JobStarted(request.key, time.time()))
        status = "success"
        for index, step in enumerate(json.loads(request.env.get("QMOI_SCRIPT", "[]"))):
            if status != "success" and not step.get("always"):
                continue
            if step.get("raise"):
                raise RuntimeError(step["raise"])
            outcome = self._step(request, emit, token, index, step)
            if outcome != "success" and status == "success":
                status = outcome
        if token.cancelled and status == "success":
            status = "cancelled"
        outputs = dict(json.loads(request.env.get("QMOI_OUTPUTS", "{}")))
        outputs["matrix"] = json.dumps(request.matrix, sort_keys=True)
        emit(JobFinished(request.key, status, outputs if status == "success" else {},
                         time.time()))

    def _step(self, request: JobRequest, emit: Callable[[Event], None], token: CancelToken,
              index: int, step: dict[str, Any]) -> str:
        result: list[str] = []

        def body() -> None:
            emit(StepStarted(request.key, index, "", step["name"], time.time()))
            emit(LogLine(request.key, index, f"pid {os.getpid()} runs {step['name']}",
                         time.time()))
            outcome = _act(step, token)
            emit(StepFinished(request.key, index, "", outcome, outcome,
                              {"step": step["name"]}, time.time()))
            result.append(outcome)

        if step.get("thread"):
            thread = threading.Thread(target=body)
            thread.start()
            thread.join()
        else:
            body()
        return result[0]


def _act(step: dict[str, Any], token: CancelToken) -> str:
    if step.get("fail_first"):  # the first run to get here fails, any later one succeeds
        try:
            os.close(os.open(step["fail_first"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return "success"
        return "failure"
    if step.get("once"):
        marker = Path(step["once"])
        if marker.exists():
            return "success"
        marker.write_text(str(os.getpid()))
    if "sleep" in step and token.wait(float(step["sleep"])) and not step.get("always"):
        return "cancelled"
    if "wait_cancel" in step:
        return "cancelled" if token.wait(float(step["wait_cancel"])) else "success"
    if "command" in step:
        return _command(step["command"], token)
    return "failure" if step.get("fail") else "success"


def _command(argv: list[str], token: CancelToken) -> str:
    proc = subprocess.Popen(argv)
    while proc.poll() is None:
        if token.wait(0.02):
            proc.kill()
            proc.wait()
            return "cancelled"
    return "success" if proc.returncode == 0 else "failure"


def scripted() -> JobExecutor:
    return ScriptedExecutor()


# --------------------------------------------------------------------------- helpers


class Collector:
    """The events a runner emitted, from whatever thread, with a way to wait for one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self._cond:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(self, check: Callable[[list[Event]], bool], timeout: float = 30.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: check(self.events), timeout):
                raise AssertionError(f"timed out; events so far: {self.events}")

    def finished(self, key: str) -> JobFinished:
        self.wait_for(lambda events: any(isinstance(e, JobFinished) and e.key == key
                                         for e in events))
        return next(e for e in self.of(key) if isinstance(e, JobFinished))

    def of(self, key: str) -> list[Event]:
        with self._cond:
            return [e for e in self.events if getattr(e, "key", None) == key]


def request(tmp: Path, key: str, steps: list[dict[str, Any]], *, job_id: str = "job",
            outputs: dict[str, str] | None = None, matrix: dict[str, Any] | None = None,
            workflow: str = WORKFLOW) -> JobRequest:
    """A request for ``steps`` of a job of a real (tiny) workflow file under ``tmp``."""
    path = tmp / ".github" / "workflows" / "ci.yml"
    if not path.exists() or path.read_text() != workflow:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(workflow)
    env = {"QMOI_SCRIPT": json.dumps(steps), "QMOI_OUTPUTS": json.dumps(outputs or {})}
    return JobRequest(run_id="1", key=key, workflow_path=str(path),
                      workflow_display=".github/workflows/ci.yml", job_id=job_id, name=key,
                      root=str(tmp), run_dir=str(tmp / "run"), github={"sha": "0" * 40},
                      matrix=matrix or {}, env=env)


@pytest.fixture
def runner_of(make_runner: MakeRunner) -> Iterator[Callable[[int], Runner]]:
    made: list[Runner] = []

    def build(capacity: int = 4) -> Runner:
        made.append(make_runner(scripted, capacity))
        return made[-1]

    yield build
    for runner in made:
        runner.close()


def assert_well_ordered(events: list[Event], key: str) -> None:
    mine = [e for e in events if getattr(e, "key", None) == key]
    kinds = [type(e).__name__ for e in mine]
    assert kinds.count("JobStarted") == 1, kinds
    assert kinds.count("JobFinished") == 1, kinds
    assert kinds[0] == "JobStarted" and kinds[-1] == "JobFinished", kinds


# --------------------------------------------------------------------------- the suite


def test_events_come_in_order_exactly_once_per_key(runner_of: Any, tmp_path: Path) -> None:
    runner, seen = runner_of(3), Collector()
    keys = [f"job-{n}" for n in range(3)]
    for key in keys:
        runner.submit(request(tmp_path, key, [{"name": "a", "sleep": 0.05}, {"name": "b"}]),
                      seen)
    for key in keys:
        assert seen.finished(key).result == "success"
    runner.close()
    for key in keys:
        assert_well_ordered(seen.events, key)
        steps = [(type(e).__name__, getattr(e, "index", None)) for e in seen.of(key)
                 if isinstance(e, StepStarted | StepFinished)]
        assert steps == [("StepStarted", 0), ("StepFinished", 0), ("StepStarted", 1),
                         ("StepFinished", 1)]


def test_events_emitted_from_another_thread_arrive(runner_of: Any, tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    runner.submit(request(tmp_path, "t", [{"name": "threaded", "thread": True}]), seen)
    assert seen.finished("t").result == "success"
    assert_well_ordered(seen.events, "t")
    assert any(isinstance(e, LogLine) and "threaded" in e.text for e in seen.of("t"))


def test_cancel_interrupts_runs_always_steps_and_ends_cancelled(runner_of: Any,
                                                               tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    steps = [{"name": "long", "wait_cancel": 60}, {"name": "later"},
             {"name": "cleanup", "always": True}]
    runner.submit(request(tmp_path, "c", steps), seen)
    seen.wait_for(lambda events: any(isinstance(e, StepStarted) and e.key == "c"
                                     for e in events))
    began = time.monotonic()
    runner.cancel("c")
    finished = seen.finished("c")
    assert finished.result == "cancelled"
    assert time.monotonic() - began < 20
    names = [e.outputs.get("step") for e in seen.of("c") if isinstance(e, StepFinished)]
    assert names == ["long", "cleanup"]
    assert_well_ordered(seen.events, "c")


def test_cancelling_unknown_or_finished_keys_does_nothing(runner_of: Any,
                                                          tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    runner.cancel("never-submitted")
    runner.submit(request(tmp_path, "f", [{"name": "quick"}]), seen)
    assert seen.finished("f").result == "success"
    count = len(seen.of("f"))
    runner.cancel("f")
    runner.cancel("never-submitted")
    runner.close()
    assert len(seen.of("f")) == count


def test_runs_as_many_jobs_at_once_as_its_capacity(runner_of: Any, tmp_path: Path) -> None:
    runner = runner_of(3)
    count = min(runner.capacity, 3)
    seen = Collector()
    folder = tmp_path / "barrier"
    folder.mkdir()
    wait = [sys.executable, "-c",
            "import pathlib, sys, time\n"
            f"d = pathlib.Path({str(folder)!r}); (d / sys.argv[1]).touch()\n"
            f"end = time.time() + 20\n"
            f"while len(list(d.iterdir())) < {count} and time.time() < end: time.sleep(0.02)\n"
            f"sys.exit(0 if len(list(d.iterdir())) >= {count} else 1)\n"]
    for n in range(count):
        runner.submit(request(tmp_path, f"p{n}", [{"name": "meet",
                                                   "command": [*wait, str(n)]}]), seen)
    assert [seen.finished(f"p{n}").result for n in range(count)] == ["success"] * count


def test_close_waits_for_running_jobs(runner_of: Any, tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    runner.submit(request(tmp_path, "w", [{"name": "nap", "sleep": 0.5}]), seen)
    seen.wait_for(lambda events: any(isinstance(e, JobStarted) for e in events))
    runner.close()
    assert [e.result for e in seen.of("w") if isinstance(e, JobFinished)] == ["success"]


def test_a_job_that_raises_ends_failed_once(runner_of: Any, tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    runner.submit(request(tmp_path, "r", [{"name": "ok"}, {"name": "boom", "raise": "x"}]),
                  seen)
    finished = seen.finished("r")
    runner.close()
    assert finished.result == "failure"
    assert "internal error" in (finished.message or "")
    assert_well_ordered(seen.events, "r")


def test_outputs_and_request_round_trip(runner_of: Any, tmp_path: Path) -> None:
    runner, seen = runner_of(), Collector()
    outputs = {"text": "héllo\nwörld ✓", "empty-ish": " ", "json": '{"a": [1, 2]}'}
    matrix = {"os": "ubuntu", "n": 3, "deep": {"x": [True, None]}}
    runner.submit(request(tmp_path, "o", [{"name": "s"}], outputs=outputs, matrix=matrix),
                  seen)
    finished = seen.finished("o")
    assert finished.result == "success"
    assert finished.outputs == {**outputs, "matrix": json.dumps(matrix, sort_keys=True)}
    step = next(e for e in seen.of("o") if isinstance(e, StepFinished))
    assert step.outputs == {"step": "s"}
