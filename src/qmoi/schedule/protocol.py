"""The one seam between the scheduler and whatever runs jobs.

The scheduler builds a :class:`JobRequest` (plain data, JSON-ready, so a runner may live in
another process or on another machine), hands it to a :class:`Runner` with an ``emit``
callback, and from then on only listens to events. A runner must:

* emit, for each submitted request, ``JobStarted`` when the job really starts, any number of
  step/log/annotation events, and exactly one final ``JobFinished`` for that key — also
  when the job is cancelled or crashes (then with result ``cancelled`` / ``failure``);
* accept ``emit`` being called from any thread (the scheduler queues events);
* treat ``cancel(key)`` as GitHub's cancellation: steps still run their ``always()`` parts,
  the running process is interrupted, and the job ends ``cancelled``; cancelling an
  unknown or finished key does nothing;
* not limit parallelism on its own beyond ``capacity`` (the scheduler never has more than
  ``capacity`` jobs submitted and unfinished).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from qmoi.events import Event

Emit = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class JobRequest:
    """Everything needed to run one job (one matrix leg) of a workflow run.

    ``github`` is the run-wide github context (``github.event`` included); ``needs`` maps each
    direct need to ``{"result", "outputs"}``; ``strategy`` is the strategy context; ``root``
    the repository and ``run_dir`` the folder of this run's files (logs, workspaces).
    """

    run_id: str
    key: str
    workflow_path: str
    workflow_display: str
    job_id: str
    name: str
    root: str
    run_dir: str
    github: dict[str, Any]
    matrix: dict[str, Any] = field(default_factory=dict)
    strategy: dict[str, Any] = field(default_factory=dict)
    needs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRequest:
        return cls(**data)


class Runner(Protocol):
    """Where jobs run (threads here, a process pool or a Ray cluster elsewhere)."""

    @property
    def capacity(self) -> int:
        """How many jobs may be submitted and unfinished at once."""
        ...

    def submit(self, request: JobRequest, emit: Emit) -> None:
        """Start the job without blocking; report everything through ``emit``."""
        ...

    def cancel(self, key: str) -> None:
        """Ask the job ``key`` to stop (it still ends with a ``JobFinished``)."""
        ...

    def close(self) -> None:
        """Wait for the jobs still running and release resources."""
        ...
