"""The pool's settings: ``runners:`` and ``qcity:`` of ``.github/qmoi.yml`` (read by
``qmoi.check.config``) over defaults derived from this machine."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from qmoi.check.config import CONFIG_PATH, Config, JobResources, parse_config
from qmoi.errors import InputError

MIB = 1024 * 1024
LOCAL = "local"
# Labels the local pool serves without configuration: a self-hosted Linux runner's default
# labels and GitHub's Ubuntu images (labels compare case-insensitively on GitHub:
# https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/using-self-hosted-runners-in-a-workflow).
DEFAULT_LABELS = ("self-hosted", "linux", "x64", "ubuntu-*")


@dataclass(frozen=True, slots=True)
class Request:
    """What a job needs: ``cpu`` in cores (a fraction for jobs that mostly wait), ``memory``
    in bytes; ``source`` says where it came from: config, learned or default."""

    cpu: float
    memory: int
    source: str = "default"

    def describe(self) -> str:
        return f"{self.cpu:g} CPU, {self.memory / MIB:.0f} MiB ({self.source})"


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """``min`` worker processes, ``max`` jobs at once; ``memory`` is what all jobs together
    may reserve and ``headroom`` what is always left free; ``cpu_overcommit`` scales the
    cores jobs may reserve; ``state_dir`` holds the learned profiles and the published
    worker list."""

    min: int = 1
    max: int = 0  # 0: from the machine
    idle_timeout: float = 30.0
    heartbeat_interval: float = 1.0
    heartbeat_timeout: float = 30.0
    retries: int = 2
    memory: int = 0  # 0: the machine's memory
    headroom: int = -1  # -1: 10 % of the memory, at most 2 GiB
    cpu_overcommit: float = 1.0
    default_request: Request = Request(0.5, 256 * MIB)  # a job never seen before
    pools: tuple[str, ...] = (LOCAL,)
    labels: tuple[tuple[str, str], ...] = ()
    jobs: tuple[JobResources, ...] = ()
    state_dir: Path | None = None
    tick: float = 0.2
    jobs_per_worker: int = 32  # jobs that mostly wait, run together in one worker process
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)

    def resolved(self) -> PoolConfig:
        """Zeros replaced by what this machine gives."""
        total = int(psutil.virtual_memory().total)
        memory = self.memory or total
        headroom = self.headroom if self.headroom >= 0 else min(2048 * MIB, memory // 10)
        most = self.max or default_max(self.cores, memory)
        return _replace(self, max=max(most, self.min, 1), memory=memory, headroom=headroom)

    def job_settings(self, workflow: str, job_id: str) -> JobResources | None:
        """The ``qcity.jobs`` entry for a job: ``<workflow>/<job>`` where the workflow is its
        repository path or its file name; later entries win."""
        names = (f"{workflow}/{job_id}", f"{Path(workflow).name}/{job_id}")
        found = None
        for entry in self.jobs:
            if any(entry.pattern == n or fnmatch.fnmatchcase(n, entry.pattern) for n in names):
                found = entry
        return found


def default_max(cores: int, memory: int) -> int:
    """Most jobs at once: 128 per core (jobs that wait share worker processes, and
    admission — not this number — keeps the machine from thrashing), at most one per
    32 MiB of memory, at most 1024, at least 4."""
    return max(4, min(1024, 128 * cores, memory // (32 * MIB)))


def _replace(config: PoolConfig, **changes: object) -> PoolConfig:
    import dataclasses

    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def pool_config(root: Path, state_dir: Path | None, **overrides: object) -> PoolConfig:
    """The pool settings of the repository at ``root``; a configuration problem in the
    ``runners:`` or ``qcity:`` sections stops the run with its location."""
    path = root / CONFIG_PATH
    config = Config()
    if path.is_file():
        text = path.read_text(encoding="utf-8", errors="replace")
        config = parse_config(text)
        for problem in config.problems:
            message = problem.message
            if message.startswith(("runners.", "qcity.")) or " in runners" in message \
                    or " in qcity" in message:
                line = text.count("\n", 0, problem.span.start) + 1
                raise InputError(f"{CONFIG_PATH}:{line}: {message}")
    return _replace(from_config(config, state_dir), **overrides)


def from_config(config: Config, state_dir: Path | None) -> PoolConfig:
    runners = config.runners
    base = PoolConfig()
    return PoolConfig(
        min=runners.min if runners.min is not None else base.min,
        max=runners.max or 0,
        idle_timeout=runners.idle_timeout if runners.idle_timeout is not None
        else base.idle_timeout,
        heartbeat_timeout=runners.heartbeat_timeout or base.heartbeat_timeout,
        retries=runners.retries if runners.retries is not None else base.retries,
        memory=runners.memory or 0,
        headroom=runners.memory_headroom if runners.memory_headroom is not None else -1,
        pools=tuple(dict.fromkeys((LOCAL, *runners.pools))),
        labels=runners.labels,
        jobs=config.qcity_jobs,
        state_dir=state_dir,
    )
