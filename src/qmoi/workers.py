"""Background threads taking calls in order: the run's housekeeping (workspaces made ahead,
folders emptied) and the inline runner's jobs.

What ``concurrent.futures.ThreadPoolExecutor`` gives here, without importing it: its module
imports ``logging`` (with ``traceback``, ``string`` and ``textwrap``), ~4 ms of the ~100 ms
``qmoi run`` spends starting up. The same rules: a thread starts when a call finds none
idle, up to ``size``; calls run in the order they came; an exception is kept for
``result()``; ``shutdown`` lets the queued calls finish. The threads are daemons, so a
caller that never shuts its workers down cannot keep the process alive; every owner here
shuts its workers down when it closes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Task(Generic[T]):
    """A submitted call: ``result()`` waits for it, then returns its value or raises what
    it raised."""

    __slots__ = ("_done", "_error", "_value")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> T:
        if not self._done.wait(timeout):
            raise TimeoutError("the call has not finished")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set by _run before _done

    def _run(self, call: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._value = call(*args)
        except BaseException as error:  # kept for result(), as a Future keeps it
            self._error = error
        finally:
            self._done.set()


_Item = tuple[Task[Any], Callable[..., Any], tuple[Any, ...]] | None


class Workers:
    """Up to ``size`` threads named ``<name>_<n>`` running submitted calls in order."""

    def __init__(self, size: int, name: str) -> None:
        if size < 1:
            raise ValueError("workers need a size of at least 1")
        self._size, self._name = size, name
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # one release per thread waiting for a call
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, call: Callable[..., T], *args: Any) -> Task[T]:
        task: Task[T] = Task()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit a call after shutdown")
            self._queue.put((task, call, args))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._size:
                thread = threading.Thread(target=self._work, daemon=True,
                                          name=f"{self._name}_{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
        return task

    def shutdown(self, wait: bool = True) -> None:
        """Take no more calls; the queued ones still run. ``wait``: until they have."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._queue.put(None)  # for the next thread
                return
            task, call, args = item
            task._run(call, args)
            del task, call, args, item  # not held while waiting for the next call
            self._idle.release()
