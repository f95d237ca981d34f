"""Admission by resources, learned requests and autoscaling."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import psutil

from qmoi.check.config import JobResources
from qmoi.events import JobFinished
from qmoi.runners.pool.admission import Machine, Reservation, fits, too_big
from qmoi.runners.pool.config import MIB, PoolConfig, Request
from qmoi.runners.pool.profiles import JsonProfiles, Profiles, Usage
from runners.conformance import Collector, request
from runners.pool_helpers import LIGHT, config, most_at_once, pool

GIB = 1024 * MIB


def _limits(**changes: object) -> PoolConfig:
    return config(memory=4 * GIB, headroom=512 * MIB, cores=2, **changes)


def test_memory_is_never_reserved_beyond_the_budget_nor_the_headroom() -> None:
    limits = _limits()
    roomy = Machine(2, 16 * GIB)
    job = Request(0.1, 1536 * MIB)
    assert fits(job, [Reservation(job, rss=1536 * MIB)], roomy, limits)
    two = [Reservation(job, 1536 * MIB)] * 2
    assert not fits(job, two, roomy, limits)  # 4.5 GiB > 4 GiB
    # Measured: 2 GiB free now, a running job still has 1 GiB of its request to touch.
    tight = Machine(2, 2 * GIB)
    assert not fits(Request(0.1, 600 * MIB), [Reservation(job, 512 * MIB)], tight,
                    limits)
    assert fits(Request(0.1, 400 * MIB), [Reservation(job, 1536 * MIB)], tight,
                limits)


def test_cpu_light_jobs_share_cores_and_cpu_bound_ones_wait_for_other_load() -> None:
    limits = _limits()
    sleeper = Request(0.05, 32 * MIB)
    assert fits(sleeper, [Reservation(sleeper)] * 30, Machine(2, 8 * GIB, external=1.9),
                limits)
    burner = Request(1.0, 32 * MIB)
    assert fits(burner, [Reservation(burner)], Machine(2, 8 * GIB), limits)
    assert not fits(burner, [Reservation(burner)] * 2, Machine(2, 8 * GIB),
                    limits)
    assert not fits(burner, [Reservation(sleeper)], Machine(2, 8 * GIB, external=1.5),
                    limits)


def test_other_load_counts_in_whole_cores_so_noise_holds_no_job_back() -> None:
    limits = _limits()
    learned = Request(0.98, 32 * MIB)  # what a CPU-bound job's profile comes to
    for noise in (0.04, 0.3, 0.49):
        assert fits(learned, [Reservation(learned)], Machine(2, 8 * GIB, external=noise),
                    limits)
    assert not fits(learned, [Reservation(learned)], Machine(2, 8 * GIB, external=0.8),
                    limits)  # a process elsewhere keeps a core busy


def test_a_request_the_machine_cannot_hold_is_refused_with_a_reason() -> None:
    limits = _limits()
    assert too_big(Request(1, 3 * GIB), limits) is None
    message = too_big(Request(1, 8 * GIB), limits)
    assert message is not None and "8192 MiB" in message and "at most 3584 MiB" in message
    assert "4 CPUs" in (too_big(Request(4, MIB), limits) or "")


def test_a_job_too_big_for_the_pool_fails_at_once(tmp_path: Path) -> None:
    huge = (JobResources(".github/workflows/ci.yml/job", memory=64 * 1024 * GIB),)
    with pool(jobs=huge) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "big", [{"name": "x"}]), seen)
        finished = seen.finished("big")
    assert finished.result == "failure"
    assert "of memory but this pool can give at most" in (finished.message or "")
    assert [type(e).__name__ for e in seen.of("big")] == ["JobFinished"]


def _tree_rss(root: int) -> int:
    total = 0
    for child in psutil.Process(root).children(recursive=True):
        try:
            if "qmoi-worker" not in " ".join(child.cmdline()):
                total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


def test_admission_never_exceeds_the_configured_memory(tmp_path: Path) -> None:
    """Five jobs that each really allocate 120 MiB, asking for 150 MiB each, on a pool
    allowed 400 MiB: never more than two at once, and never more memory than allowed."""
    hog = [sys.executable, "-c",
           "import time; b = bytearray(120 * 1024 * 1024); time.sleep(0.4)"]
    settings = (JobResources("ci.yml/job", cpu=0.1, memory=150 * MIB),)
    peak = [0]
    stop = threading.Event()

    def watch(root: int) -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(root))
            time.sleep(0.02)

    with pool(max=5, memory=400 * MIB, headroom=0, jobs=settings) as runner:
        watcher = threading.Thread(target=watch, args=(psutil.Process().pid,))
        watcher.start()
        seen = Collector()
        for n in range(5):
            runner.submit(request(tmp_path, f"m{n}", [{"name": "hog", "command": hog}]), seen)
        results = [seen.finished(f"m{n}").result for n in range(5)]
        stop.set()
        watcher.join()
    assert results == ["success"] * 5
    assert most_at_once(seen.events) == 2
    assert 200 * MIB < peak[0] <= 400 * MIB


def test_requests_are_learned_per_job_and_leg(tmp_path: Path) -> None:
    store = JsonProfiles(tmp_path / "profiles.json")
    learned = Profiles(store)
    learned.learn("ci.yml", "test", {"n": 1}, Usage(300 * MIB, cpu=0.1, wall=2.0))
    learned.save()
    again = Profiles(JsonProfiles(tmp_path / "profiles.json"))
    leg = again.lookup("ci.yml", "test", {"n": 1}, cores=2)
    other_leg = again.lookup("ci.yml", "test", {"n": 7}, cores=2)
    assert leg is not None and leg.source == "learned"
    assert leg.memory == int(300 * MIB * 1.25) and leg.cpu == 0.05
    assert other_leg == leg  # a leg never seen borrows its job's profile
    assert again.lookup("ci.yml", "build", {}, cores=2) is None


def test_a_finished_job_teaches_the_pool_its_request(tmp_path: Path) -> None:
    state = tmp_path / "state"
    burn = [sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
            "while time.process_time() < end: pass"]
    with pool(state_dir=state) as runner:
        seen = Collector()
        runner.submit(request(tmp_path, "b", [{"name": "burn", "command": burn}]), seen)
        runner.submit(request(tmp_path, "s", [{"name": "nap", "sleep": 0.3}], job_id="nap"),
                      seen)
        assert seen.finished("b").result == seen.finished("s").result == "success"
    profiles = Profiles(JsonProfiles(state / "profiles.json"))
    burner = profiles.lookup(".github/workflows/ci.yml", "job", {}, cores=2)
    sleeper = profiles.lookup(".github/workflows/ci.yml", "nap", {}, cores=2)
    assert burner is not None and sleeper is not None
    # CPU per wall second: a busy machine stretches the burner's wall time, hence no fixed bar.
    assert burner.cpu > 2 * sleeper.cpu and sleeper.cpu < 0.2
    assert burner.memory >= 32 * MIB


def test_the_pool_grows_while_jobs_wait_and_shrinks_when_idle(tmp_path: Path) -> None:
    with pool(min=1, max=4, idle_timeout=0.4, default_request=LIGHT) as runner:
        assert len(runner.workers()) == 1
        seen = Collector()
        folder = tmp_path / "met"
        folder.mkdir()
        meet = [sys.executable, "-c",  # each job waits until all four run
                "import pathlib, sys, time\n"
                f"d = pathlib.Path({str(folder)!r}); (d / sys.argv[1]).touch()\n"
                "end = time.time() + 20\n"
                "while len(list(d.iterdir())) < 4 and time.time() < end: time.sleep(0.02)\n"]
        for n in range(4):
            runner.submit(request(tmp_path, f"a{n}", [{"name": "meet",
                                                      "command": [*meet, str(n)]}]), seen)
        seen.wait_for(lambda events: sum(isinstance(e, JobFinished) for e in events) == 4)
        assert most_at_once(seen.events) == 4
        assert len(runner.workers()) == 4
        deadline = time.monotonic() + 10
        while len(runner.workers()) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w.state for w in runner.workers()] == ["idle"]


def test_a_crowded_machine_does_not_make_a_cpu_bound_job_look_light() -> None:
    learned = Profiles(None)
    learned.learn("ci.yml", "burn", {}, Usage(MIB, cpu=0.2, wall=0.8, share=0.25))
    learned.learn("ci.yml", "nap", {}, Usage(MIB, cpu=0.01, wall=0.8, share=0.25))
    burn = learned.lookup("ci.yml", "burn", {}, cores=2)
    nap = learned.lookup("ci.yml", "nap", {}, cores=2)
    # 0.2 s of CPU took at least 0.4 s of the 0.8 (the share is trusted down to half):
    # 0.2 / (0.8 - 0.2) — still a job that computes.
    assert burn is not None and burn.cpu == 0.333
    # A job that waits is not made heavier by the crowd: 0.01 / (0.8 - 0.01).
    assert nap is not None and nap.cpu == 0.013


def test_a_cpu_bound_job_on_a_crowded_machine_asks_for_one_core_not_more() -> None:
    learned = Profiles(None)
    learned.learn("ci.yml", "burn", {}, Usage(MIB, cpu=0.22, wall=0.3, share=0.5))
    burn = learned.lookup("ci.yml", "burn", {}, cores=2)
    assert burn is not None and burn.cpu == 1.0  # dividing the wall time made it 1.47


def test_a_starved_cpu_bound_job_does_not_come_to_look_like_one_that_waits() -> None:
    learned = Profiles(None)
    # 0.2 s of CPU in 10 s: a crowd held it back, yet its process wanted a CPU throughout.
    learned.learn("ci.yml", "burn", {}, Usage(MIB, cpu=0.2, wall=10.0, share=0.5, busy=0.96))
    learned.learn("ci.yml", "nap", {}, Usage(MIB, cpu=0.01, wall=10.0, share=0.5, busy=0.0))
    burn = learned.lookup("ci.yml", "burn", {}, cores=2)
    nap = learned.lookup("ci.yml", "nap", {}, cores=2)
    assert burn is not None and burn.cpu == 0.96
    assert nap is not None and nap.cpu == 0.005
