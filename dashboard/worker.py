"""A Celery worker for Målbild: `malbild worker [--beat]`, or
`celery -A dashboard.worker worker` (and `… beat` for the scheduler, once).

The worker makes the Dash app once before its pool starts, so that Dash's background callbacks
(reports, imports) are registered as tasks and data changes warm the page answers.
"""

from __future__ import annotations

from celery.signals import worker_init, worker_process_init

from dashboard.tasks.celery_app import app
from etl.errors import MalbildError
from etl.settings import get_settings

__all__ = ["app", "start"]


@worker_init.connect
def _make_dash_app(**_kwargs) -> None:
    from dashboard.web import server

    server.dash_app(get_settings())


@worker_process_init.connect
def _own_connections(**_kwargs) -> None:
    """A forked pool process opens its own database connections (never the parent's)."""
    from etl import db

    db.after_fork()


def start(*, beat: bool = False, concurrency: int = 2, loglevel: str = "INFO",
          hostname: str | None = None) -> None:
    """Run a worker in this process until stopped (with the scheduler, Celery beat, if `beat`:
    run exactly one of those in the whole installation)."""
    if not get_settings().celery_broker:
        raise MalbildError(
            "Ingen meddelandekö är inställd, så det finns inget för en arbetsprocess att göra.",
            hint="Sätt REDIS_URL (eller MALBILD_BROKER_URL) till er Redis, t.ex. "
                 "redis://127.0.0.1:6379/0. Utan Redis körs rapporter och importer i "
                 "webbprocessen och den schemalagda synkroniseringen med «malbild sync» från "
                 "cron.")
    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}"]
    if beat:
        argv.append("--beat")
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)
