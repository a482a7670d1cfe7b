"""Is the database there, and how fresh is its data: what `/healthz` reports, and the errors
that mean the database does not answer (the web says so in Swedish instead of failing)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from etl import db, schema

# The driver's errors (connection refused, lost, …) and a pool with no connection to give.
UNAVAILABLE: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout)


class LastImport(NamedTuple):
    kind: str
    finished_at: datetime | None


class Freshness(NamedTuple):
    version: int
    last_import: LastImport | None  # the newest import run, finished or not
    newest_kolada_year: int | None  # of the real (not example) Kolada values


def freshness(engine: Engine) -> Freshness:
    """The data version, the newest import and the newest real Kolada year, read together."""
    with engine.connect() as connection:
        version = db.data_version(connection)
        last = connection.execute(
            select(schema.ImportRun.kind, schema.ImportRun.finished_at)
            .order_by(schema.ImportRun.id.desc()).limit(1)).first()
        newest = connection.scalar(
            select(func.max(schema.KpiValue.year))
            .where(schema.KpiValue.is_example.is_(False)))
    return Freshness(version, LastImport(last.kind, last.finished_at) if last else None, newest)
