"""The embedded runner: each job on a thread of this process, calling the executor.

It implements ``qmoi.schedule.Runner``; the process-pool runner replaces it without the
scheduler noticing.
"""

from __future__ import annotations

import threading

from qmoi.runners.base import CancelToken, JobExecutor, default_capacity, run_to_one_end
from qmoi.schedule.protocol import Emit, JobRequest
from qmoi.workers import Workers


class InlineRunner:
    def __init__(self, executor: JobExecutor, capacity: int | None = None) -> None:
        self._executor = executor
        self._capacity = capacity if capacity is not None else default_capacity()
        if self._capacity < 1:
            raise ValueError("a runner needs a capacity of at least 1")
        self._pool = Workers(self._capacity, "qmoi-job")
        self._tokens: dict[str, CancelToken] = {}
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        return self._capacity

    def submit(self, request: JobRequest, emit: Emit) -> None:
        token = CancelToken()
        with self._lock:
            self._tokens[request.key] = token
        self._pool.submit(self._run, request, emit, token)

    def cancel(self, key: str) -> None:
        with self._lock:
            token = self._tokens.get(key)
        if token is not None:
            token.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, request: JobRequest, emit: Emit, token: CancelToken) -> None:
        try:
            run_to_one_end(request.key, token, emit,
                           lambda forward: self._executor.run_job(request, forward, token))
        finally:
            with self._lock:
                self._tokens.pop(request.key, None)
