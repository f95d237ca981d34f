"""Shared test helpers: where the read-only shared corpus lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (as CI lays it out), else /work/shared."""
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if (candidate / "corpus").is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("the shared corpus is not available")
    return found
