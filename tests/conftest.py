"""Shared fixtures: where the read-only shared corpus lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_support import shared_dir


@pytest.fixture(scope="session")
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("the shared corpus is not available")
    return found
