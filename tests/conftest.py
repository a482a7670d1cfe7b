"""Shared fixtures: settings for temporary databases, the demo database, and dumps.

`MALBILD_TEST_DATABASE_URL` (a PostgreSQL URL) makes the integration tests that take `engine_url`
also run against that server; without it they are reported as skipped, and
`MALBILD_REQUIRE_DATABASE=1` turns its absence into a failure.
"""

from __future__ import annotations

import fcntl
import gc
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from etl import db, schema
from etl.demo import build_demo
from etl.settings import DEFAULT_DATA_DIR, Settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """`--dist loadgroup` as pytest-xdist means it: xdist 3.8 names a test's group in its node
    id by setting `item._nodeid`, which pytest 9 no longer reads (the id is `item._id`), so
    without this every xdist_group mark is ignored and a group's tests are spread one by one
    (its module fixtures built in both workers, and again after each switch of module)."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                         for mark in item.iter_markers("xdist_group")})
        if groups and not item.nodeid.endswith("@" + "_".join(groups)):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")


def pytest_collection_finish(session) -> None:
    """The garbage collector tuned for a test process, which makes and drops far more objects
    than a page request: what is loaded once the tests are collected (Dash, Plotly, pandas,
    the test items) lives as long as the process and is set aside (`gc.freeze`), and a young
    generation of 10 000 objects (not 700) makes full collections rare. A worker spent
    10–16 s of its run collecting; about 5 s now. Nothing checked depends on when garbage
    is collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _redis_database_of_this_worker(url: str | None, worker: str | None) -> str | None:
    """Each xdist worker its own Redis database (15, 14, … below the one given): tests that
    empty the shared page cache or count its answers must never see the other worker's."""
    if not url or not worker or not worker.removeprefix("gw").isdigit():
        return url
    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{max(given - int(worker[2:]), 0)}"))


if os.environ.get("MALBILD_TEST_REDIS_URL"):  # before any test module reads it
    os.environ["MALBILD_TEST_REDIS_URL"] = _redis_database_of_this_worker(
        os.environ["MALBILD_TEST_REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER"))
POSTGRES_URL = os.environ.get("MALBILD_TEST_DATABASE_URL")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id at its lowest cost in the tests' own process: a hash at production cost takes
    0,3 s here, and the tests log in hundreds of times. The production hasher has its own
    test (tests/unit/test_password_hasher.py), and servers the tests start hash as in
    production; a hash of either cost verifies in both."""
    from argon2 import PasswordHasher

    from etl import users

    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users._dummy_hash.cache_clear()
    yield
    users._hasher = users.PASSWORD_HASHER
    users._dummy_hash.cache_clear()


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


def _server_admin():
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _create_database(name: str, template: str | None = None) -> None:
    """A database on the test server, empty or a copy of `template` (PostgreSQL copies its
    files: a fraction of a second, where building the tables again takes one or two)."""
    admin = _server_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'
                                + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()


def _drop_database(name: str) -> None:
    db.forget(_database_url(name))
    admin = _server_admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _LaterDrops:
    """Databases a test is done with, dropped by a thread of their own: PostgreSQL makes every
    DROP DATABASE wait for a checkpoint (50–60 ms here), which the next test need not wait
    for. The session's end waits until all are dropped."""

    def __init__(self) -> None:
        self._names: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def drop(self, name: str) -> None:
        db.forget(_database_url(name))  # this process's connections, at once
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()
        self._names.put(name)

    def _work(self) -> None:
        while (name := self._names.get()) is not None:
            try:
                _drop_database(name)
            except Exception as exc:  # left for .ci/run's clean-up; say so
                print(f"Testdatabasen {name} kunde inte tas bort: {exc}", file=sys.stderr)

    def wait(self) -> None:
        if self._thread is not None:
            self._names.put(None)
            self._thread.join()
            self._thread = None


_later_drops = _LaterDrops()


def pytest_sessionfinish(session, exitstatus) -> None:
    _later_drops.wait()


# --- Built once per test run -------------------------------------------------------------------
# The demo database takes seconds of CPU to build, and each xdist worker used to build its own.
# The run's first process (the xdist controller, or pytest alone) makes a folder for the run in
# `pytest_configure`, before the workers start (they inherit the variable); the first process
# that needs a database builds it there, under a lock, and every process copies it.
RUN_DIRECTORY = "MALBILD_TEST_RUN_DIRECTORY"
RUN_DATABASES = "postgresql-databases"  # in the run's folder: the server's databases to drop
_made_the_run_directory = False


