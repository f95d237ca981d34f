"""QCity's persistent state: SQLAlchemy models with Alembic migrations, SQLite (WAL) under
the QMOI home by default, PostgreSQL when ``QMOI_DATABASE_URL`` is set.

Public API: ``open_store`` (``Store``: migrated, dead coordinators' runs recovered),
``StoreSink`` / ``RunSpec`` (persist a run's events as they happen), the read side in
``qmoi.store.runs`` (list, show, logs), ``qmoi.store.stats``, ``qmoi.store.resume``, and
the QCity tables' helpers: ``qmoi.store.runners``, ``qmoi.store.profiles``,
``qmoi.store.files``, ``qmoi.store.knowledge``.
"""

from qmoi.store.sink import RunSpec, StoreSink
from qmoi.store.store import Store, StoreError, open_store

__all__ = ["RunSpec", "Store", "StoreError", "StoreSink", "open_store"]
