"""QCity's local pool under load (issue 7's performance targets).

1. A 256-leg matrix of jobs that each ``sleep 0.5``: wall time against the ideal for the
   number of slots the pool chose (ceil(256 / slots) × 0.5 s; target ≤ 1.15×), and against
   running all legs at once (ideal 0.5 s, and measured: the thread runner with 256 slots;
   target ≤ 2×).
2. A 256-leg matrix of jobs that each burn 0.2 s of CPU: against legs × 0.2 s / cores
   (target ≤ 1.2×).
3. Scheduling overhead per job on a warm pool (submit → the job's ``JobStarted``), median
   (target < 20 ms).

Each matrix runs twice through ``run_locally`` with the host executor (what ``qmoi run``
does: a private copy of the run's checkout, env files and a shell per job), cold
(nothing learned) then warm (requests learned from the first run), and once through the
pool alone with a minimal executor that only runs the command (the engine's own cost,
without the host executor's).

    python bench/qcity_bench.py [--legs 256]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from qmoi.events import Event, JobFinished, JobStarted
from qmoi.runners import CancelToken
from qmoi.runners.pool import LocalPool, PoolConfig
from qmoi.schedule import JobRequest

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
BURN = ("python3 -c \"exec('import time\\nend = time.process_time() + 0.2\\n"
        "while time.process_time() < end: pass')\"")


class Costs:
    """CPU spent between ``start`` and ``note``: by this process tree (the coordinator, the
    fork server, the workers and the jobs), and by the rest of the machine — on a shared
    machine a wall time means little without both."""

    def start(self) -> None:
        self._wall, self._ours, self._machine = time.perf_counter(), _tree_cpu(), _busy()

    def note(self, legs: int) -> str:
        wall = time.perf_counter() - self._wall
        ours, machine = _tree_cpu() - self._ours, _busy() - self._machine
        # The run's own CPU spread over every core is a floor no slot count gets under:
        # for sleeping legs it is what the harness costs (processes, files, events).
        cores = os.cpu_count() or 1
        return (f" [CPU {ours / legs * 1000:.1f} ms a job, floor {ours / cores:.2f}s on "
                f"{cores} cores; other load {max(0.0, machine - ours) / wall:.1f} cores]")


def _tree_cpu() -> float:
    """CPU seconds of this process and its descendants, with the children they reaped."""
    total = 0.0
    me = psutil.Process()
    for process in (me, *me.children(recursive=True)):
        try:
            total += sum(process.cpu_times()[:4])
        except psutil.Error:
            continue
    return total


def _busy() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.system + getattr(times, "nice", 0.0))


def matrix_workflow(legs: int, command: str) -> str:
    values = ", ".join(str(i) for i in range(legs))
    indented = command.replace("\n", "\n          ")
    return ("on: push\njobs:\n  legs:\n    runs-on: ubuntu-latest\n    strategy:\n"
            f"      matrix:\n        n: [{values}]\n    steps:\n      - run: |\n"
            f"          {indented}\n")


def make_repo(folder: Path, text: str) -> Path:
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "m.yml").write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(["git", *args], cwd=folder, check=True, env=env)
    return folder


def most_at_once(events: list[Event]) -> int:
    edges = sorted((e.at, 1 if isinstance(e, JobStarted) else -1) for e in events
                   if isinstance(e, JobStarted | JobFinished))
    now = best = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def run_repo(repo: Path, runners: str = "local", capacity: int | None = None
             ) -> tuple[float, int, str]:
    """Wall seconds, most jobs at once, and the run's result."""
    from qmoi.execute.session import LocalRun, new_run, run_locally
    from qmoi.plan import build_plan, load_workflows, synthesise_event
    from qmoi.schedule import RunOptions

    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, "push"), info, {})
    events: list[Event] = []
    began = time.perf_counter()
    record = run_locally(LocalRun(plan, loaded, RunOptions(repo, run_dir), capacity,
                                  runners=runners), events.append)
    return time.perf_counter() - began, most_at_once(events), str(record.result)


class ShellExecutor:
    """The least a job can be: start, run its command in a shell, finish."""

    def run_job(self, request: JobRequest, emit: Callable[[Event], None],
                token: CancelToken) -> None:
        emit(JobStarted(request.key, time.time()))
        done = subprocess.run(["sh", "-c", request.env["CMD"]], check=False)
        emit(JobFinished(request.key, "success" if done.returncode == 0 else "failure", {},
                         time.time()))


def shell_executor() -> ShellExecutor:
    return ShellExecutor()


class _Counted:
    """The events of ``count`` jobs; ``done`` is set when all have finished (waiting on it
    costs the coordinator no CPU, unlike polling the list)."""

    def __init__(self, count: int) -> None:
        self.events: list[Event] = []
        self.left = count
        self.done = threading.Event()

    def add(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, JobFinished):
            self.left -= 1
            if self.left == 0:
                self.done.set()


