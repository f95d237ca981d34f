"""Bringing a database to the newest schema with the Alembic revisions kept in the package.

Two processes may open a new store at the same moment, so the upgrade runs inside one
transaction that first takes a lock: SQLite's write lock (``BEGIN IMMEDIATE``) or a
PostgreSQL advisory lock. The second process waits, then finds nothing left to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from qmoi.store.engine import writer

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions (a test keeps the two equal): every qmoi
# command opens the store, and comparing with this constant spares importing Alembic.
HEAD = "0002"
# Any fixed number: it names the lock every qmoi process takes before migrating.
_PG_LOCK = 0x716D6F69


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _is_current(engine: Engine, target: str) -> bool:
    with engine.connect() as connection:
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no table yet: a new database
            return False
    return [row[0] for row in found] == [target]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest); a no-op when it is there."""
    target = HEAD if revision == "head" else revision
    if _is_current(engine, target):
        return
    from alembic import command

    with writer(engine).connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        if current_revision(connection) != target:
            command.upgrade(_config(connection), target)
