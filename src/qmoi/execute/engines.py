"""Is a container engine reachable? Jobs with ``container:`` or ``services:`` need one and
must never silently run on the host instead.

``QMOI_CONTAINER_ENGINE`` chooses: ``docker`` or ``podman`` (only that one), ``none`` (no
engine: such jobs fail with a message); unset, the first of the two that answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

ENGINE_VARIABLE = "QMOI_CONTAINER_ENGINE"


def container_engine() -> str | None:
    """The engine to use, when ``<engine> info`` succeeds; else None."""
    chosen = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if chosen == "none":
        return None
    return _first_answering(("docker", "podman") if not chosen else (chosen,))


@lru_cache(maxsize=4)
def _first_answering(engines: tuple[str, ...]) -> str | None:
    for engine in engines:
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
