"""Helpers importable from any test module (pytest puts tests/ on sys.path via rootdir)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (as CI lays it out), else /work/shared."""
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if (candidate / "corpus").is_dir():
            return candidate
    return None


def corpus_files() -> list[Path]:
    shared = shared_dir()
    if shared is None:
        return []
    return sorted(p for p in (shared / "corpus" / "workflows").iterdir()
                  if p.suffix in (".yml", ".yaml"))
