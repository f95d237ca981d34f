"""qmoi.workers: calls run in order on at most ``size`` threads, results and exceptions come
back through ``result()``, and shutdown lets queued calls finish."""

from __future__ import annotations

import threading
import time

import pytest

from qmoi.workers import Workers


def test_one_worker_runs_calls_in_order_and_returns_their_values() -> None:
    workers = Workers(1, "t")
    seen: list[int] = []
    tasks = [workers.submit(lambda n=n: seen.append(n) or n * 2) for n in range(20)]
    assert [task.result(timeout=5) for task in tasks] == [n * 2 for n in range(20)]
    assert seen == list(range(20))
    workers.shutdown()


def test_an_exception_is_raised_by_result_and_the_thread_goes_on() -> None:
    workers = Workers(1, "t")

    def fail() -> None:
        raise KeyError("gone")

    failed = workers.submit(fail)
    after = workers.submit(lambda: "next")
    with pytest.raises(KeyError, match="gone"):
        failed.result(timeout=5)
    assert after.result(timeout=5) == "next"
    workers.shutdown()


def test_threads_start_only_while_none_is_idle_up_to_the_size() -> None:
    workers = Workers(3, "grow")
    gate = threading.Event()
    blocked = [workers.submit(gate.wait, 5) for _ in range(5)]
    time.sleep(0.1)
    busy = [t for t in threading.enumerate() if t.name.startswith("grow_")]
    assert len(busy) == 3  # five calls, three threads: two calls wait their turn
    gate.set()
    assert all(task.result(timeout=5) for task in blocked)
    for _ in range(10):  # one call at a time finds an idle thread: no new one
        workers.submit(lambda: None).result(timeout=5)
    assert len([t for t in threading.enumerate() if t.name.startswith("grow_")]) == 3
    workers.shutdown()
    assert not [t for t in threading.enumerate() if t.name.startswith("grow_")]


def test_shutdown_finishes_queued_calls_and_refuses_new_ones() -> None:
    workers = Workers(1, "t")
    done: list[int] = []
    for n in range(5):
        workers.submit(lambda n=n: (time.sleep(0.01), done.append(n)))
    workers.shutdown(wait=True)
    assert done == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError):
        workers.submit(lambda: None)


def test_result_can_time_out() -> None:
    workers = Workers(1, "t")
    gate = threading.Event()
    task = workers.submit(gate.wait, 5)
    with pytest.raises(TimeoutError):
        task.result(timeout=0.05)
    assert not task.done()
    gate.set()
    assert task.result(timeout=5) is True and task.done()
    workers.shutdown()
