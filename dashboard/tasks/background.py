"""Where Dash's background callbacks run (reports, imports): the manager for the settings.

With a broker (MALBILD_BROKER_URL or REDIS_URL): Dash's `CeleryManager` on Målbild's Celery app,
so the work runs on `malbild worker` and any web worker on any machine sees its progress.
Without one (the embedded default, `make run`): Dash's `DiskcacheManager`, which runs the same
callback in a process of its own on this machine and keeps progress and result in a diskcache
directory beside the database.
"""

from __future__ import annotations

from etl.db import directory_beside
from etl.settings import Settings

_managers: dict[tuple, object] = {}


def manager(settings: Settings):
    """One manager per place and process (Dash registers every background callback with each
    manager made, so they are not made again for every app)."""
    if settings.celery_broker:
        from dash import CeleryManager

        from dashboard.tasks import celery_app

        place = ("celery", settings.celery_broker)
        if place not in _managers:
            # The worker's app when the broker is the environment's, as in production.
            same = celery_app.app.conf.broker_url == settings.celery_broker
            celery = celery_app.app if same else celery_app.make_celery(settings)
            _managers[place] = CeleryManager(celery, expire=3600)
        return _managers[place]
    import diskcache
    from dash import DiskcacheManager

    place = ("disk", str(directory_beside(settings.database_url, "bakgrund")))
    if place not in _managers:
        _managers[place] = DiskcacheManager(diskcache.Cache(place[1]), expire=3600)
    return _managers[place]
