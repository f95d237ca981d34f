"""The store's tables as typed SQLAlchemy 2 models: runs and what they ran.

Times are seconds since the epoch (``time.time()``, as in the event stream), so both
databases store and compare them alike. Log and artifact files stay files: rows keep their
paths, which QMOI names by id or content hash, never by user input. Every change to these
models comes with an Alembic revision in ``migrations/versions`` (a test compares them).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONValue = dict[str, Any]


# Named constraints: SQLite can only change a table by copying it (Alembic's batch mode),
# which needs every constraint to have the same name on every database.
NAMING = {"ix": "ix_%(table_name)s_%(column_0_N_name)s",
          "uq": "uq_%(table_name)s_%(column_0_N_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
          "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        JSONValue: JSON, list[Any]: JSON, float: Float, str: String(255)}


class Run(Base):
    """One ``qmoi run`` (and its resumptions: ``attempt`` counts them). ``result`` stays
    NULL while the run goes on; the coordinator's pid, host and heartbeat tell a live run
    from one whose process died (then ``result`` becomes ``interrupted``)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    event: Mapped[str] = mapped_column(String(100))
    event_data: Mapped[JSONValue]
    commit_sha: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(Text)
    repository: Mapped[str]
    root: Mapped[str] = mapped_column(Text)
    run_dir: Mapped[str] = mapped_column(Text)
    plan: Mapped[JSONValue]
    variables: Mapped[JSONValue]
    matrix_filter: Mapped[list[Any]]
    capacity: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(32), index=True)
    started_at: Mapped[float]
    finished_at: Mapped[float | None]
    coordinator_pid: Mapped[int] = mapped_column(Integer)
    coordinator_host: Mapped[str]
    coordinator_start: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[float]

    workflows: Mapped[list[RunWorkflow]] = relationship(
        back_populates="run", order_by="RunWorkflow.position", lazy="selectin")


class WorkflowVersion(Base):
    """A workflow file's content as QMOI saw it (by path in the repository and SHA-256)."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("path", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[str] = mapped_column(Text)
    commit_sha: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[float]
    last_seen: Mapped[float]


class RunWorkflow(Base):
    """A workflow a run ran, at the version it ran, with that workflow's own result."""

    __tablename__ = "run_workflows"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text, index=True)
    repo_path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    result: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[float]
    finished_at: Mapped[float | None]

    run: Mapped[Run] = relationship(back_populates="workflows")
    version: Mapped[WorkflowVersion] = relationship(lazy="joined")


class JobRow(Base):
    """One job (one matrix leg) of a run, named by its run-wide ``key``. ``attempt`` counts
    the attempts started; the latest attempt's runner and times are copied here."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("run_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str]
    workflow: Mapped[str] = mapped_column(Text)
    job_id: Mapped[str]
    name: Mapped[str] = mapped_column(Text)
    matrix: Mapped[JSONValue]
    result: Mapped[str | None] = mapped_column(String(32))
    outputs: Mapped[JSONValue]
    message: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    runner: Mapped[str | None]
    resources: Mapped[JSONValue | None]
    queued_at: Mapped[float]
    started_at: Mapped[float | None]
    finished_at: Mapped[float | None]


class JobAttempt(Base):
    __tablename__ = "job_attempts"
    __table_args__ = (UniqueConstraint("job_pk", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_pk: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    runner: Mapped[str | None]
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None]
    result: Mapped[str | None] = mapped_column(String(32))
    log_dir: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[float]
    finished_at: Mapped[float | None]


class StepRow(Base):
    """A step part of a job attempt (``index`` as in the events; posts included)."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("attempt_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("job_attempts.id", ondelete="CASCADE"),
                                            index=True)
    index: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str]
    name: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    conclusion: Mapped[str | None] = mapped_column(String(32))
    outputs: Mapped[JSONValue]
    started_at: Mapped[float]
    finished_at: Mapped[float | None]
    log_path: Mapped[str | None] = mapped_column(Text)


class FileRow(Base):
    """A log or artifact file: its path (QMOI-chosen: ids or the content hash), size and
    SHA-256 once the file is complete."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"),
                                               index=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_attempts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # log | summary | artifact
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[float]
