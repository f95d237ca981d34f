"""Runs and what they ran: runs, workflow versions, jobs, attempts, steps, files, runners,
resource samples.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def _col(name: str, kind: sa.types.TypeEngine[Any], null: bool = False) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=null)


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _text(name: str, null: bool = False) -> sa.Column[Any]:
    return _col(name, sa.Text(), null)


def _str(name: str, length: int = 255, null: bool = False) -> sa.Column[Any]:
    return _col(name, sa.String(length=length), null)


def _time(name: str, null: bool = False) -> sa.Column[Any]:
    return _col(name, sa.Float(), null)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=False)


def _fk(table: str, column: str, target: str, cascade: bool = True) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_{table}_{column}_{target}",
                                   ondelete="CASCADE" if cascade else None)


def upgrade() -> None:
    _runs()
    _jobs()
    _qcity()


def _runs() -> None:
    op.create_table(
        "runs", _str("id", 64), _col("number", sa.Integer()), _col("attempt", sa.Integer()),
        _str("event", 100), _col("event_data", sa.JSON()), _str("commit_sha", 64),
        _text("ref"),
        _str("repository"), _text("root"), _text("run_dir"), _col("plan", sa.JSON()),
        _col("variables", sa.JSON()), _col("matrix_filter", sa.JSON()),
        _col("capacity", sa.Integer(), True), _str("result", 32, True), _time("started_at"),
        _time("finished_at", True), _col("coordinator_pid", sa.Integer()),
        _str("coordinator_host"), _str("coordinator_start", 64, True), _time("heartbeat_at"),
        sa.PrimaryKeyConstraint("id", name="pk_runs"))
    _index("runs", "result")
    op.create_table(
        "workflow_versions", _id(), _text("path"), _str("content_hash", 64), _text("content"),
        _str("commit_sha", 64, True), _time("first_seen"), _time("last_seen"),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_versions"),
        sa.UniqueConstraint("path", "content_hash",
                            name="uq_workflow_versions_path_content_hash"))
    _index("workflow_versions", "content_hash")
    op.create_table(
        "run_workflows", _id(), _str("run_id", 64), _col("position", sa.Integer()),
        _text("path"), _text("repo_path"), _text("name"), _col("version_id", sa.Integer()),
        _str("result", 32, True), _time("started_at"), _time("finished_at", True),
        _fk("run_workflows", "run_id", "runs"),
        _fk("run_workflows", "version_id", "workflow_versions", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_run_workflows"),
        sa.UniqueConstraint("run_id", "position", name="uq_run_workflows_run_id_position"))
    _index("run_workflows", "path")
    _index("run_workflows", "run_id")


def _jobs() -> None:
    op.create_table(
        "jobs", _id(), _str("run_id", 64), _str("key"), _text("workflow"), _str("job_id"),
        _text("name"), _col("matrix", sa.JSON()), _str("result", 32, True),
        _col("outputs", sa.JSON()), _text("message", True), _col("attempt", sa.Integer()),
        _str("runner", null=True), _col("resources", sa.JSON(), True), _time("queued_at"),
        _time("started_at", True), _time("finished_at", True), _fk("jobs", "run_id", "runs"),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("run_id", "key", name="uq_jobs_run_id_key"))
    _index("jobs", "run_id")
    op.create_table(
        "job_attempts", _id(), _col("job_pk", sa.Integer()), _col("number", sa.Integer()),
        _str("runner", null=True), _col("pid", sa.Integer(), True), _str("host", null=True),
        _str("result", 32, True), _text("log_dir", True), _text("error", True),
        _time("started_at"), _time("finished_at", True),
        _fk("job_attempts", "job_pk", "jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_job_attempts"),
        sa.UniqueConstraint("job_pk", "number", name="uq_job_attempts_job_pk_number"))
    _index("job_attempts", "job_pk")
    op.create_table(
        "steps", _id(), _col("attempt_id", sa.Integer()), _col("index", sa.Integer()),
        _str("step_id"), _text("name"), _str("outcome", 32, True),
        _str("conclusion", 32, True), _col("outputs", sa.JSON()), _time("started_at"),
        _time("finished_at", True), _text("log_path", True),
        _fk("steps", "attempt_id", "job_attempts"),
        sa.PrimaryKeyConstraint("id", name="pk_steps"),
        sa.UniqueConstraint("attempt_id", "index", name="uq_steps_attempt_id_index"))
    _index("steps", "attempt_id")
    op.create_table(
        "files", _id(), _str("run_id", 64, True), _col("attempt_id", sa.Integer(), True),
        _str("kind", 32), _text("path"), _str("sha256", 64, True),
        _col("size", sa.BigInteger(), True), _time("created_at"),
        _fk("files", "attempt_id", "job_attempts"), _fk("files", "run_id", "runs"),
        sa.PrimaryKeyConstraint("id", name="pk_files"))
    _index("files", "run_id")
    _index("files", "sha256")


def _qcity() -> None:
    op.create_table(
        "runners", _str("id", 128), _col("pid", sa.Integer(), True), _str("host"),
        _str("pool", 128), _str("state", 16), _str("current_run", 64, True),
        _str("current_job", null=True), _col("labels", sa.JSON()), _time("started_at"),
        _time("heartbeat_at"), sa.PrimaryKeyConstraint("id", name="pk_runners"))
    _index("runners", "pool")
    op.create_table(
        "resource_samples", _id(), _str("workflow", 512), _str("job_id"),
        _str("matrix_key", 1024), _str("run_id", 64, True), _str("job_key", null=True),
        _col("attempt", sa.Integer(), True), _col("peak_rss", sa.BigInteger(), True),
        _time("cpu_seconds", True), _time("wall_seconds", True), _time("sampled_at"),
        sa.PrimaryKeyConstraint("id", name="pk_resource_samples"))
    _index("resource_samples", "workflow")


def downgrade() -> None:
    for table in ("resource_samples", "runners", "files", "steps", "job_attempts", "jobs",
                  "run_workflows", "workflow_versions", "runs"):
        op.drop_table(table)
