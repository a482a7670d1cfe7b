"""Fastställda reports: the yearly report frozen byte for byte, and what has changed since.

`freeze` stores the files an administrator approved (PDF and DOCX), the data version and the
home municipality's values the report showed, in one transaction with its audit event.
`get` hands back exactly those bytes; a frozen report is never rebuilt. `revisions_since`
lists the stored values that Kolada or a file import has revised after the freeze, from the
revision table that every import writes.

The rendering lives in the dashboard (`dashboard.present.export.archive`); this module only stores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, insert, select

from etl import audit, db, schema
from etl.errors import InputError

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class ArchivedReport:
    id: int
    year: int
    version: int
    data_version: int
    created_at: datetime
    created_by: str
    sizes: Mapping[str, int]
    """Format → bytes."""


def report_values(connection: Connection, kpi_ids: Iterable[str], municipality_id: str,
                  last_year: int) -> list[dict]:
    """The home municipality's stored values (gender total) of the KPIs, up to `last_year`."""
    v = schema.KpiValue
    rows = connection.execute(
        select(v.kpi_id, v.municipality_id, v.year, v.value)
        .where(v.kpi_id.in_(list(kpi_ids)), v.municipality_id == municipality_id,
               v.gender == "T", v.year <= last_year)
        .order_by(v.kpi_id, v.year)).mappings()
    return [dict(row) for row in rows]


def freeze(engine: Engine, year: int, files: Mapping[str, bytes], *, kpi_ids: Iterable[str],
           municipality_id: str, actor: str, data_version: int | None = None
           ) -> ArchivedReport:
    """Store a new version of the fastställd report for `year` (files by format).

    `data_version` is the data the files were built from; if the data has changed since (an
    import ran meanwhile), the freeze is refused, so an archived report always matches the
    values stored beside it.
    """
    unknown = set(files) - set(FORMATS)
    if unknown or not files:
        raise ValueError(f"arkivet tar formaten {', '.join(FORMATS)}, inte {sorted(unknown)}")
    a = schema.ArchivedReport
    with engine.begin() as connection:
        current = db.data_version(connection)
        if data_version is not None and data_version != current:
            raise InputError(
                f"data har ändrats medan rapporten för {year} skapades.",
                hint="Fastställ igen; rapporten skapas då från de aktuella värdena.")
        version = (connection.scalar(select(func.max(a.version)).where(a.year == year))
                   or 0) + 1
        created_at = schema.utcnow()
        report_id = connection.execute(insert(a).values(
            year=year, version=version, data_version=current, created_at=created_at,
            created_by=actor[:100])).inserted_primary_key[0]
        connection.execute(insert(schema.ArchivedReportFile), [
            {"report_id": report_id, "format": fmt, "content": content,
             "size_bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for fmt, content in files.items()])
        values = report_values(connection, kpi_ids, municipality_id, year)
        if values:
            connection.execute(insert(schema.ArchivedReportValue),
                               [{"report_id": report_id, **row} for row in values])
        audit.record(connection, actor, "report.freeze", "rapport", f"{year} version {version}",
                     after={"år": year, "version": version, "dataversion": current,
                            **{f"{fmt} (byte)": len(c) for fmt, c in files.items()},
                            "värden": len(values)})
        db.bump_data_version(connection)
    return ArchivedReport(report_id, year, version, current, created_at, actor[:100],
                          {fmt: len(c) for fmt, c in files.items()})


def next_version(engine: Engine, year: int) -> int:
    """The version number the next freeze of `year` gets (a freeze in between changes the
    data version, so `freeze` refuses files made for a number already taken)."""
    a = schema.ArchivedReport
    with engine.connect() as connection:
        return (connection.scalar(select(func.max(a.version)).where(a.year == year)) or 0) + 1


def versions(engine: Engine, year: int | None = None) -> list[ArchivedReport]:
    """Archived reports, newest year and version first."""
    a, f = schema.ArchivedReport, schema.ArchivedReportFile
    statement = (select(a.id, a.year, a.version, a.data_version, a.created_at, a.created_by,
                        f.format, f.size_bytes)
                 .join(f, f.report_id == a.id).order_by(a.year.desc(), a.version.desc()))
    if year is not None:
        statement = statement.where(a.year == year)
    found: dict[int, ArchivedReport] = {}
    with engine.connect() as connection:
        for row in connection.execute(statement):
            report = found.setdefault(row.id, ArchivedReport(
                row.id, row.year, row.version, row.data_version, row.created_at,
                row.created_by, {}))
            report.sizes[row.format] = row.size_bytes
    return list(found.values())


def find(engine: Engine, year: int, version: int | None = None) -> ArchivedReport:
    """The archived report for `year` (the newest version unless `version` is given)."""
    reports = versions(engine, year)
    if not reports:
        raise InputError(f"det finns ingen fastställd rapport för {year}.",
                         hint=f"En administratör fastställer den med «malbild archive freeze "
                              f"--year {year}» eller på sidan Rapporter.")
    if version is None:
        return reports[0]
    for report in reports:
        if report.version == version:
            return report
    known = ", ".join(str(r.version) for r in sorted(reports, key=lambda r: r.version))
    raise InputError(f"rapporten för {year} har ingen version {version}.",
                     hint=f"Versionerna är {known}.")


def get(engine: Engine, year: int, fmt: str, version: int | None = None) -> bytes:
    """The stored bytes of an archived report, exactly as they were frozen."""
    if fmt not in FORMATS:
        raise InputError(f"formatet «{fmt}» finns inte i arkivet.",
                         hint=f"Välj {' eller '.join(FORMATS)}.")
    report = find(engine, year, version)
    f = schema.ArchivedReportFile
    with engine.connect() as connection:
        content = connection.scalar(select(f.content).where(f.report_id == report.id,
                                                            f.format == fmt))
    if content is None:
        raise InputError(f"version {report.version} av rapporten för {year} har ingen "
                         f"{fmt.upper()}-fil.", hint=f"Välj {' eller '.join(FORMATS)}.")
    return bytes(content)


REVISION_COLUMNS = ["kpi_id", "year", "municipality_id", "frozen_value", "old_value",
                    "new_value", "revised_at"]


def revisions_since(engine: Engine, year: int, version: int | None = None) -> pd.DataFrame:
    """Every revision, after the freeze, of a value the archived report showed: KPI, year,
    municipality, the value in the report, old → new (new None: removed), when."""
    report = find(engine, year, version)
    r, value = schema.ValueRevision, schema.ArchivedReportValue
    statement = (
        select(r.kpi_id, r.year, r.municipality_id, value.value.label("frozen_value"),
               r.old_value, r.new_value, r.revised_at)
        .join(value, and_(value.kpi_id == r.kpi_id, value.municipality_id == r.municipality_id,
                          value.year == r.year))
        .where(value.report_id == report.id, r.gender == "T", r.revised_at > report.created_at)
        .order_by(r.revised_at, r.kpi_id, r.year, r.id))
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(statement)]
    return pd.DataFrame.from_records(rows, columns=REVISION_COLUMNS)
