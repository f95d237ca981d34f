"""The conformance suite against the local pool (worker processes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qmoi.runners import JobExecutor
from qmoi.runners.pool import LocalPool, PoolConfig, Request
from qmoi.runners.pool.config import MIB
from runners.conformance import *  # noqa: F403  (the suite's tests and fixtures)
from runners.conformance import MakeRunner


@pytest.fixture
def make_runner() -> MakeRunner:
    def build(factory: Callable[[], JobExecutor], capacity: int) -> LocalPool:
        # The suite's jobs are light: a small default request lets `capacity` run at once.
        config = PoolConfig(min=1, max=capacity, default_request=Request(0.1, 32 * MIB),
                            heartbeat_interval=0.2, tick=0.05)
        return LocalPool(factory, config)

    return build
