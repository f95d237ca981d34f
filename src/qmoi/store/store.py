"""Opening the store: the database at its newest schema, with runs whose coordinator died
marked ``interrupted`` (every ``qmoi`` command that opens the store does this)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from qmoi.errors import InputError
from qmoi.store.engine import (
    database_url,
    display_url,
    make_engine,
    read_session,
    write_session,
    writer,
)
from qmoi.store.migrate import upgrade


class StoreError(InputError):
    """The database could not be opened or read (its URL is the location)."""


@dataclass(frozen=True, slots=True)
class Store:
    """``home`` is the QMOI folder (logs and files live under it); ``engine`` the database."""

    home: Path
    engine: Engine

    @property
    def url(self) -> str:
        return display_url(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that holds the write lock and is committed when the block ends."""
        with write_session(self.engine) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Like :meth:`write`, on a bare connection (for Core statements)."""
        with writer(self.engine).connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        with read_session(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(home: Path, *, url: str | None = None, recover: bool = True) -> Store:
    """The store of this QMOI home (``$QMOI_DATABASE_URL`` or ``<home>/qmoi.db``), migrated
    to the newest schema, with the runs journaled since taken in (``qmoi.store.ingest``);
    with ``recover`` runs of dead coordinators are marked interrupted."""
    from qmoi.store.ingest import ingest_pending
    from qmoi.store.recovery import recover_runs

    home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url or database_url(home))
    store = Store(home, engine)
    try:
        upgrade(engine)
        ingest_pending(store)
        if recover:
            recover_runs(store)
    except SQLAlchemyError as error:
        engine.dispose()
        raise StoreError(f"cannot open the store: {_reason(error)}",
                         location=display_url(engine)) from None
    return store


def _reason(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__
