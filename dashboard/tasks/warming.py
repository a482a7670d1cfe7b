"""Page answers drawn when the data change, so the first visitor after an import gets a kept one.

After every data change in a process that has the app (a web worker that imported, the Celery
worker that synced or was asked to warm), the overview and each goal's page are drawn for an
anonymous visitor into the page cache: shared by every worker and machine with Redis, this
worker's own otherwise. Logged-in visitors' pages are theirs and are drawn when asked.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine

from dashboard.store import sync
from etl.db import engine_for
from etl.followup import refresh, store
from etl.settings import Settings

log = logging.getLogger(__name__)
WATCH_SECONDS = 2.0  # how often a web worker looks for data written by another process
SETTLE_SECONDS = 30.0  # how long it waits for the writer's stored model before building it
_apps: dict[str, object] = {}  # the newest app of this process per database


def register(app, settings: Settings) -> None:
    """Warm `app`'s pages after every data change of its database (the page cache must be on)."""
    if settings.cache and settings.page_cache:
        _apps[sync.database_key(settings.database_url)] = app
        refresh.on_data_change(warm_pages)


def addresses(engine: Engine) -> list[str]:
    """The pages most visited first: the overview and every goal's page."""
    return ["/", *(f"/mal/{number}" for number in store.goals(engine)["number"])]


def warm_pages(engine: Engine, settings: Settings) -> None:
    app = _apps.get(sync.database_key(engine.url))
    if app is None:
        return
    started = time.perf_counter()
    client = app.server.test_client()
    for address in addresses(engine):
        response = client.get(address)
        if response.status_code != 200:
            log.warning("förvärmning av %s gav %s", address, response.status_code)
    log.info("sidorna förvärmda på %.0f ms", (time.perf_counter() - started) * 1000)


def watch(app, settings: Settings, interval: float = WATCH_SECONDS,
          settle: float = SETTLE_SECONDS) -> threading.Event:
    """In a web worker: notice a data version written by another process (the command line,
    the Celery worker, another web worker) within `interval` seconds, and draw the common
    pages for it from the stored model, before a visitor asks. Without Redis this is how
    every worker of a machine has the pages ready; with it, the pages are usually found in
    the shared cache already and the look costs one small query. The writer stores the
    model: this worker waits up to `settle` seconds for it before building it itself.
    Returns an event that stops the watching when set."""
    engine = engine_for(settings.database_url)
    stop = threading.Event()

    def current() -> int | None:
        try:
            return sync.data_version(engine)
        except Exception as exc:  # the database away for a moment: look again later
            log.warning("förvärmningen ser inte databasen (%s)", type(exc).__name__)
            return None

    seen = current()  # the version this worker starts with (its pages are drawn when asked)

    def look() -> None:
        nonlocal seen
        while not stop.wait(interval):
            try:
                version = current()
                if version is None:
                    continue
                if seen is not None and version != seen:
                    waited = 0.0
                    while refresh.stored_model(engine, settings) is None and waited < settle \
                            and not stop.wait(interval):
                        waited += interval
                    refresh.followup_model(engine, settings)
                    warm_pages(engine, settings)
                seen = version
            except Exception as exc:  # drawn when asked instead; the next change tries again
                log.warning("förvärmningen misslyckades (%s)", type(exc).__name__)

    threading.Thread(target=look, name="malbild-forvarmning", daemon=True).start()
    return stop
