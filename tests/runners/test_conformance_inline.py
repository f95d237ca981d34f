"""The conformance suite against the thread runner."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qmoi.runners import InlineRunner, JobExecutor
from runners.conformance import *  # noqa: F403  (the suite's tests and fixtures)
from runners.conformance import MakeRunner


@pytest.fixture
def make_runner() -> MakeRunner:
    def build(factory: Callable[[], JobExecutor], capacity: int) -> InlineRunner:
        return InlineRunner(factory(), capacity)

    return build
