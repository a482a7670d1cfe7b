"""Backup and restore of a whole Målbild database, the same for SQLite and PostgreSQL.

A backup is one zip file: `manifest.json` (schema revision, time, row counts) and one CSV per
table. It can be restored into either engine — also across them, e.g. from the SQLite file of a
trial into the PostgreSQL server of production. A restore runs in one transaction: it either
replaces everything or changes nothing.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from alembic.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Table,
    delete,
    select,
    text,
    update,
)

from etl import db, schema
from etl.errors import InputError, Location
from etl.load import bulk_insert

FORMAT = "malbild-backup/1"
NULL = "\\N"
CHUNK = 100_000


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def backup(url: str, path: Path, progress=None) -> dict:
    """Write every table of the database at `url` to the zip file `path`. Returns the manifest."""
    engine = db.engine_for(url)
    counts = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection, zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in schema.metadata.sorted_tables:
            if progress:
                progress(table.name)
            columns = [c.name for c in table.columns]
            result = connection.execution_options(stream_results=True).execute(
                select(table).order_by(*table.primary_key.columns))
            with archive.open(f"{table.name}.csv", "w") as member:
                handle = io.TextIOWrapper(member, encoding="utf-8", newline="")
                pd.DataFrame(columns=columns).to_csv(handle, index=False)
                total = 0
                while rows := result.fetchmany(CHUNK):
                    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)
                    for column in table.columns:  # files (archived reports) as base64 text
                        if isinstance(column.type, LargeBinary):
                            frame[column.name] = [None if v is None else base64.b64encode(
                                bytes(v)).decode("ascii") for v in frame[column.name]]
                    frame.to_csv(handle, index=False, header=False, na_rep=NULL,
                                 date_format="%Y-%m-%dT%H:%M:%S.%f")
                    total += len(frame)
                handle.flush()
                handle.detach()
            counts[table.name] = total
        manifest = {"format": FORMAT, "revision": _revision(connection),
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "engine": engine.dialect.name, "rows": counts}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def _read_table(archive: zipfile.ZipFile, table: Table) -> pd.DataFrame:
    with archive.open(f"{table.name}.csv") as member:
        frame = pd.read_csv(member, dtype=str, keep_default_na=False, na_values=[NULL],
                            encoding="utf-8")
    for column in table.columns:
        kind = column.type
        values = frame[column.name]
        if isinstance(kind, Boolean):
            frame[column.name] = values.map({"True": True, "False": False, "1": True,
                                             "0": False, "true": True, "false": False})
        elif isinstance(kind, Integer):
            frame[column.name] = pd.to_numeric(values).astype("Int64")
        elif isinstance(kind, Float):
            frame[column.name] = pd.to_numeric(values)
        elif isinstance(kind, LargeBinary):
            frame[column.name] = [None if pd.isna(v) else base64.b64decode(v) for v in values]
        elif isinstance(kind, DateTime):
            frame[column.name] = pd.to_datetime(values, format="ISO8601")
        elif isinstance(kind, Date):
            frame[column.name] = pd.to_datetime(values).dt.date
        else:
            frame[column.name] = values.astype(object).where(values.notna(), None)
    return frame


def continue_sequences(connection) -> None:
    """After rows were written with their ids (a restore, a copy), PostgreSQL's serial ids
    continue after them (a no-op for keys without a sequence, and on SQLite)."""
    if connection.dialect.name != "postgresql":
        return
    for table in schema.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            key = keys[0]
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'), "
                f"COALESCE(MAX({key.name}), 1), MAX({key.name}) IS NOT NULL) "
                f"FROM {table.name}"))


def restore(path: Path, url: str, progress=None) -> dict:
    """Replace the contents of the database at `url` with the backup in `path`."""
    location = Location(str(path))
    try:
        archive = zipfile.ZipFile(path)
        manifest = json.loads(archive.read("manifest.json"))
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError):
        raise InputError("filen är ingen säkerhetskopia från Målbild.", location,
                         hint="Ange en fil som skapats med «malbild db backup».") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"okänt format på säkerhetskopian ({manifest.get('format')}).",
                         location)
    db.upgrade(url, manifest.get("revision") or "head")
    engine = db.engine_for(url)
    with archive, engine.begin() as connection:
        old_version = db.data_version(connection)
        for table in reversed(schema.metadata.sorted_tables):
            connection.execute(delete(table))
        for table in schema.metadata.sorted_tables:
            if progress:
                progress(table.name)
            frame = _read_table(archive, table)
            if len(frame):
                bulk_insert(connection, table, frame)
            if len(frame) != manifest["rows"].get(table.name, len(frame)):
                raise InputError(f"tabellen {table.name} i säkerhetskopian är ofullständig.",
                                 location, hint="Databasen är oförändrad.")
        continue_sequences(connection)
        # Cached results are keyed on the data version: it must only ever grow.
        restored = db.data_version(connection)
        connection.execute(update(schema.DataState).where(schema.DataState.id == 1)
                           .values(version=max(old_version, restored) + 1))
        if restored == 0 and not manifest["rows"].get("data_state"):
            db.bump_data_version(connection)
    db.upgrade(url)
    return manifest
