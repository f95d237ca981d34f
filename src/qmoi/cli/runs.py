"""``qmoi runs list|show|logs|resume`` and ``qmoi stats``: the runs QCity recorded in the
store, seen from any terminal (every command opens the store, which also marks the runs
of dead coordinators interrupted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from qmoi.errors import UsageError

if TYPE_CHECKING:
    from qmoi.store import Store

app = typer.Typer(name="runs", help="Runs recorded in the store: list, show, logs, resume.",
                  no_args_is_help=True, add_completion=False)


def _store() -> Store:
    from qmoi.discover import find_repo_root, qmoi_home
    from qmoi.store import open_store

    home = qmoi_home(find_repo_root(Path.cwd()))
    if home is None:
        raise UsageError(f"no repository found at or above {Path.cwd()}; run qmoi there or "
                         "set QMOI_HOME")
    return open_store(home)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@app.command("list")
def list_runs(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")
              ) -> int:
    """List the recorded runs, newest last."""
    from qmoi.store.runs import list_runs as read_runs

    runs = read_runs(_store())
    if as_json:
        _print_json(runs)
        return 0
    if not runs:
        sys.stdout.write("no runs recorded yet (qmoi run records them)\n")
    for run in runs:
        started = (run["started_at"] or "")[:19].replace("T", " ")
        sys.stdout.write(f"{run['run_id']}  {run['result'] or 'running':<11}  {started}  "
                         f"{run['event']:<12}  {run['workflow']}\n")
    return 0


@app.command("show")
def show(run_id: str = typer.Argument(..., help="The run id (see qmoi runs list)."),
         as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> int:
    """Show a run: its result and each job's result, attempts, runner and steps."""
    from qmoi.store.runs import run_document

    doc = run_document(_store(), run_id)
    if as_json:
        _print_json(doc)
        return 0
    sys.stdout.write(f"run {doc['run_id']}: {doc['result'] or 'running'}\n")
    for job in doc["jobs"]:
        attempts = f"attempt {job['attempt']}" if job["attempt"] else "not started"
        sys.stdout.write(f"  {job['name']} [{job['key']}]: {job['result'] or 'running'} "
                         f"({attempts}, runner {job['runner'] or '-'})\n")
        unfinished = "interrupted" if job["result"] == "interrupted" else "running"
        for step in job["steps"]:
            sys.stdout.write(f"    {step['conclusion'] or unfinished:<11} {step['name']}\n")
        if job["message"]:
            sys.stdout.write(f"    {job['message']}\n")
    return 0


@app.command("logs")
def logs(run_id: str = typer.Argument(..., help="The run id."),
         job: str | None = typer.Argument(None, help="Only this job (key, id or name).")
         ) -> int:
    """Print a run's logs (every attempt of every job, or of JOB), step by step."""
    from qmoi.store.runs import log_files

    for item in log_files(_store(), run_id, job):
        sys.stdout.write(f"==> {item.job_name} [{item.job_key}] attempt {item.attempt}: "
                         f"{item.title} <==\n")
        try:
            text = item.path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            text = f"(log file unreadable: {error.strerror or error})\n"
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    sys.stdout.flush()
    return 0


@app.command("resume")
def resume(
    run_id: str = typer.Argument(..., help="An interrupted run's id."),
    secrets: list[str] = typer.Option([], "--secret", "-s",
                                      help="NAME=VALUE, or NAME to read the environment."),
    secret_file: Path | None = typer.Option(None, "--secret-file", help="Secrets (dotenv)."),
    env_file: Path | None = typer.Option(None, "--env-file", help="Env for every job (dotenv)."),
    as_json: bool = typer.Option(False, "--json",
                                 help="Log to stderr; one JSON result on stdout."),
) -> int:
    """Re-run an interrupted run's unfinished jobs, keeping its finished ones.

    Exit 0 when the run then succeeds, 1 when it fails. Secrets are never stored: give
    them again."""
    from qmoi.cli.run import _file, _secrets, _view
    from qmoi.store.resume import execute, prepare

    resumption = prepare(_store(), run_id, _secrets(secrets, secret_file), _file(env_file))
    out = sys.stderr if as_json else sys.stdout
    view = _view(out, resumption.run.plan)
    try:
        record = execute(resumption, view)
    finally:
        view.close()
    if as_json:
        _print_json(record.to_json())
    else:
        out.write(f"run {record.run_id}: {record.result}\n")
    return 0 if record.result == "success" else 1


def stats(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> int:
    """Per workflow: runs, success rate, median and p95 duration, queue time, retries."""
    from qmoi.store.stats import workflow_stats

    found = workflow_stats(_store())
    if as_json:
        _print_json([entry.to_json() for entry in found])
        return 0
    if not found:
        sys.stdout.write("no runs recorded yet (qmoi run records them)\n")
        return 0
    sys.stdout.write(f"{'workflow':<40} {'runs':>5} {'success':>8} {'median':>8} "
                     f"{'p95':>8} {'queue':>7} {'retries':>7}\n")
    for entry in found:
        rate = "-" if entry.success_rate is None else f"{entry.success_rate:.0%}"
        sys.stdout.write(f"{entry.workflow:<40} {entry.runs:>5} {rate:>8} "
                         f"{_seconds(entry.duration_median):>8} "
                         f"{_seconds(entry.duration_p95):>8} "
                         f"{_seconds(entry.queue_median):>7} {entry.retries:>7}\n")
    return 0


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"
