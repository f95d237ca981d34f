"""Every store test runs twice: on SQLite (a file under the test's QMOI home) and on
PostgreSQL (a fresh schema of ``$QMOI_TEST_POSTGRES_URL``; skipped when it is unset).
The database is chosen through ``QMOI_DATABASE_URL``, as users choose it, so processes a
test starts use the same one."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qmoi.execute.session import new_run
from qmoi.plan import build_plan, load_workflows, synthesise_event
from qmoi.schedule import RunOptions
from qmoi.store import RunSpec, Store, open_store
from qmoi.store.engine import DATABASE_ENV
from run_helpers import make_repo

POSTGRES_ENV = "QMOI_TEST_POSTGRES_URL"


def _postgres_schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _create_schema(base: str) -> str:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return schema


def _drop_schema(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _postgres_base() -> str:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts a PostgreSQL)")
    return base


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[str]:
    """A brand-new, empty database; ``QMOI_DATABASE_URL`` is set (PostgreSQL: a fresh
    schema) or unset (SQLite: ``qmoi.db`` in the QMOI home). Yields the backend's name."""
    if request.param == "sqlite":
        monkeypatch.delenv(DATABASE_ENV, raising=False)
        yield "sqlite"
        return
    base = _postgres_base()
    schema = _create_schema(base)
    monkeypatch.setenv(DATABASE_ENV, _postgres_schema_url(base, schema))
    try:
        yield "postgresql"
    finally:
        _drop_schema(base, schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating each time is slow)."""
    home = tmp_path_factory.mktemp("template-home")
    open_store(home, url=f"sqlite:///{home / 'qmoi.db'}").close()
    return home / "qmoi.db"


@pytest.fixture(scope="session")
def _postgres_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated schema per test process; each test empties it when it ends."""
    base = _postgres_base()
    schema = _create_schema(base)
    url = _postgres_schema_url(base, schema)
    open_store(tmp_path_factory.mktemp("pg-home"), url=url, recover=False).close()
    try:
        yield url
    finally:
        _drop_schema(base, schema)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[Store]:
    """An open store on a migrated, empty database of each backend."""
    if request.param == "sqlite":
        monkeypatch.delenv(DATABASE_ENV, raising=False)
        home.mkdir(parents=True)
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), home / "qmoi.db")
    else:
        monkeypatch.setenv(DATABASE_ENV, request.getfixturevalue("_postgres_schema"))
    opened = open_store(home)
    try:
        yield opened
    finally:
        if request.param == "postgresql":
            _empty(opened)
        opened.close()


def _empty(store: Store) -> None:
    from qmoi.store.schema import metadata

    names = ", ".join(table.name for table in metadata.sorted_tables)
    with store.transaction() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


CI = """
    name: CI
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        strategy:
          matrix: {v: [1, 2]}
        steps:
          - id: s
            run: echo "x=${{ matrix.v }}" >> "$GITHUB_OUTPUT"
      check:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: echo checked
"""


def spec_for(repo: Path, workflows: dict[str, str] | None = None) -> RunSpec:
    """A fresh run of ``repo`` (made with ``workflows`` the first time)."""
    if not repo.exists():
        make_repo(repo, workflows or {"ci.yml": CI})
    loaded = load_workflows([], repo, repo)
    info, run_dir = new_run(repo / ".qmoi" / "runs")
    plan = build_plan(loaded, synthesise_event(repo, "push"), info, {"COLOR": "blue"})
    return RunSpec(plan, loaded, RunOptions(repo, run_dir), capacity=2)


@pytest.fixture
def make_spec(tmp_path: Path) -> Callable[..., RunSpec]:
    """``make_spec()`` plans a new run of a test repository (``repo=`` picks another)."""

    def make(repo: Path | None = None, workflows: dict[str, str] | None = None) -> RunSpec:
        return spec_for(repo or tmp_path / "repo", workflows)

    return make
