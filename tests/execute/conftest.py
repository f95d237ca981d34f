"""Every run test gets its own, empty action cache: nothing reads the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_action_cache(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("action-cache")
    monkeypatch.setenv("QMOI_ACTION_CACHE", str(folder))
    yield folder
