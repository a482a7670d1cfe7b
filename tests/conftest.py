"""Shared fixtures: settings for temporary databases, the demo database, and dumps.

`MALBILD_TEST_DATABASE_URL` (a PostgreSQL URL) makes the integration tests that take `engine_url`
also run against that server; without it they are reported as skipped, and
`MALBILD_REQUIRE_DATABASE=1` turns its absence into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from etl import backup, db, schema
from etl.demo import build_demo
from etl.settings import DEFAULT_DATA_DIR, Settings

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get("MALBILD_TEST_DATABASE_URL")


def make_settings(url: str, **overrides) -> Settings:
    return Settings(database_url=url, data_dir=DEFAULT_DATA_DIR, **overrides)


def sqlite_url(directory: Path, name: str = "malbild.sqlite") -> str:
    return f"sqlite:///{directory / name}"


def _postgres_available() -> bool:
    if not POSTGRES_URL:
        return False
    try:
        with create_engine(POSTGRES_URL).connect():
            return True
    except Exception:
        return False


@contextmanager
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty schema on the test server, so tests never see each other's tables."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{name}"
    try:
        yield url
    finally:
        db.engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


POSTGRES_MISSING = "PostgreSQL saknas (sätt MALBILD_TEST_DATABASE_URL)"


def engine_params() -> list:
    """SQLite, and PostgreSQL: skipped with the reason when not configured (so the report shows
    what did not run), failed instead with MALBILD_REQUIRE_DATABASE=1."""
    unconfigured = not POSTGRES_URL and os.environ.get("MALBILD_REQUIRE_DATABASE") != "1"
    return [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=[
                pytest.mark.postgres, pytest.mark.skipif(unconfigured, reason=POSTGRES_MISSING)])]


@pytest.fixture(params=engine_params())
def engine_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL: a SQLite file, and (when configured) a PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    require_postgres()
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def settings(engine_url) -> Settings:
    return make_settings(engine_url)


@pytest.fixture
def catalogue_db(settings) -> Settings:
    """A database with the schema, the bundled catalogue and the strategy, but no values."""
    from etl import imports

    db.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    imports.load_bundled_catalogue(engine, settings)
    imports.load_strategy_file(engine, settings)
    return settings


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory) -> Settings:
    """The whole demo database, built once per test session (SQLite)."""
    directory = tmp_path_factory.mktemp("demo")
    settings = make_settings(sqlite_url(directory, "demo.sqlite"))
    build_demo(settings)
    return settings


@pytest.fixture(scope="session")
def demo_settings(sqlite_demo) -> Settings:
    """The demo database; tests/integration overrides it to run on every engine."""
    return sqlite_demo


@pytest.fixture(scope="session")
def demo_engine(demo_settings):
    return db.engine_for(demo_settings.database_url)


def require_postgres() -> None:
    """Skip (or, with MALBILD_REQUIRE_DATABASE=1, fail) when the test server is missing."""
    if not _postgres_available():
        if os.environ.get("MALBILD_REQUIRE_DATABASE") == "1":
            pytest.fail(f"PostgreSQL krävs men svarar inte: {POSTGRES_URL!r}")
        pytest.skip(POSTGRES_MISSING)


def _copy_postgres(source_url: str, target_url: str) -> None:
    """Every row of every table from one test schema to another (at the same revision), by
    SQL on the server: a fraction of the time of a backup and restore."""
    db.upgrade(target_url)
    with db.engine_for(source_url).connect() as connection:
        source = connection.scalar(text("SELECT current_schema()"))
    with db.engine_for(target_url).begin() as connection:
        target = connection.scalar(text("SELECT current_schema()"))
        if connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
            # The rows come from a consistent database: their foreign keys need no checking.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(schema.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in schema.metadata.sorted_tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            connection.execute(text(f'INSERT INTO "{target}"."{table.name}" ({columns}) '
                                    f'SELECT {columns} FROM "{source}"."{table.name}"'))
        backup.continue_sequences(connection)  # the target schema is the connection's own


@contextmanager
def copy_of(settings: Settings, directory: Path) -> Iterator[Settings]:
    """A private copy of a database on the same engine (a file copy, or a schema copied on the
    server; backup and restore have their own tests)."""
    if settings.database_url.startswith("sqlite"):
        from tests.served import copy_sqlite

        url = copy_sqlite(settings.database_url, directory, "copy.sqlite")
        yield make_settings(url)
        db.engine_for(url).dispose()
        return
    with fresh_postgres_url() as url:
        _copy_postgres(settings.database_url, url)
        yield make_settings(url)


@pytest.fixture(scope="session")
def admin_server(sqlite_demo, tmp_path_factory):
    """`malbild serve` over a private copy of the demo with an administrator and a viewer,
    for tests that write or call the page callbacks over HTTP (see tests/served.py)."""
    from tests import served

    directory = tmp_path_factory.mktemp("served")
    url = served.copy_sqlite(sqlite_demo.database_url, directory, "served.sqlite", prune=True)
    served.add_accounts(url)
    # Behind a reverse proxy on this machine, as configured in production.
    server = served.serve(url, directory / "server.log", MALBILD_TRUSTED_PROXIES="127.0.0.1")
    yield server
    server.stop()
    db.engine_for(url).dispose()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every Målbild table, sorted: compare two dumps to prove nothing changed."""
    engine = db.engine_for(url)
    tables = set(inspect(engine).get_table_names())
    result = {}
    with engine.connect() as connection:
        for table in schema.metadata.sorted_tables:
            if table.name in tables:
                rows = connection.execute(table.select()).all()
                result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result
