"""Learned resource profiles: peak memory and CPU time per workflow/job and matrix leg.

Kept behind :class:`ProfileStore` so the store (SQLAlchemy) can take over from the JSON
file; :class:`JsonProfiles` writes ``<state_dir>/profiles.json`` atomically, merging with
what another ``qmoi`` process saved meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from qmoi.runners.pool.config import MIB, Request

MIN_MEMORY = 32 * MIB  # below this a measurement is noise next to a worker's own memory
MIN_CPU = 0.005  # a sleeping job: 2 cores admit 400 of them at once
MEMORY_MARGIN = 1.25  # a leg may need somewhat more than the last peak seen
CPU_WINDOW = 16


@dataclass(frozen=True, slots=True)
class Usage:
    """One finished attempt: ``peak_rss`` bytes, ``cpu`` seconds, ``wall`` seconds, the
    ``share`` of a core a busy process could get meanwhile (cores / runnable load, at most
    1): on a crowded machine a CPU-bound job gets less CPU per wall second, and without
    this it would pass for one that waits; ``busy``, the part of the sampling rounds in
    which its processes were runnable (0 when too few were seen)."""

    peak_rss: int
    cpu: float
    wall: float
    share: float = 1.0
    busy: float = 0.0

    @property
    def ratio(self) -> float:
        """CPU seconds per wall second the job would have used on a machine of its own.
        Only the computing part of the wall time was stretched by the crowd (``cpu`` took
        ``cpu / share`` seconds): a job that mostly waits keeps its ratio, where dividing
        the whole wall time by the share doubled it, and halved how many could run. At
        least ``busy``: the part of its sampled life a process of the job wanted a CPU,
        which no crowd lowers (a starved CPU-bound job's wall time grows without bound, and
        it must not come to look like one that waits)."""
        # The load average also counts short bursts of the pool's own processes (checkouts,
        # shells): trusted to double the computing time at most.
        stretch = 1 / max(self.share, 0.5) - 1
        alone = max(self.wall - self.cpu * stretch, self.cpu, 1e-3)
        return max(self.cpu / alone, self.busy)


@dataclass(frozen=True, slots=True)
class Profile:
    """A job's learned resource profile: its peak memory and the cores it keeps busy."""

    peak_rss: int
    cpu_ratio: float  # CPU seconds per wall second: the cores the job keeps busy
    samples: int = 1

    def merged(self, usage: Usage) -> Profile:
        """Memory remembers the larger peak (slowly forgetting); CPU is the mean of the
        last ``CPU_WINDOW`` or so attempts (one leg's noise must not move the request of a
        whole matrix: halving towards each new figure did, by 2× between legs)."""
        weight = 1 / min(self.samples + 1, CPU_WINDOW)
        return Profile(max(usage.peak_rss, int(self.peak_rss * 0.9)),
                       self.cpu_ratio + (usage.ratio - self.cpu_ratio) * weight,
                       self.samples + 1)

    def request(self, cores: int) -> Request:
        memory = max(MIN_MEMORY, int(self.peak_rss * MEMORY_MARGIN))
        return Request(min(float(cores), max(MIN_CPU, round(self.cpu_ratio, 3))), memory,
                       "learned")


def fresh(usage: Usage) -> Profile:
    return Profile(usage.peak_rss, usage.ratio)


class ProfileStore(Protocol):
    def load(self) -> dict[str, Profile]: ...

    def save(self, profiles: dict[str, Profile]) -> None: ...


class JsonProfiles:
    """``profiles.json``: ``{"version": 1, "profiles": {key: {peak_rss, cpu_ratio,
    samples}}}`` with keys ``<workflow>/<job>`` and ``<workflow>/<job>/<matrix JSON>``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Profile]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {key: Profile(int(v["peak_rss"]), float(v["cpu_ratio"]),
                                 int(v.get("samples", 1)))
                    for key, v in data.get("profiles", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # a missing or damaged file only means nothing was learned yet

    def save(self, profiles: dict[str, Profile]) -> None:
        merged = {**self.load(), **profiles}
        data: dict[str, Any] = {"version": 1,
                                "profiles": {k: asdict(v) for k, v in sorted(merged.items())}}
        write_atomically(self.path, json.dumps(data, indent=1) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over: a reader sees the old
    or the new content, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def job_key(workflow: str, job_id: str) -> str:
    return f"{workflow}/{job_id}"


def leg_key(workflow: str, job_id: str, matrix: dict[str, Any]) -> str:
    return f"{workflow}/{job_id}/{json.dumps(matrix, sort_keys=True, default=str)}"


class Profiles:
    """The learned profiles in memory; every finished leg updates its leg's and its job's
    profile at once, so later legs of the same run already benefit."""

    def __init__(self, store: ProfileStore | None) -> None:
        self.store = store
        self.known = store.load() if store is not None else {}
        self.changed: dict[str, Profile] = {}

    def lookup(self, workflow: str, job_id: str, matrix: dict[str, Any],
               cores: int) -> Request | None:
        for key in (leg_key(workflow, job_id, matrix), job_key(workflow, job_id)):
            found = self.known.get(key)
            if found is not None:
                return found.request(cores)
        return None

    def learn(self, workflow: str, job_id: str, matrix: dict[str, Any], usage: Usage) -> None:
        keys = [job_key(workflow, job_id)]
        if matrix:
            keys.append(leg_key(workflow, job_id, matrix))
        for key in keys:
            old = self.known.get(key)
            self.known[key] = self.changed[key] = fresh(usage) if old is None \
                else old.merged(usage)

    def save(self) -> None:
        if self.store is not None and self.changed:
            self.store.save(self.changed)
            self.changed = {}