def pytest_configure(config) -> None:
    global _made_the_run_directory
    if RUN_DIRECTORY not in os.environ:
        os.environ[RUN_DIRECTORY] = tempfile.mkdtemp(prefix="malbild-tests-")
        _made_the_run_directory = True


def pytest_unconfigure(config) -> None:
    """In the process that made the run's folder, once every worker has ended: the databases
    built there are dropped and the folder removed."""
    if not _made_the_run_directory:
        return
    run = Path(os.environ.pop(RUN_DIRECTORY))
    listed = run / RUN_DATABASES
    for name in listed.read_text().split() if listed.exists() else []:
        try:
            _drop_database(name)
        except Exception as exc:  # left for .ci/run's clean-up; say so
            print(f"Testdatabasen {name} kunde inte tas bort: {exc}", file=sys.stderr)
    shutil.rmtree(run, ignore_errors=True)


@contextmanager
def _run_lock(name: str) -> Iterator[Path]:
    """The run's folder, held by this process alone for `name`."""
    run = Path(os.environ[RUN_DIRECTORY])
    with (run / f"{name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield run
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once_per_run(name: str, build) -> Path:
    """The folder `build(folder)` filled, by whichever process of the run asked first."""
    with _run_lock(name) as run:
        done = run / name
        if not done.exists():
            building = run / f"{name}.building"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            build(building)
            building.rename(done)
        return done


def postgres_built_once_per_run(name: str, fill: Callable[[Settings], None]) -> str:
    """The name of a database on the test server that `fill(settings)` filled, by whichever
    process of the run asked first; use it as a template (dropped when the run ends)."""
    def make(folder: Path) -> None:
        database = f"tmpl_{uuid.uuid4().hex[:10]}"
        with (Path(os.environ[RUN_DIRECTORY]) / RUN_DATABASES).open("a") as listed:
            listed.write(database + "\n")
        _create_database(database)
        fill(make_settings(_database_url(database)))
        db.forget(_database_url(database))  # a template has no sessions
        (folder / "name").write_text(database)

    return (built_once_per_run(name, make) / "name").read_text()


def sqlite_built_once_per_run(name: str, fill: Callable[[Settings], None],
                              file: str = "malbild.sqlite") -> Path:
    """The folder in which `fill(settings)` filled the SQLite database `file` (and any files
    beside it), by whichever process of the run asked first; copy it, never write to it."""
    def make(folder: Path) -> None:
        url = sqlite_url(folder, file)
        fill(make_settings(url))
        db.forget(url)

    return built_once_per_run(name, make)


@contextmanager
def fresh_postgres_url(template: str | None = None) -> Iterator[str]:
    """A new database on the test server, empty or a copy of `template`, so tests never see
    each other's tables (dropped afterwards; `.ci/run` drops any an interrupted run left)."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    _create_database(name, template)
    try:
        yield _database_url(name)
    finally:
        _later_drops.drop(name)


POSTGRES_MISSING = "PostgreSQL saknas (sätt MALBILD_TEST_DATABASE_URL)"


def engine_params() -> list:
    """SQLite, and PostgreSQL: skipped with the reason when not configured (so the report shows
    what did not run), failed instead with MALBILD_REQUIRE_DATABASE=1."""
    unconfigured = not POSTGRES_URL and os.environ.get("MALBILD_REQUIRE_DATABASE") != "1"
    return [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=[
                pytest.mark.postgres, pytest.mark.skipif(unconfigured, reason=POSTGRES_MISSING)])]


@pytest.fixture(autouse=True)
def _a_test_leaves_no_engine_for_its_own_files(request) -> Iterator[None]:
    """A SQLite database in a test's own folder ends with the test, and so does its engine
    (the server's databases are forgotten where they are dropped). Kept, a worker held about
    90 engines of 4 000 objects each by its end and spent 13–16 s in full garbage collections
    walking them."""
    yield
    folder = request.node.funcargs.get("tmp_path")
    if folder is None:
        return
    for url in db.engine_urls():
        path = db.sqlite_file(url)
        if path is not None and path.is_relative_to(folder):
            db.forget(url)


@pytest.fixture(params=engine_params())
def engine_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL: a SQLite file, and (when configured) a PostgreSQL database.
    For a test that asks for `catalogue_db` the PostgreSQL database is made as a copy of the
    catalogue at once (not made empty, dropped and made again)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    require_postgres()
    template = (request.getfixturevalue("catalogue_template")("postgresql")
                if "catalogue_db" in request.fixturenames else None)
    with fresh_postgres_url(template) as url:
        yield url


@pytest.fixture
def settings(engine_url) -> Settings:
    return make_settings(engine_url)


def fill_catalogue(settings: Settings) -> None:
    """The schema, the bundled catalogue and the strategy, as `malbild` loads them."""
    from etl import imports

    db.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    imports.load_bundled_catalogue(engine, settings)
    imports.load_strategy_file(engine, settings)


@pytest.fixture(scope="session")
def catalogue_template() -> Callable[[str], str]:
    """The catalogue database built once per test run and engine, on first use: a SQLite file
    and a PostgreSQL template database that each test's `catalogue_db` copies."""
    def build(engine: str) -> str:
        if engine == "sqlite":
            built = sqlite_built_once_per_run("catalogue-sqlite", fill_catalogue,
                                              "catalogue.sqlite")
            return str(built / "catalogue.sqlite")
        return postgres_built_once_per_run("catalogue-postgresql", fill_catalogue)

    return build


@pytest.fixture
def catalogue_db(settings, catalogue_template) -> Settings:
    """A database with the schema, the bundled catalogue and the strategy, but no values:
    a copy of the run's catalogue template (the same rows as building it each time)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        shutil.copyfile(catalogue_template("sqlite"), make_url(url).database)
    # On PostgreSQL `engine_url` made the database as the template's copy.
    return settings


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory) -> Settings:
    """The whole demo database (SQLite), built once per test run; each test process has its
    own copy (the files beside it too)."""
    built = sqlite_built_once_per_run("demo-sqlite", build_demo, "demo.sqlite")
    directory = tmp_path_factory.mktemp("demo")
    shutil.copytree(built, directory, dirs_exist_ok=True)
    return make_settings(sqlite_url(directory, "demo.sqlite"))


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


def _libpq_url(url: str) -> str:
    """The URL as PostgreSQL's own programs take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _postgres_copy(source_url: str) -> Iterator[str]:
    """A new test database as a copy of the source database: made by the server from the
    source as a template (its pooled connections closed first: a template must be unused), or,
    where another connection still reads the source (an app's background thread), by
    pg_dump into a new, empty database."""
    db.engine_for(source_url).dispose()
    with ExitStack() as stack:
        try:
            url = stack.enter_context(fresh_postgres_url(make_url(source_url).database))
        except OperationalError as exc:
            if "being accessed by other users" not in str(exc):
                raise
            url = stack.enter_context(fresh_postgres_url())
            dump = subprocess.run(["pg_dump", "--no-owner", _libpq_url(source_url)],
                                  capture_output=True, check=True)
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", _libpq_url(url)],
                           input=dump.stdout, capture_output=True, check=True)
        yield url


@contextmanager
def copy_of(settings: Settings, directory: Path) -> Iterator[Settings]:
    """A private copy of a database on the same engine (a file copy, or a database copied on
    the server; backup and restore have their own tests)."""
    if settings.database_url.startswith("sqlite"):
        from tests.served import copy_sqlite

        url = copy_sqlite(settings.database_url, directory, "copy.sqlite")
        yield make_settings(url)
        db.forget(url)
        return
    with _postgres_copy(settings.database_url) as url:
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
    db.forget(url)


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every Målbild table, sorted: compare two dumps to prove nothing changed."""
    engine = db.engine_for(url)
    tables = set(inspect(engine).get_table_names())
    result = {}
    with engine.connect() as connection:
        for table in schema.metadata.sorted_tables:
            if table.name in tables:
                # In the order of the primary key (unique, so the same rows always come in
                # the same order) that the database keeps anyway; the few tables without one
                # in the order of their rows' text.
                key = list(table.primary_key.columns)
                rows = [tuple(row) for row in connection.execute(table.select().order_by(*key))]
                result[table.name] = rows if key else sorted(rows, key=repr)
    return result
