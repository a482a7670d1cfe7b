"""Engines, migrations and the data version that invalidates cached query results."""

from __future__ import annotations

import hashlib
import tempfile
import threading
import zlib
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.engine import make_url

from etl import schema

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per URL and process. SQLite files get foreign keys and WAL (several readers)."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = _create_engine(url)
        return _ENGINES[url]


def after_fork() -> None:
    """In a new worker process: never reuse the parent's pooled connections (their sockets are
    shared with the parent and the other workers), open new ones instead."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose(close=False)


def close_all() -> None:
    """Close every pooled connection of this process (before forking workers)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()


def forget(url: str) -> None:
    """Close the URL's pooled connections and drop its engine, with the statements it compiled:
    for a process that is done with a database (a test's, a copy it checked)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def engine_urls() -> list[str]:
    """The URLs this process holds an engine for."""
    with _ENGINES_LOCK:
        return list(_ENGINES)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database (None for a server's database or one in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and \
            parsed.database != ":memory:":
        return Path(parsed.database)
    return None


def directory_beside(url: str, name: str) -> Path:
    """A directory for files that go with the database at `url` (its stored follow-up models,
    its background jobs): beside a SQLite file, else one per database in the temporary
    directory (shared by the processes of one machine)."""
    path = sqlite_file(url)
    if path is not None:
        return path.with_name(f"{path.name}.{name}")
    digest = hashlib.sha256(make_url(url).render_as_string(hide_password=True).encode()
                            ).hexdigest()
    return Path(tempfile.gettempdir()) / f"malbild-{name}-{digest[:16]}"


def alembic_config(url: str):
    # Alembic is imported when a migration runs, not by every command that only reads.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to the newest schema (creates it if empty)."""
    from alembic import command

    engine = engine_for(url)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_current(url: str) -> bool:
    """True when the database has Målbild's tables."""
    return inspect(engine_for(url)).has_table("data_state")


def data_version(connection: Connection) -> int:
    """The number every write increases; part of every cache key."""
    version = connection.scalar(select(schema.DataState.version).where(schema.DataState.id == 1))
    return int(version or 0)


def bump_data_version(connection: Connection) -> None:
    """Call inside the transaction of every write, so caches are dropped exactly when it commits."""
    result = connection.execute(
        update(schema.DataState)
        .where(schema.DataState.id == 1)
        .values(version=schema.DataState.version + 1, changed_at=schema.utcnow())
    )
    if result.rowcount == 0:
        connection.execute(
            schema.DataState.__table__.insert().values(id=1, version=1, changed_at=schema.utcnow())
        )


def serialize(connection: Connection, name: str) -> None:
    """Make concurrent transactions that call this with the same `name` run one after another,
    on both engines: call it first in the transaction; the lock ends with the transaction.

    PostgreSQL: a transaction-level advisory lock. SQLite: a write that matches no row, which
    still takes the database's write lock (and so waits for the other writer).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": zlib.crc32(name.encode())})
    else:
        connection.execute(update(schema.DataState).where(schema.DataState.id == -1)
                           .values(version=schema.DataState.version))
