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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_tree_sample_counts_the_processes_that_want_a_cpu() -> None:
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    nap = subprocess.Popen(["sleep", "5"])
    try:
        time.sleep(0.3)
        seen = [sampler.sample_trees([os.getpid()])[os.getpid()].runnable for _ in range(5)]
        assert max(seen) >= 1  # the spinning child (the sleeping one never)
        started = sampler._started(spin.pid)
        assert started is not None
        assert sampler.kill_leftovers([(spin.pid, started + 1)]) == 0  # another process
        assert sampler.kill_leftovers([(spin.pid, started)]) == 1
        assert spin.wait(5) < 0
    finally:
        for process in (spin, nap):
            process.kill()
            process.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_pool_counts_its_own_cpu_with_every_process_under_it_reaped_or_not() -> None:
    # What the supervisor calls its own (not other load): this process and everything
    # it started, a finished and reaped child's CPU included.
    from qmoi.runners.pool.supervisor import _tree_cpu

    before = _tree_cpu()
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    after = _tree_cpu()
    assert after - before >= 0.28
