"""Alembic's environment for QMOI's store: always online, on the connection that
``qmoi.store.migrate`` hands over (users never need an alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from qmoi.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("qmoi's migrations run through qmoi.store.migrate, with a connection")

# SQLite cannot ALTER most things in place; batch mode copies the table instead.
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
