"""The runners QCity knows, as every ``qmoi`` process sees them: the pool registers its
workers here and keeps their state (idle / busy / draining), current job and heartbeat up
to date, so ``qmoi runners list`` in another terminal shows them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from qmoi.errors import UsageError
from qmoi.store.models_qcity import RunnerRow

STATES = frozenset({"idle", "busy", "draining"})


@dataclass(frozen=True, slots=True)
class RunnerInfo:
    """A runner as QCity's pool registers it, so that other ``qmoi`` processes can list it."""

    id: str
    pool: str
    host: str
    pid: int | None = None
    labels: Sequence[str] = ()


def _check(state: str) -> None:
    if state not in STATES:
        raise UsageError(f"runner state must be one of {', '.join(sorted(STATES))}, "
                         f"not {state!r}")


def register_runner(conn: Connection, runner: RunnerInfo, at: float | None = None) -> None:
    """Add the runner as idle (a runner id seen again starts over: a restarted worker)."""
    now = time.time() if at is None else at
    conn.execute(delete(RunnerRow).where(RunnerRow.id == runner.id))
    conn.execute(insert(RunnerRow).values(
        id=runner.id, pid=runner.pid, host=runner.host, pool=runner.pool, state="idle",
        current_run=None, current_job=None, labels=list(runner.labels), started_at=now,
        heartbeat_at=now))


def set_runner_state(conn: Connection, runner_id: str, state: str,
                     job: tuple[str, str] | None = None, at: float | None = None) -> None:
    """``job`` is (run id, job key) while busy; it is cleared in any other state."""
    _check(state)
    run, key = job if job is not None and state == "busy" else (None, None)
    conn.execute(update(RunnerRow).where(RunnerRow.id == runner_id).values(
        state=state, current_run=run, current_job=key,
        heartbeat_at=time.time() if at is None else at))


def heartbeat_runner(conn: Connection, runner_id: str, at: float | None = None) -> None:
    conn.execute(update(RunnerRow).where(RunnerRow.id == runner_id)
                 .values(heartbeat_at=time.time() if at is None else at))


def remove_runner(conn: Connection, runner_id: str) -> None:
    conn.execute(delete(RunnerRow).where(RunnerRow.id == runner_id))


def list_runners(conn: Connection, pool: str | None = None) -> list[dict[str, Any]]:
    """Each runner as ``{"id", "pid", "state", "job", "pool", "host", "labels",
    "heartbeat_at"}``; ``job`` is ``{"run_id", "key"}`` or None."""
    columns = (RunnerRow.id, RunnerRow.pid, RunnerRow.state, RunnerRow.current_run,
               RunnerRow.current_job, RunnerRow.pool, RunnerRow.host, RunnerRow.labels,
               RunnerRow.heartbeat_at)
    query = select(*columns).order_by(RunnerRow.pool, RunnerRow.id)
    if pool is not None:
        query = query.where(RunnerRow.pool == pool)
    return [_runner_json(row) for row in conn.execute(query)]


def _runner_json(row: Row[Any]) -> dict[str, Any]:
    job = None if row.current_run is None else {"run_id": row.current_run,
                                                 "key": row.current_job}
    return {"id": row.id, "pid": row.pid, "state": row.state, "job": job, "pool": row.pool,
            "host": row.host, "labels": list(row.labels), "heartbeat_at": row.heartbeat_at}
