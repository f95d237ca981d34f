"""The process-tree sampler: the lean /proc reader finds the same parents psutil does."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from qmoi.runners.pool import sampler


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_children_from_proc_match_psutil() -> None:
    child = subprocess.Popen(["sleep", "5"])
    grandchild_holder = subprocess.Popen(["sh", "-c", "sleep 5 & wait"])
    try:
        while not psutil.Process(grandchild_holder.pid).children():
            time.sleep(0.01)
        expected = {p.pid for p in psutil.Process().children(recursive=True)}
        found = sampler._proc_children_map()
        assert found is not None
        assert child.pid in found[os.getpid()]
        mine = set(sampler._descendants(os.getpid(), found))
        assert expected <= mine
        samples = sampler.sample_trees([os.getpid()])
        assert {pid for pid, _ in samples[os.getpid()].members} >= expected
    finally:
        for process in (child, grandchild_holder):
            process.kill()
            process.wait()
