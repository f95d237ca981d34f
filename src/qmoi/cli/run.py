"""``qmoi run``: run workflows locally on the host, with act's options where they fit.

``qmoi run`` starts without Typer (``main``, called by ``qmoi.cli.main``): its options are
read by a small parser and Typer (and click, and what they import) load only for
``--help``, an option the fast parser does not know, or a usage error, so a run's start-up
stays short. The Typer command ``run`` is built when ``qmoi.cli.app`` asks for it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmoi.cli.run_inputs import _dry_run_info, _event, _pairs, _root
from qmoi.cli.run_inputs import _file as _file
from qmoi.cli.run_inputs import _secrets as _secrets
from qmoi.cli.run_options import parse_fast as parse_fast
from qmoi.cli.run_view import PlainView as PlainView
from qmoi.cli.run_view import RichView as RichView
from qmoi.cli.run_view import _view as _view
from qmoi.errors import UsageError

if TYPE_CHECKING:
    from qmoi.plan import Plan

# The module of the executor qmoi.execute.session gives the pool (named, not imported: the
# fork server starts before the run imports anything heavy; a test keeps the two equal).
EXECUTOR_MODULE = "qmoi.execute.host"


def _typer_command() -> Callable[..., int]:
    import typer

    def run(
        event: str = typer.Argument("push", help="The event to simulate (default: push)."),
        workflows: list[Path] = typer.Option([], "--workflows", "-W",
                                             help="Workflow file or folder (repeatable)."),
        jobs: list[str] = typer.Option([], "--job", "-j",
                                       help="Only this job (and its needs)."),
        matrix: list[str] = typer.Option([], "--matrix", help="Only legs with key:value."),
        event_path: Path | None = typer.Option(None, "--eventpath", "-e",
                                               help="Event payload JSON file."),
        inputs: list[str] = typer.Option([], "--input", help="workflow_dispatch input k=v."),
        secrets: list[str] = typer.Option(
            [], "--secret", "-s", help="NAME=VALUE, or NAME to read the environment."),
        secret_file: Path | None = typer.Option(None, "--secret-file",
                                                help="Secrets (dotenv)."),
        env_file: Path | None = typer.Option(None, "--env-file",
                                             help="Env for every job (dotenv)."),
        variables: list[str] = typer.Option([], "--var", help="Variable k=v (vars context)."),
        var_file: Path | None = typer.Option(None, "--var-file", help="Variables (dotenv)."),
        list_only: bool = typer.Option(False, "--list", "-l",
                                       help="List the jobs and exit."),
        graph: bool = typer.Option(False, "--graph", "-g",
                                   help="Draw the job graph and exit."),
        dry_run: bool = typer.Option(False, "--dry-run", "-n",
                                     help="Plan only; run nothing."),
        max_parallel: int | None = typer.Option(None, "--max-parallel",
                                                help="Jobs at once (default: from CPU count)."),
        as_json: bool = typer.Option(False, "--json",
                                     help="Log to stderr; one JSON result on stdout."),
        runners: str = typer.Option(
            "auto", "--runners",
            help="auto (the worker pool when jobs compete, else threads), local (worker "
                 "pool), inline (threads) or ray[:…]."),
    ) -> int:
        """Run the workflows an event triggers: exit 0 on success, 1 on failure, 2 on error."""
        return run_workflows(
            event=event, workflows=workflows, jobs=jobs, matrix=matrix, event_path=event_path,
            inputs=inputs, secrets=secrets, secret_file=secret_file, env_file=env_file,
            variables=variables, var_file=var_file, list_only=list_only, graph=graph,
            dry_run=dry_run, max_parallel=max_parallel, as_json=as_json, runners=runners)

    return run


def __getattr__(name: str) -> Any:
    if name != "run":  # the Typer command, built for qmoi.cli.app on first use
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    command = globals()["run"] = _typer_command()
    return command


def main(argv: list[str]) -> int | None:
    """Run ``qmoi run ARGV`` without Typer; None when Typer has to handle the arguments.
    Errors map to exit codes as ``qmoi.cli.app.run`` maps them."""
    options = parse_fast(argv)
    if options is None:
        return None
    # A run's start-up allocates mostly module objects that live until it exits: a
    # collection before the jobs start only walks them again. No collection until then
    # (``_run`` resumes them); after, the young generation at 100 000 allocations, not 700
    # (c-10-job-chain: 759 M -> 746 M instructions).
    global _gc_paused
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()
    _gc_paused = enabled
    gc.set_threshold(100_000, *thresholds[1:])
    from qmoi.startcache import install

    classes = install()  # before the run's ~180 dataclasses are defined
    from qmoi.cli.guard import guarded

    try:
        return guarded(lambda: run_workflows(**options))
    finally:
        # The process is about to exit: objects moved to the permanent generation are not
        # traversed by the interpreter's final collections (~20-40 ms for a run's modules
        # and objects), nor by the collection the first allocations below would start
        # once the usual thresholds are back (~4.5 ms, measured in classes.save). Harmless
        # for an in-process caller: they only stay uncollected.
        gc.freeze()
        gc.set_threshold(*thresholds)
        _resume_gc()
        classes.save()


_gc_paused = False  # main stopped the collector for the start-up; _run resumes it


def _resume_gc() -> None:
    global _gc_paused
    if _gc_paused:
        gc.enable()
        _gc_paused = False


def run_workflows(
    *, event: str = "push", workflows: list[Path] | None = None, jobs: list[str] | None = None,
    matrix: list[str] | None = None, event_path: Path | None = None,
    inputs: list[str] | None = None, secrets: list[str] | None = None,
    secret_file: Path | None = None, env_file: Path | None = None,
    variables: list[str] | None = None, var_file: Path | None = None,
    list_only: bool = False, graph: bool = False, dry_run: bool = False,
    max_parallel: int | None = None, as_json: bool = False, runners: str = "auto",
) -> int:
    """Run the workflows an event triggers: exit 0 on success, 1 on failure, 2 on error."""
    real = not (list_only or graph or dry_run)
    workflows, jobs, matrix = workflows or [], jobs or [], matrix or []
    inputs, secrets, variables = inputs or [], secrets or [], variables or []
    if max_parallel is not None and max_parallel < 1:
        raise UsageError("--max-parallel must be at least 1")
    if runners not in ("auto", "local", "inline") and not runners.startswith("ray"):
        raise UsageError("--runners must be auto, local, inline or ray[:ADDRESS], "
                         f"not {runners!r}")
    if runners.startswith("ray"):
        from qmoi.runners.ray import require_ray

        require_ray()  # before anything starts: without Ray, say how to install it
    cwd = Path.cwd()
    root = _root(cwd, workflows)
    from qmoi.plan.git import HeadQuery

    # git answers about HEAD on other cores while the model and the executor are imported
    query = HeadQuery(root, changes=event == "push" and event_path is None)
    try:
        return _plan_and_run(root, cwd, query, event=event, workflows=workflows, jobs=jobs,
                             matrix=matrix, event_path=event_path, inputs=inputs,
                             secrets=secrets, secret_file=secret_file, env_file=env_file,
                             variables=variables, var_file=var_file, list_only=list_only,
                             graph=graph, real=real, max_parallel=max_parallel,
                             as_json=as_json, runners=runners)
    finally:
        query.close()


def _plan_and_run(
    root: Path, cwd: Path, query: Any, *, event: str, workflows: list[Path], jobs: list[str],
    matrix: list[str], event_path: Path | None, inputs: list[str], secrets: list[str],
    secret_file: Path | None, env_file: Path | None, variables: list[str],
    var_file: Path | None, list_only: bool, graph: bool, real: bool,
    max_parallel: int | None, as_json: bool, runners: str,
) -> int:
    from qmoi.discover import qmoi_home
    from qmoi.execute.rundir import new_run
    from qmoi.plan import build_plan, load_workflows

    home = qmoi_home(root)
    assert home is not None
    if real:
        from qmoi.store.journal import check_database_url

        check_database_url()
    info = _event(root, event, event_path, _pairs(inputs, "--input", "="), query)
    run_info, run_dir = new_run(home / "runs") if real else (_dry_run_info(), home / "runs")
    checkout = None
    if real and not runners.startswith("ray"):
        from qmoi.execute.workspace import check_out_early

        # git worktree add on another core while this process reads the workflows, plans
        # and imports the executor; the first job copies the result. Started before the
        # plan says there is a job: a plan of none only deletes it again.
        checkout = check_out_early(root, run_dir, info.sha)
    try:
        loaded = load_workflows(list(workflows), cwd, root, home / "cache")
        vars_ = {**_file(var_file), **_pairs(variables, "--var", "=")}
        plan = build_plan(loaded, info, run_info, vars_, jobs=jobs,
                          matrix=list(_pairs(matrix, "--matrix", ":").items()))
        if not real:
            from qmoi.plan.show import draw_graph, list_jobs

            text = list_jobs(plan) if list_only else draw_graph(plan) if graph else None
            if text is None:
                _print_dry_run(plan, as_json)
            else:
                sys.stdout.write(text)
            return 0
        if not plan.workflows:
            # As on GitHub, an event no workflow runs on makes no run: none is saved (an
            # empty one passed for a success in `qmoi runs` and `qmoi stats`).
            _abandon(root, run_dir, checkout)
            _print_nothing(plan, as_json)
            return 0
        record = _run(plan, loaded, root, run_dir, home, checkout, as_json=as_json,
                      secrets=secrets, secret_file=secret_file, env_file=env_file,
                      matrix=matrix, max_parallel=max_parallel, runners=runners)
    except BaseException:
        if real:  # the run may not have started (a dry run made no folder)
            _abandon(root, run_dir, checkout)
        raise
    if as_json:
        sys.stdout.write(json.dumps(record.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(f"run {record.run_id}: {record.result} (saved in {run_dir})\n")
    return 0 if record.result == "success" else 1


def _abandon(root: Path, run_dir: Path, checkout: Any) -> None:
    """A run that never started leaves no folder: its checkout (when one was started) goes,
    and its folder if still empty (a run that did start keeps its record)."""
    if checkout is not None:
        from qmoi.execute.workspace import discard_run

        checkout.join()
        discard_run(root, run_dir)
    with contextlib.suppress(OSError):
        run_dir.rmdir()


def _print_nothing(plan: Plan, as_json: bool) -> None:
    if as_json:
        document: dict[str, Any] = {"run_id": None, "result": "skipped", "jobs": []}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(f"no workflow runs on {plan.event.name}\n")


def _run(plan: Plan, loaded: Any, root: Path, run_dir: Path, home: Path, checkout: Any, *,
         as_json: bool, secrets: list[str], secret_file: Path | None, env_file: Path | None,
         matrix: list[str], max_parallel: int | None, runners: str) -> Any:
    """Run the plan (its checkout started): the options, the journal, the live view."""
    from qmoi.schedule import RunOptions

    options = RunOptions(root, run_dir, _secrets(secrets, secret_file), _file(env_file),
                         list(_pairs(matrix, "--matrix", ":").items()))
    if runners == "auto":
        from qmoi.plan.width import pool_wanted

        # A narrow plan runs on threads here (qmoi.execute.session.uses_pool).
        runners = "local" if pool_wanted(plan) else "inline"
    if runners == "local":
        _resume_gc()  # before the fork: the server would inherit a stopped collector
        # QCity's fork server imports the host executor in a process of its own while this
        # one goes on (qmoi.runners.pool.forkserver).
        from qmoi.runners.pool.forkserver import warm_up

        warm_up(EXECUTOR_MODULE)
    from qmoi.execute.session import LocalRun, run_locally

    out = sys.stderr if as_json else sys.stdout
    journal = _journal(home, plan, loaded, options, max_parallel)
    view = _view(out, plan)
    _resume_gc()  # the start-up's imports are done; the jobs' garbage is collected
    try:
        spec = LocalRun(plan, loaded, options, max_parallel, journal=journal,
                        ray=runners if runners.startswith("ray") else None,
                        runners="inline" if runners == "inline" else "local",
                        checkout=checkout)
        record = run_locally(spec, view)
    finally:
        view.close()
    return record


def _journal(home: Path, plan: Plan, loaded: Any, options: Any, capacity: int | None
             ) -> Any:
    """The run's journal (``qmoi.store.journal``): every state change is written to it
    before it is shown; the store takes it in when it is next opened (``qmoi runs``)."""
    from qmoi.store.journal import RunJournal
    from qmoi.store.liveness import this_process
    from qmoi.store.spec import RunSpec, run_header

    header = run_header(RunSpec(plan, loaded, options, capacity), this_process())
    return RunJournal(home, options.run_dir, header)


def _print_dry_run(plan: Plan, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    for workflow in plan.workflows:
        sys.stdout.write(f"{workflow.name} ({workflow.path})\n")
        for job in workflow.jobs:
            needs = f"  (needs {', '.join(job.needs)})" if job.needs else ""
            if job.legs is None:
                sys.stdout.write(f"  {job.job_id}: matrix expanded after its needs{needs}\n")
                continue
            for leg in job.legs:
                sys.stdout.write(f"  {leg.name}{needs}\n")
    if not plan.workflows:
        sys.stdout.write(f"no workflow runs on {plan.event.name}\n")