def engine_run(legs: int, command: str, folder: Path) -> tuple[float, int]:
    """The pool alone (no scheduler, no host executor): wall seconds and most at once."""
    folder.mkdir(parents=True, exist_ok=True)
    workflow = folder / "m.yml"
    workflow.write_text(matrix_workflow(1, command), encoding="utf-8")
    pool = LocalPool(shell_executor, PoolConfig(state_dir=folder / "state"))
    try:
        for warm in (False, True):  # the first round teaches the pool the job's request
            count = legs if warm else 4
            events = _Counted(count)
            began = time.perf_counter()
            for n in range(count):
                request = JobRequest("1", f"leg-{n}", str(workflow), "m.yml", "legs",
                                     f"legs ({n})", str(folder), str(folder),
                                     {}, matrix={"n": n}, env={"CMD": command})
                pool.submit(request, events.add)
            events.done.wait()
        return time.perf_counter() - began, most_at_once(events.events)
    finally:
        pool.close()


def overhead(folder: Path, jobs: int = 60) -> list[float]:
    """Milliseconds from submit to JobStarted arriving, one job at a time on a warm pool."""
    workflow = folder / "o.yml"
    workflow.write_text(matrix_workflow(1, "true"), encoding="utf-8")
    pool = LocalPool(shell_executor, PoolConfig(min=2))
    found: list[float] = []
    try:
        for n in range(jobs + 5):
            started: list[float] = []
            finished: list[bool] = []

            def emit(event: Event, started: list[float] = started,
                     finished: list[bool] = finished) -> None:
                if isinstance(event, JobStarted):
                    started.append(time.perf_counter())
                elif isinstance(event, JobFinished):
                    finished.append(True)

            request = JobRequest("1", f"o-{n}", str(workflow), "o.yml", "legs", "o",
                                 str(folder), str(folder), {}, env={"CMD": "true"})
            began = time.perf_counter()
            pool.submit(request, emit)
            while not finished:
                time.sleep(0.001)
            if n >= 5:  # the first jobs start the workers
                found.append((started[0] - began) * 1000)
    finally:
        pool.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--legs", type=int, default=256)
    parser.add_argument("--only", choices=("sleep", "burn", "overhead"),
                        help="one part of the bench")
    parser.add_argument("--warm", type=int, default=1, help="warm runs of each matrix")
    args = parser.parse_args()
    legs, cores = args.legs, os.cpu_count() or 1
    print(f"{cores} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        costs = Costs()
        if args.only in (None, "sleep"):
            sleep_bench(base, legs, args.warm, costs)
        if args.only in (None, "burn"):
            burn_bench(base, legs, cores, args.warm, costs)
        if args.only in (None, "overhead"):
            found = overhead(base)
            print(f"[3] submit → running on a warm pool: median "
                  f"{statistics.median(found):.2f} ms, "
                  f"p90 {sorted(found)[int(len(found) * 0.9)]:.2f} ms (< 20)")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


def sleep_bench(base: Path, legs: int, warm: int, costs: Costs) -> None:
    sleep_repo = make_repo(base / "sleep", matrix_workflow(legs, "sleep 0.5"))
    for label in ("cold", *["warm"] * warm):
        costs.start()
        wall, slots, result = run_repo(sleep_repo)
        ideal = math.ceil(legs / slots) * 0.5
        print(f"[1] sleep 0.5 × {legs}, host executor, {label}: {wall:.2f}s, {slots} at "
              f"once ({result}); ideal for {slots} slots {ideal:.1f}s → "
              f"{wall / ideal:.2f}× (≤ 1.15); all at once 0.5s → {wall / 0.5:.1f}×"
              + costs.note(legs))
    costs.start()
    inline, _, _ = run_repo(sleep_repo, "inline", legs)
    print(f"[1] all legs at once, measured (thread runner, {legs} slots): {inline:.2f}s "
          f"→ pool warm / all-at-once {wall / inline:.2f}× (≤ 2)" + costs.note(legs))
    costs.start()
    wall, slots = engine_run(legs, "sleep 0.5", base / "engine-sleep")
    ideal = math.ceil(legs / slots) * 0.5
    print(f"[1] sleep 0.5 × {legs}, pool engine only: {wall:.2f}s, {slots} at once; "
          f"ideal {ideal:.1f}s → {wall / ideal:.2f}×; all at once → {wall / 0.5:.2f}×"
          + costs.note(legs + 4))


def burn_bench(base: Path, legs: int, cores: int, warm: int, costs: Costs) -> None:
    burn_repo = make_repo(base / "burn", matrix_workflow(legs, BURN))
    target = legs * 0.2 / cores
    for label in ("cold", *["warm"] * warm):
        costs.start()
        wall, slots, result = run_repo(burn_repo)
        print(f"[2] burn 0.2s CPU × {legs}, host executor, {label}: {wall:.2f}s, {slots} "
              f"at once ({result}); legs × 0.2 / cores = {target:.1f}s → "
              f"{wall / target:.2f}× (≤ 1.2)" + costs.note(legs))
    costs.start()
    wall, slots = engine_run(legs, BURN, base / "engine-burn")
    print(f"[2] burn × {legs}, pool engine only: {wall:.2f}s, {slots} at once → "
          f"{wall / target:.2f}×" + costs.note(legs + 4))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
