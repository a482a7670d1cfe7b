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
from sqlalchemy import func, select

from dashboard import cache, runtime
from etl import db, schema

log = logging.getLogger("malbild.request")


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
                  "cache": type(cache.backend()).__name__}
    try:
        with engine.connect() as connection:
            version = db.data_version(connection)
            last = connection.execute(
                select(schema.ImportRun.kind, schema.ImportRun.finished_at)
                .order_by(schema.ImportRun.id.desc()).limit(1)).first()
            newest = connection.scalar(
                select(func.max(schema.KpiValue.year))
                .where(schema.KpiValue.is_example.is_(False)))
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

    @server.get("/healthz")
    def _healthz() -> Response:
        body, status = health()
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json", headers={"Cache-Control": "no-store"})

    @server.before_request
    def _start_clock() -> None:
        g.malbild_started = time.perf_counter()

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
                "remote": request.headers.get("X-Forwarded-For", request.remote_addr),
            }})
        return response
