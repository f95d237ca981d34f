"""Is a container engine reachable? Jobs with ``container:`` or ``services:`` need one and
must never silently run on the host instead."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from qmoi.model import Job


@lru_cache(maxsize=1)
def container_engine() -> str | None:
    """``docker`` or ``podman`` when ``<engine> info`` succeeds, else None."""
    for engine in ("docker", "podman"):
        if shutil.which(engine) is None:
            continue
        try:
            done = subprocess.run([engine, "info"], capture_output=True, timeout=10,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return engine
    return None


def container_problem(job: Job) -> str | None:
    """Why a job with a container or services cannot run here (None: it has neither)."""
    uses = [what for what, present in (("container:", job.container is not None),
                                       ("services:", bool(job.services))) if present]
    if not uses:
        return None
    what = " and ".join(uses)
    engine = container_engine()
    if engine is None:
        return (f"job '{job.id}' uses {what}, which needs Docker or Podman; neither is "
                "reachable here (`docker info` and `podman info` failed), so the job was "
                "not run")
    return (f"job '{job.id}' uses {what}; qmoi run cannot drive {engine} yet, so the job "
            "was not run")
