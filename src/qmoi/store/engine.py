"""Where the store lives and how to talk to it: SQLite in WAL mode under the QMOI home by
default, PostgreSQL (psycopg 3) when ``QMOI_DATABASE_URL`` is set.

SQLite is set up so two ``qmoi`` processes can work at once: WAL lets readers run beside
the one writer, ``busy_timeout`` makes a writer wait for the lock instead of failing, and
every write transaction starts with ``BEGIN IMMEDIATE`` so it takes the write lock up front
(a deferred transaction that upgrades to a write after another process committed fails at
once with SQLITE_BUSY, whatever the timeout: https://www.sqlite.org/lang_transaction.html).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from qmoi.errors import UsageError

DATABASE_ENV = "QMOI_DATABASE_URL"
DB_NAME = "qmoi.db"
BUSY_TIMEOUT_MS = 30_000
_WRITE = "qmoi_write"


def database_url(home: Path) -> str:
    """``$QMOI_DATABASE_URL`` when set (a plain ``postgresql://`` URL gets the psycopg 3
    driver), else the SQLite file ``<home>/qmoi.db``."""
    given = os.environ.get(DATABASE_ENV, "").strip()
    if not given:
        return f"sqlite:///{home / DB_NAME}"
    for prefix in ("postgres://", "postgresql://"):
        if given.startswith(prefix):
            return "postgresql+psycopg://" + given[len(prefix):]
    return given


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(f"{DATABASE_ENV} is not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(f"unsupported database {parsed.get_backend_name()!r} in "
                         f"{DATABASE_ENV}; use sqlite or postgresql")
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (the driver's own implicit
    # transactions would neither cover DDL nor take the write lock early).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL keeps every commit across a crash of the process (the failure
        # QCity recovers from); only a power loss may drop the last commits.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, with transactions that take SQLite's write lock when they start."""
    return engine.execution_options(**{_WRITE: True})


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session committed on success (before the caller tells anyone), rolled back on error."""
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def display_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
