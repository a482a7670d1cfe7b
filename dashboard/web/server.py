"""Serving the dashboard with gunicorn (several worker processes, nothing shared in memory).

This is the web package's one door for the command line (`malbild serve`, `malbild worker`):
the command line imports nothing else of `dashboard.web` (tests/unit/test_architecture.py)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

# gunicorn names itself in the `Server` header of every answer and has no setting to leave it
# out (benoitc/gunicorn#825): the name it reads when it starts an answer is replaced instead.
SERVER_HEADER = "Malbild"


def wsgi_app():
    """The Flask server behind the Dash app, for `gunicorn 'dashboard.web.server:wsgi_app()'`."""
    from dashboard.store import runtime
    from dashboard.tasks import warming
    from dashboard.web.app import create_app

    app = create_app()
    server = app.server
    # Dash registers the script bundles it may serve while rendering the index page; a worker
    # that has not rendered one would refuse the bundles the browser asks it for.
    server.test_client().get("/")
    warming.watch(app, runtime.settings())
    return server


def dash_app(settings=None):
    """The Dash app, as a Celery worker makes it once before its pool starts, so that the
    pages' background callbacks are registered as tasks (dashboard/worker.py)."""
    from dashboard.web.app import create_app

    return create_app(settings)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        hide_server_software()

    def load(self):
        return wsgi_app()


def hide_server_software() -> None:
    """`Server: Malbild` instead of `Server: gunicorn` (before the workers are forked)."""
    from gunicorn.http import wsgi

    wsgi.SERVER = SERVER_HEADER


def _post_fork(_server, _worker) -> None:
    from etl import db

    db.after_fork()


def gunicorn_options(host: str, port: int, workers: int, threads: int,
                     trusted_proxies: list[str]) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        # Requests are logged by the app as JSON lines (dashboard/web/operations.py).
        "accesslog": None,
        "post_fork": _post_fork,
        # gunicorn believes X-Forwarded-Proto from 127.0.0.1 unless told otherwise: only the
        # configured proxies may say a request came over HTTPS (none by default).
        "forwarded_allow_ips": ",".join(trusted_proxies),
    }


def run(host: str = "127.0.0.1", port: int = 8050, workers: int = 2, threads: int = 4) -> None:
    from etl import db
    from etl.settings import get_settings

    db.close_all()  # connections opened by the command line before the workers are forked
    # The code once, here, before gunicorn forks its workers: each worker still makes its own
    # app (its threads, connections and caches are its own) without importing it all again.
    import dashboard.web.app  # noqa: F401
    _Gunicorn(gunicorn_options(host, port, workers, threads,
                               get_settings().trusted_proxies)).run()
