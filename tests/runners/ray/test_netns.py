"""Runs the Ray tests (marked ``ray``) the only way they may run: in a private network
namespace with nothing but loopback, and a private process namespace so no Ray process
outlives them. ``pytest -m slow tests/runners/ray`` gets here; ``.ci/run`` runs the same
command directly."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runners.ray.conftest import loopback_only

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
COMMAND = ("ip link set lo up && exec {python} -m pytest -q -m ray -p no:cacheprovider "
           "tests/runners/ray")


def test_the_ray_suite_passes_in_a_loopback_only_namespace() -> None:
    if loopback_only():
        pytest.skip("already in a loopback-only namespace: run pytest -m ray here")
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("a private network namespace needs root, unshare and ip")
    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed (pip install 'qmoi[ray]')")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        ["unshare", "-n", "-p", "-f", "--mount-proc", "sh", "-c",
         COMMAND.format(python=sys.executable)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    tail = "\n".join(done.stdout.splitlines()[-30:])
    assert done.returncode == 0, tail
    assert " passed" in tail and "skipped" not in tail.rpartition("\n")[2], tail
