"""QCity's persistent state: SQLAlchemy models with Alembic migrations, SQLite (WAL) under
the QMOI home by default, PostgreSQL when ``QMOI_DATABASE_URL`` is set.

Public API: ``open_store`` (``Store``: migrated, dead coordinators' runs recovered),
``StoreSink`` / ``RunSpec`` (persist a run's events as they happen), ``GroupCommitSink``
(the same, committed in groups on a thread of its own), the read side in
``qmoi.store.runs`` (list, show, logs), ``qmoi.store.stats``, ``qmoi.store.resume``, and
the QCity tables' helpers: ``qmoi.store.runners``, ``qmoi.store.profiles``,
``qmoi.store.files``, ``qmoi.store.knowledge``.
"""

from typing import TYPE_CHECKING, Any

from qmoi.store.group import GroupCommitSink

if TYPE_CHECKING:
    from qmoi.store.sink import StoreSink
    from qmoi.store.spec import RunSpec
    from qmoi.store.store import Store, StoreError, open_store

__all__ = ["GroupCommitSink", "RunSpec", "Store", "StoreError", "StoreSink", "open_store"]

_LAZY = {"RunSpec": "qmoi.store.spec", "StoreSink": "qmoi.store.sink",
         "Store": "qmoi.store.store", "StoreError": "qmoi.store.store",
         "open_store": "qmoi.store.store"}


def __getattr__(name: str) -> Any:
    # SQLAlchemy takes a few hundred milliseconds to import: only when the store is used,
    # so `qmoi run` can open it on a thread of its own while the run starts.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qmoi.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
