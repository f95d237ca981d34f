"""QCity's own tables: the runners it knows and the resources jobs used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qmoi.store.models import Base


class RunnerRow(Base):
    """A runner worker (``state`` idle / busy / draining); ``current_run`` and
    ``current_job`` name the job it executes, NULL when idle."""

    __tablename__ = "runners"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str]
    pool: Mapped[str] = mapped_column(String(128), index=True)
    state: Mapped[str] = mapped_column(String(16))
    current_run: Mapped[str | None] = mapped_column(String(64))
    current_job: Mapped[str | None]
    labels: Mapped[list[Any]] = mapped_column(JSON)
    started_at: Mapped[float]
    heartbeat_at: Mapped[float]


class ResourceSample(Base):
    """What one job attempt used, keyed by workflow / job / matrix leg (``matrix_key`` is the
    leg's matrix as canonical JSON) so later runs of the same leg can learn a request."""

    __tablename__ = "resource_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow: Mapped[str] = mapped_column(String(512), index=True)
    job_id: Mapped[str]
    matrix_key: Mapped[str] = mapped_column(String(1024))
    run_id: Mapped[str | None] = mapped_column(String(64))
    job_key: Mapped[str | None]
    attempt: Mapped[int | None] = mapped_column(Integer)
    peak_rss: Mapped[int | None] = mapped_column(BigInteger)
    cpu_seconds: Mapped[float | None] = mapped_column(Float)
    wall_seconds: Mapped[float | None] = mapped_column(Float)
    sampled_at: Mapped[float] = mapped_column(Float)
