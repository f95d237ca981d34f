"""A whole local run: the scheduler, QCity's local pool (or the inline runner, or Ray) with
the host executor, the recorder saving it under ``.qmoi/runs/<run_id>/``, and Ctrl-C turned
into a GitHub-style cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, runtime_checkable

from qmoi.events import Event
from qmoi.execute.host import HostExecutor
from qmoi.execute.process import Grace
from qmoi.execute.recorder import RunRecorder
from qmoi.execute.rundir import new_run
from qmoi.execute.workspace import check_out_early, discard_run
from qmoi.plan import LoadedWorkflow, Plan
from qmoi.plan.width import pool_wanted
from qmoi.runners import InlineRunner, JobExecutor, default_capacity
from qmoi.schedule import Runner, RunOptions, RunRecord, Scheduler

__all__ = ["GroupJournal", "Journal", "LocalRun", "new_run", "run_locally", "uses_pool"]


class Journal(Protocol):
    """Where a run is kept (``qmoi.store.StoreSink``): it sees each event before anyone
    else, so a state change is saved before it is shown, and is closed when the run ends."""

    def __call__(self, event: Event) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class GroupJournal(Journal, Protocol):
    """A journal that saves events on a thread of its own (``qmoi.store.GroupCommitSink``)
    and passes each to ``deliver`` once it is saved; ``on_failure`` stops the run when it
    cannot save; ``drain`` waits until every event so far is delivered."""

    def start(self, deliver: Callable[[Event], None],
              on_failure: Callable[[], None] | None = None) -> None: ...

    def drain(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LocalRun:
    """What a local run needs: the plan, its workflows, the options, and which runners run the
    jobs."""

    plan: Plan
    workflows: Sequence[LoadedWorkflow]
    options: RunOptions
    capacity: int | None = None
    grace: Grace = field(default_factory=Grace)
    journal: Journal | None = None
    ray: str | None = None  # ``--runners ray…``: the Ray cluster to run the jobs on
    # The run's checkout, started by the caller as soon as it knew the commit
    # (``check_out_early``); joined before the run's folders go.
    checkout: threading.Thread | None = None
    # ``local``: QCity's process pool; ``inline``: threads; ``auto``: the pool when the
    # plan's jobs may compete for the machine, else threads (``uses_pool``)
    runners: str = "local"


def run_locally(spec: LocalRun, sink: Callable[[Event], None],
                executor: JobExecutor | None = None) -> RunRecord:
    """Run the plan to its end and return its record; ``sink`` sees every event (on one
    thread, in order)."""
    record = RunRecord()
    recorder = RunRecorder(spec.options.run_dir)
    recorder.write_json("plan.json", spec.plan.to_json())

    journal = spec.journal
    grouped = journal if isinstance(journal, GroupJournal) else None

    def deliver(event: Event) -> None:
        record.add(event)
        recorder.add(event)
        sink(event)

    def fan_out(event: Event) -> None:
        if journal is not None:
            journal(event)
        if grouped is None:
            deliver(event)  # a plain journal has saved it already

    host: HostExecutor | None = None
    ahead: threading.Thread | None = None
    runner: Runner
    if spec.ray is not None:
        from qmoi.runners.ray.placement import configured_policy
        from qmoi.runners.ray.runner import open_runner

        policy = configured_policy(spec.options.root, spec.options.run_dir.parent.parent / "qcity")
        runner = open_runner(spec.ray, partial(HostExecutor, spec.grace), spec.capacity, policy)
    elif executor is None and uses_pool(spec):
        ahead = None if spec.checkout is not None else _check_out_ahead(spec)
        runner = _local_pool(spec)
    else:
        if executor is None:
            host = executor = HostExecutor(spec.grace, spec.workflows)
            # Check out the first workspaces while the run starts (at most one per slot).
            slots = spec.capacity or default_capacity()
            host.reserve(spec.options.root, spec.options.run_dir, spec.plan.event.sha,
                         min(spec.plan.job_count, slots))
        runner = InlineRunner(executor, spec.capacity)
    scheduler = Scheduler(spec.plan, spec.workflows, runner, fan_out, spec.options)
    if grouped is not None:
        grouped.start(deliver, scheduler.cancel)
    try:
        _run_interruptibly(scheduler)
    finally:
        runner.close()
        if grouped is not None:
            grouped.drain()
        recorder.close(record.to_json())
        if journal is not None:
            journal.close()
        if host is not None:
            host.close()
        for thread in (ahead, spec.checkout):
            if thread is not None:
                thread.join()
        discard_run(spec.options.root, spec.options.run_dir)
    return record


def uses_pool(spec: LocalRun) -> bool:
    """Whether this run goes to QCity's pool of worker processes. With ``auto``, a plan
    that never runs more jobs at once than there are CPUs runs in this process's threads
    instead (the inline runner, same events, cancel and timeouts): the pool
    arbitrates jobs competing for the machine, and with no competition its start-up — a
    fork server, workers importing the executor — is all it would add (a 10-job chain:
    ≈0.25 s of a 0.7 s run)."""
    return spec.runners == "local" or (spec.runners == "auto" and pool_wanted(spec.plan))


def _check_out_ahead(spec: LocalRun) -> threading.Thread | None:
    """Check the run's commit out while the pool starts: the workers copy it per job."""
    if not spec.plan.job_count:
        return None
    return check_out_early(spec.options.root, spec.options.run_dir, spec.plan.event.sha)



def _local_pool(spec: LocalRun) -> Runner:
    """QCity's pool of worker processes, configured by ``.github/qmoi.yml``; it keeps what it
    learns and the list of its workers under ``.qmoi/qcity/``."""
    from qmoi.runners.pool import LocalPool, pool_config

    home = spec.options.run_dir.parent.parent
    overrides = {} if spec.capacity is None else {"max": spec.capacity}
    config = pool_config(spec.options.root, home / "qcity", **overrides)
    # The workers and the label router take the workflows read already (a worker would
    # otherwise parse each one again, and the router check it again).
    workflows = tuple(spec.workflows)
    return LocalPool(partial(HostExecutor, spec.grace, workflows), config, workflows=workflows)


def _run_interruptibly(scheduler: Scheduler) -> None:
    """The scheduler runs on a worker thread so the main thread can take Ctrl-C: the first
    cancels the run (``always()`` jobs and steps still run), a second one gives up."""
    failure: list[BaseException] = []
    # An Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread
    # looking finished (is_alive() False) while it still runs.
    done = threading.Event()

    def work() -> None:
        try:
            scheduler.run()
        except BaseException as error:  # handed to the main thread below
            failure.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=work, name="qmoi-scheduler", daemon=True)
    thread.start()
    interrupted = False
    while not done.is_set():
        try:
            done.wait(timeout=0.2)
        except KeyboardInterrupt:
            if interrupted:
                raise
            interrupted = True
            scheduler.cancel()
    if failure:
        raise failure[0]
