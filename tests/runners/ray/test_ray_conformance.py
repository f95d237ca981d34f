"""The runner conformance suite against the Ray backend, on the shared local cluster."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qmoi.runners import JobExecutor
from qmoi.runners.ray.labels import JobResources
from qmoi.runners.ray.runner import RayOptions, RayRunner
from qmoi.schedule import JobRequest
from runners.conformance import *  # noqa: F403  (the suite's tests and fixtures)
from runners.conformance import MakeRunner
from runners.ray.conftest import RayCluster

pytestmark = [pytest.mark.ray, pytest.mark.slow]


def light(request: JobRequest) -> JobResources:
    # The suite's jobs are light: a small CPU request lets `capacity` of them run at once.
    return JobResources(cpus=0.1)


@pytest.fixture
def make_runner(ray_cluster: RayCluster) -> MakeRunner:
    def build(factory: Callable[[], JobExecutor], capacity: int) -> RayRunner:
        return RayRunner(factory, RayOptions(capacity=capacity), light)

    return build
