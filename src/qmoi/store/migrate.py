"""Bringing a database to the newest schema with the Alembic revisions kept in the package.

Two processes may open a new store at the same moment, so the upgrade runs inside one
transaction that first takes a lock: SQLite's write lock (``BEGIN IMMEDIATE``) or a
PostgreSQL advisory lock. The second process waits, then finds nothing left to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from qmoi.store.engine import writer

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: it names the lock every qmoi process takes before migrating.
_PG_LOCK = 0x716D6F69


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest); a no-op when it is there."""
    target = head_revision() if revision == "head" else revision
    with engine.connect() as connection:
        if current_revision(connection) == target:
            return
    with writer(engine).connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        if current_revision(connection) != target:
            command.upgrade(_config(connection), target)
