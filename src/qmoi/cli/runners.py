"""``qmoi runners list``: the worker processes of every QCity pool running on this machine
for this repository (a second terminal sees the workers of a ``qmoi run`` going on)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from qmoi.errors import UsageError

app = typer.Typer(name="runners", help="QCity's runner workers.", no_args_is_help=True,
                  add_completion=False)


@app.command("list")
def list_runners(as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
                 ray: str | None = typer.Option(None, "--ray", help="List this Ray cluster's "
                                                "nodes instead (ray, HOST:PORT, ray://…).")
                 ) -> int:
    """Each worker: id, pid, state (idle, busy, draining), pool and the job it runs."""
    if ray is not None:
        return _list_ray_nodes(ray, as_json)
    from qmoi.discover import find_repo_root, qmoi_home
    from qmoi.runners.pool import read_boards

    home = qmoi_home(find_repo_root(Path.cwd()))
    if home is None:
        raise UsageError(f"no repository found at or above {Path.cwd()}; run qmoi there or "
                         "set QMOI_HOME")
    workers = read_boards(home / "qcity" / "runners")
    if as_json:
        data = [worker.to_json() for worker in workers]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not workers:
        sys.stdout.write("no runners (they exist while qmoi run is going)\n")
    for worker in workers:
        job = "-" if worker.job is None else f"{worker.job['run_id']}/{worker.job['key']}"
        sys.stdout.write(f"{worker.id:<6} pid {worker.pid or '-':<8} {worker.state:<9} "
                         f"{worker.pool:<10} {job}\n")
    return 0


def _list_ray_nodes(spec: str, as_json: bool) -> int:
    """Each Ray node: id, address, state, CPUs, memory and its runner labels."""
    from qmoi.runners.ray import require_ray

    require_ray()
    from qmoi.runners.ray.cluster import cluster_nodes

    address = spec if spec == "ray" or spec.startswith("ray:") else f"ray:{spec}"
    nodes = [node.to_json() for node in cluster_nodes(address)]
    if as_json:
        sys.stdout.write(json.dumps(nodes, indent=2) + "\n")
        return 0
    for node in nodes:
        labels = ",".join(node["labels"]) or "-"
        sys.stdout.write(f"{node['id'][:12]}  {node['address']:<15} {node['state']:<5} "
                         f"{node['cpus']:g} CPU  {labels}\n")
    return 0
