"""Migrations: an empty database reaches the newest revision and matches the models; an
upgrade from revision 1 keeps the history already recorded; re-opening changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from qmoi.events import JobFinished, JobQueued, JobStarted, RunFinished, RunStarted
from qmoi.store import RunSpec, Store, StoreSink, open_store
from qmoi.store.engine import database_url, make_engine
from qmoi.store.knowledge import ranked_repairs, record_failure, record_repair
from qmoi.store.migrate import HEAD, current_revision, head_revision, upgrade
from qmoi.store.runs import list_runs, run_document
from qmoi.store.schema import metadata

RUN_TABLES = {"runs", "workflow_versions", "run_workflows", "jobs", "job_attempts", "steps",
              "files", "runners", "resource_samples"}
KB_TABLES = {"failure_signatures", "repairs"}


def test_an_empty_database_is_migrated_to_the_head_and_matches_the_models(
        database: str, home: Path) -> None:
    store = open_store(home)
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision() == HEAD == "0002"
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert tables >= RUN_TABLES | KB_TABLES
    store.close()
    again = open_store(home)  # opening again changes nothing
    with again.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    again.close()


def _record_one_run(store: Store, spec: RunSpec) -> str:
    sink = StoreSink(store, spec)
    run_id = spec.plan.run.run_id
    for event in (RunStarted(run_id, 1.0), JobQueued("check", "check", "check", "ci.yml", {}, 2.0),
                  JobStarted("check", 3.0), JobFinished("check", "success", {"o": "1"}, 4.0),
                  RunFinished(run_id, "success", 5.0)):
        sink(event)
    sink.close()
    return run_id


def test_upgrading_from_revision_1_keeps_the_recorded_runs(
        database: str, home: Path, make_spec: Callable[..., RunSpec]) -> None:
    home.mkdir(parents=True)
    engine = make_engine(database_url(home))
    upgrade(engine, "0001")
    with engine.connect() as connection:
        assert current_revision(connection) == "0001"
        assert not KB_TABLES & set(inspect(connection).get_table_names())
    old = Store(home, engine)
    run_id = _record_one_run(old, make_spec())
    before = run_document(old, run_id)
    old.close()

    store = open_store(home)
    assert run_document(store, run_id) == before
    assert [run["run_id"] for run in list_runs(store)] == [run_id]
    with store.transaction() as connection:
        signature = record_failure(connection, "npm ERR! ETIMEDOUT", "transient",
                                   "npm ERR! network ETIMEDOUT")
        record_repair(connection, signature, "retry", success=True)
    with store.transaction() as connection:
        assert [r.repair for r in ranked_repairs(connection, "npm ERR! ETIMEDOUT")] == ["retry"]
    store.close()
