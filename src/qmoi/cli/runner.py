"""``qmoi runner start``: join this machine to a Ray cluster as a QCity runner node, its
``runs-on`` labels offered as Ray custom resources (a wrapper around ``ray start``)."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from qmoi.errors import UsageError

app = typer.Typer(name="runner", help="This machine as a QCity runner node (Ray).",
                  no_args_is_help=True, add_completion=False)


@app.command("start")
def start(
    address: str = typer.Option(..., "--address", help="The cluster's GCS address HOST:PORT."),
    labels: str = typer.Option("", "--labels", help="Runner labels, comma-separated."),
    cpus: int | None = typer.Option(None, "--cpus", help="CPUs jobs may use (default: all)."),
    node_ip: str | None = typer.Option(None, "--node-ip-address",
                                       help="The address this node is reached at."),
    block: bool = typer.Option(False, "--block", help="Stay in the foreground until stopped."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the ray start command only."),
) -> int:
    """Start a Ray node on this machine that joins ADDRESS and takes jobs with LABELS."""
    from qmoi.runners.ray import require_ray

    require_ray()
    from qmoi.runners.ray.cluster import start_command

    if cpus is not None and cpus < 1:
        raise UsageError("--cpus must be at least 1")
    names = [label.strip() for label in labels.split(",") if label.strip()]
    command = start_command(address, names, cpus, node_ip)
    if block:
        command.append("--block")
    if dry_run:
        sys.stdout.write(" ".join(command) + "\n")
        return 0
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": os.environ.get("RAY_USAGE_STATS_ENABLED",
                                                                   "0")}
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except OSError as error:
        raise UsageError(f"cannot run {command[0]}: {error}") from None
