"""The follow-up model is built when the data change, never in the first page request after:
an import stores it (and draws the common pages), and a web worker that has never seen the
new data reads the stored model instead of building it."""

from __future__ import annotations

import base64

import pytest

from dashboard.store import cache, runtime
from dashboard.web import uploads
from dashboard.web.app import app_for
from etl import db
from etl.followup import refresh
from tests.conftest import make_settings

NEW_VALUES = "kpi,municipality,period,gender,value\nN00640,1277,2024,T,81.5\n" \
             "N00640,0114,2024,T,84.0\n"


def data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """The data version of every follow-up model built in this process."""
    built: list[int] = []
    real = refresh.build_model

    def counted(engine, settings):
        with engine.connect() as connection:
            built.append(db.data_version(connection))
        return real(engine, settings)

    monkeypatch.setattr(refresh, "build_model", counted)
    return built


def test_the_first_view_after_an_import_reads_the_model_built_by_the_import(demo_copy, builds):
    previous = runtime._settings
    settings = make_settings(demo_copy.database_url, secret_key="test" * 10)
    engine = db.engine_for(settings.database_url)
    try:
        web = app_for(settings).server.test_client()
        assert web.get("/mal/1").status_code == 200
        before = list(builds)

        shown = uploads.preview(engine, settings, "kolada", data_url(NEW_VALUES), "ny.csv")
        uploads.confirm(engine, settings, shown.ticket, data_url(NEW_VALUES), "ny.csv",
                        actor="anna")
        with engine.connect() as connection:
            version = db.data_version(connection)
        # The import built the model for its new data version, once.
        assert builds == [*before, version]

        # This worker: the pages were drawn when the data changed, with the new value.
        page = web.get("/mal/1")
        assert page.status_code == 200 and "81,5" in page.get_data(as_text=True)
        # Another worker (or machine): nothing in its memory; it reads the stored model.
        cache.forget()
        for address in ("/", "/mal/1", "/mal/2", "/mal/3"):
            assert web.get(address).status_code == 200
        assert builds == [*before, version]
    finally:
        runtime.configure(previous)


def test_a_stored_model_that_someone_else_wrote_is_never_read(tmp_path):
    store = refresh.FileStore(tmp_path)
    store.put("k-1", {"a": 1})
    assert store.get("k-1") == {"a": 1}
    raw = (tmp_path / "k-1.model").read_bytes()
    (tmp_path / "k-1.model").write_bytes(raw[:32] + raw[32:].replace(b"a", b"b"))
    assert store.get("k-1") is None
    assert store.get("saknas-1") is None


def test_threads_of_one_process_open_and_write_a_new_store_at_once(tmp_path):
    """An import and a web worker's watcher in one process may open a new store and write the
    same model together: each writes its own draft, and all read one key and one model."""
    import threading

    threads, errors, keys = 8, [], []
    for round_ in range(10):
        directory = tmp_path / f"modeller-{round_}"
        start = threading.Barrier(threads)

        def open_and_write(directory=directory, start=start):
            try:
                start.wait()
                store = refresh.FileStore(directory)
                store.put("k-1", {"a": 1})
                keys.append((directory, (directory / ".key").read_bytes()))
                assert store.get("k-1") == {"a": 1}
            except Exception as error:  # collected, asserted below
                errors.append(error)

        workers = [threading.Thread(target=open_and_write) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sorted(p.name for p in directory.iterdir()) == [".key", "k-1.model"]
    assert errors == []
    assert len(set(keys)) == 10


def test_a_web_worker_draws_the_pages_for_data_another_process_wrote(demo_copy, builds,
                                                                     monkeypatch):
    """gunicorn's workers each watch the data version (dashboard/web/server.py): a change made
    by the command line or another worker is drawn within seconds, from the stored model."""
    import time

    from dashboard.tasks import warming

    previous = runtime._settings
    settings = make_settings(demo_copy.database_url, secret_key="test" * 10)
    engine = db.engine_for(settings.database_url)
    warmed: list[int] = []
    real = warming.warm_pages

    def counted(engine_, settings_):
        with engine_.connect() as connection:
            warmed.append(db.data_version(connection))
        real(engine_, settings_)

    monkeypatch.setattr(warming, "warm_pages", counted)
    app = app_for(settings)
    stop = warming.watch(app, settings, interval=0.05)
    try:
        time.sleep(0.3)
        # Another process imports: it stores the model (its own hooks are not this worker's).
        shown = uploads.preview(engine, settings, "kolada", data_url(NEW_VALUES), "ny.csv")
        monkeypatch.setattr(refresh, "_hooks", [])
        uploads.confirm(engine, settings, shown.ticket, data_url(NEW_VALUES), "ny.csv",
                        actor="anna")
        with engine.connect() as connection:
            version = db.data_version(connection)
        deadline = time.monotonic() + 30
        while version not in warmed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert version in warmed
        assert builds.count(version) == 1  # by the importing process, not by this worker
        page = app.server.test_client().get("/mal/1")
        assert page.status_code == 200 and "81,5" in page.get_data(as_text=True)
        assert builds.count(version) == 1
    finally:
        stop.set()
        runtime.configure(previous)
