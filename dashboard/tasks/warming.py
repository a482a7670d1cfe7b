"""Page answers drawn when the data change, so the first visitor after an import gets a kept one.

After every data change in a process that has the app (a web worker that imported, the Celery
worker that synced or was asked to warm), the overview and each goal's page are drawn for an
anonymous visitor into the page cache: shared by every worker and machine with Redis, this
worker's own otherwise. Logged-in visitors' pages are theirs and are drawn when asked.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from etl.followup import refresh, store
from etl.settings import Settings

log = logging.getLogger(__name__)
_apps: dict[str, object] = {}  # the newest app of this process per database


def register(app, settings: Settings) -> None:
    """Warm `app`'s pages after every data change of its database (the page cache must be on)."""
    if settings.cache and settings.page_cache:
        _apps[_place(settings.database_url)] = app
        refresh.on_data_change(warm_pages)


def _place(url) -> str:
    """A database's address written one way, whether given as text or as an engine's URL."""
    return make_url(url).render_as_string(hide_password=False)


def addresses(engine: Engine) -> list[str]:
    """The pages most visited first: the overview and every goal's page."""
    return ["/", *(f"/mal/{number}" for number in store.goals(engine)["number"])]


def warm_pages(engine: Engine, settings: Settings) -> None:
    app = _apps.get(_place(engine.url))
    if app is None:
        return
    started = time.perf_counter()
    client = app.server.test_client()
    for address in addresses(engine):
        response = client.get(address)
        if response.status_code != 200:
            log.warning("förvärmning av %s gav %s", address, response.status_code)
    log.info("sidorna förvärmda på %.0f ms", (time.perf_counter() - started) * 1000)
