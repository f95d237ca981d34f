"""A run's folders on a runner node, and the stores every node must reach.

The job executor keeps a run's artifacts in ``<run dir>/artifacts`` and the action caches in
``<home>/cache`` (``home`` = the run dir's grandparent), as on the coordinator. On a node::

    <workdir>/<run id>/runs/a<attempt>/             the run dir of one attempt (job folders)
    <workdir>/<run id>/runs/a<attempt>/artifacts -> the run's artifact store
    <workdir>/<run id>/cache                     -> the cache store
    <workdir>/<run id>/toolcache                 -> <workdir>/toolcache (kept across runs)

The stores are, in order: below the shared folder the user configured (mounted by every
node at the same path), else the coordinator's own ``.qmoi`` folders when this node sees
them (a node on the coordinator's machine or on a shared file system), else folders of this
node's run (then shared only by the run's jobs on this node). Attempts get their own run
dir, so a retry never meets the files of the attempt it replaces.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def node_run_dir(workdir: Path, run_id: str, attempt: int, coordinator_run_dir: Path,
                 shared: Path | None) -> Path:
    """The attempt's run dir on this node, with its store links in place."""
    run_home = workdir / run_id
    run_dir = run_home / "runs" / f"a{attempt}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (workdir / "toolcache").mkdir(parents=True, exist_ok=True)
    _link(run_home / "toolcache", workdir / "toolcache")
    artifacts, cache = _stores(run_home, run_id, coordinator_run_dir, shared)
    _link(run_dir / "artifacts", artifacts)
    _link(run_home / "cache", cache)
    return run_dir


def _stores(run_home: Path, run_id: str, coordinator_run_dir: Path,
            shared: Path | None) -> tuple[Path, Path]:
    if shared is not None:
        artifacts, cache = shared / "runs" / run_id / "artifacts", shared / "cache"
    elif coordinator_run_dir.is_dir():
        artifacts = coordinator_run_dir / "artifacts"
        cache = coordinator_run_dir.parent.parent / "cache"
    else:
        artifacts, cache = run_home / "artifacts", run_home / "shared-cache"
    for folder in (artifacts, cache):
        folder.mkdir(parents=True, exist_ok=True)
    return artifacts, cache


def _link(path: Path, target: Path) -> None:
    """``path`` → ``target``, made once (several workers of a node may race here)."""
    if path.is_symlink() or path.exists():
        return
    with contextlib.suppress(FileExistsError):
        os.symlink(target, path, target_is_directory=True)
