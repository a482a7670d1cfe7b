"""Running in production: `/healthz` and one structured log line per request.

Nothing here keeps state between requests; every worker answers the same.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from dashboard.store import cache, runtime
from dashboard.store.health import UNAVAILABLE, freshness
from dashboard.web import auth

log = logging.getLogger("malbild.request")
DATABASE_DOWN = ("Databasen svarar inte just nu, så Målbild kan inte visa något. Försök igen om "
                 "en stund; om felet består, kontakta den som driftar Målbild.")
BAD_VALUE = ("Anropet innehöll ett värde som Målbild inte kan använda. Ladda om sidan och "
             "försök igen.")
UNKNOWN_CALLBACK = ("Anropet nämner en del av sidan som Målbild inte har. Ladda om sidan och "
                    "försök igen.")
INTERNAL = "Något gick fel i Målbild. Försök igen; om felet består, kontakta den som driftar."
DATABASE_DOWN_PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Databasen svarar inte – Målbild</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Databasen svarar inte just nu</h1><p>{text}</p>
<p><a href="/">Försök igen</a></p></main></body></html>
"""


class JsonLines(logging.Formatter):
    """Log records as JSON lines: easy to read for people and for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname.lower(), "event": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False)


def _configure_logging() -> None:
    if any(isinstance(h.formatter, JsonLines) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def health() -> tuple[dict, int]:
    """Is the database reachable, and how fresh is the data?"""
    settings = runtime.settings()
    engine = runtime.engine()
    body: dict = {"status": "ok", "worker": os.getpid(),
                  "cache": cache.kind()}
    try:
        version, last, newest = freshness(engine)
    except Exception as exc:  # any failure here means "not healthy", said plainly
        body.update(status="fel", database={"reachable": False, "error": type(exc).__name__})
        return body, 503
    body["database"] = {"reachable": True, "engine": engine.dialect.name}
    body["data"] = {
        "version": version,
        "last_import": last.finished_at.isoformat(timespec="seconds") if last else None,
        "last_import_kind": last.kind if last else None,
        "newest_kolada_year": newest,
        "municipality": settings.municipality,
    }
    if last is None:
        body["status"] = "tom"
    return body, 200


def register(server: Flask) -> None:
    """Add /healthz and request logging to the Flask server behind Dash."""
    _configure_logging()

    def _database_down(exc: Exception) -> Response:
        """Pages, downloads, login and callbacks say so in Swedish, with 503, when the
        database does not answer (never a generic English 500)."""
        log.error("database", extra={"fields": {"path": request.path,
                                                 "error": type(exc).__name__}})
        if request.accept_mimetypes.accept_html and request.method == "GET":
            body, mimetype = DATABASE_DOWN_PAGE.format(text=DATABASE_DOWN), "text/html"
        else:
            body, mimetype = DATABASE_DOWN + "\n", "text/plain"
        return Response(body, status=503, mimetype=mimetype,
                        headers={"Retry-After": "30", "Cache-Control": "no-store"})

    for unavailable in UNAVAILABLE:
        server.register_error_handler(unavailable, _database_down)

    @server.errorhandler(TypeError)
    @server.errorhandler(ValueError)
    @server.errorhandler(AttributeError)
    @server.errorhandler(LookupError)
    @server.errorhandler(RecursionError)
    def _unusable_value(exc: Exception) -> Response:
        """A callback called with a value no control can send (a number for a text, a list
        for a year…, JSON nested deeper than Python reads it) is refused with a clear message,
        not a bare 500."""
        log.exception("unusable value", extra={"fields": {"path": request.path,
                                                            "error": type(exc).__name__}})
        if request.path == "/_dash-update-component":
            return Response(BAD_VALUE + "\n", status=400, mimetype="text/plain")
        return Response(INTERNAL + "\n", status=500, mimetype="text/plain")

    @server.get("/healthz")
    def _healthz() -> Response:
        body, status = health()
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json", headers={"Cache-Control": "no-store"})

    @server.before_request
    def _start_clock() -> None:
        g.malbild_started = time.perf_counter()

    @server.before_request
    def _database_answers() -> None:
        """A page address asks the database for its data version (kept for the request's
        cache lookups): if the database is down, the 503 page comes now, not an empty page."""
        endpoint = request.url_rule.endpoint if request.url_rule else ""
        if request.method == "GET" and endpoint in ("/", "/<path:path>"):
            cache.current_version(runtime.engine())


    @server.after_request
    def _log_request(response: Response) -> Response:
        response.headers["X-Malbild-Worker"] = str(os.getpid())
        started = g.get("malbild_started")
        if started is not None and not request.path.startswith(("/assets/",
                                                                "/_dash-component-suites/")):
            log.info("request", extra={"fields": {
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": response.calculate_content_length(), "worker": os.getpid(),
                # The peer itself; what a client says in X-Forwarded-For only from a trusted
                # proxy (and then the address that proxy appended).
                "remote": request.remote_addr,
                **({"client": auth.client_address()} if auth.from_trusted_proxy() else {}),
            }})
        return response


def _known_dependencies(asked, declared: list) -> bool:
    """The inputs (or state) of a request name the callback's own ids and properties, in its
    order; a pattern-matching one (a dict id) may come as a list of matches."""
    if not isinstance(asked, list) or len(asked) != len(declared):
        return False
    for item, dependency in zip(asked, declared, strict=True):
        if isinstance(dependency["id"], dict):
            continue
        if not (isinstance(item, dict) and item.get("id") == dependency["id"]
                and item.get("property") == dependency["property"]):
            return False
    return True


def known_callback_request(body, callbacks: dict) -> bool:
    """Whether a callback request names a callback the app has, with its outputs, inputs and
    state (Dash looks them up by name and position, and answers a bare 500 when they are not
    there: a pattern-matching id the app does not have, an input too few)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    spec = callbacks.get(body["output"])
    if spec is None:
        return False
    if not spec.get("no_output"):
        declared, outputs = spec["output"], body.get("outputs")
        count = len(declared) if isinstance(declared, list | tuple) else 1
        if not ((isinstance(outputs, list) and len(outputs) == count)
                or (count == 1 and isinstance(outputs, dict))):
            return False
    return (_known_dependencies(body.get("inputs", []), spec["inputs"])
            and _known_dependencies(body.get("state", []), spec["state"]))


def refuse_unknown_callbacks(app) -> None:
    """Answer 400 with a short Swedish message to a callback request the app cannot have sent."""

    @app.server.before_request
    def _unknown_callback():
        if request.method != "POST" or request.path != cache.PAGE_CALLBACK_PATH:
            return None
        if known_callback_request(request.get_json(silent=True), app.callback_map):
            return None
        return Response(UNKNOWN_CALLBACK + "\n", status=400, mimetype="text/plain")


def database_safe(layout):
    """A page layout that says in Swedish that the database is down, instead of failing."""
    from dash import html

    def safe_layout(**kwargs):
        try:
            return layout(**kwargs)
        except UNAVAILABLE as exc:
            log.error("database", extra={"fields": {"error": type(exc).__name__}})
            return html.Div([html.H1("Databasen svarar inte just nu"), html.P(DATABASE_DOWN)],
                            className="notice", role="alert")

    safe_layout.__name__ = getattr(layout, "__name__", "layout")
    return safe_layout
