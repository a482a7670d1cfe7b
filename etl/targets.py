"""Targets set by decisions: record one, keep the history, and round-trip them through a file.

Target rows are never overwritten; the newest row for a measure and year holds, and the rows
before it are the history. `data/strategy.toml` seeds the targets; after that they are set in
the browser or with `malbild targets import`, and every change is in the audit log.

The file format is CSV for Swedish Excel (`;`, decimal comma, UTF-8 with BOM), one row per
measure and year; Excel files (.xlsx) with the same columns are read too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select

from etl import audit, clock, load, numbers, schema, spreadsheet, users
from etl.db import bump_data_version
from etl.decision import DecisionRef, clean_paragraph
from etl.errors import InputError, Location
from etl.extract.tables import find_header, read_column_map, read_grids
from etl.settings import DEFAULT_DATA_DIR

FIRST_YEAR, LAST_YEAR = 1990, 2100
COLUMNS = ["matt", "mattnamn", "ar", "malvarde", "organ", "beslutsdatum", "paragraf",
           "diarienummer", "exempel"]
REQUIRED = ["matt", "ar", "malvarde", "organ", "beslutsdatum"]
# Which header names which of COLUMNS when a file is read (the export writes COLUMNS as they are).
MAPPING = DEFAULT_DATA_DIR / "mappings" / "target_headers.toml"
YES = {"ja", "j", "x", "1", "true", "sant", "yes"}
NO = {"", "nej", "n", "0", "false", "falskt", "no"}


@dataclass(frozen=True)
class TargetChange:
    """A target that is (or would be) recorded: the current row before it, and the new one."""

    measure_id: str
    year: int
    before: dict | None
    after: dict

    @property
    def summary(self) -> dict:
        return {"mått": self.measure_id, "år": self.year, **_described(self.after)}


def _described(row: dict | None) -> dict:
    if not row:
        return {}
    value = row.get("value")
    return {"mål": "inget mål" if value is None else value,
            "beslut": row.get("decision", ""), "exempel": bool(row.get("is_example"))}


def _measures(connection: Connection) -> dict[str, dict]:
    m = schema.Measure
    return {r["id"]: dict(r) for r in connection.execute(
        select(m.id, m.name, m.scale_min, m.scale_max, m.unit, m.decimals)).mappings()}


def check_target(measures: dict[str, dict], measure_id: str, year: int, value: float | None,
                 reference: DecisionRef, where: Location | None = None,
                 columns: dict[str, str] | None = None) -> None:
    """Raise an InputError naming the field (and file cell) when a target cannot be recorded."""
    names = {"matt": "mått", "ar": "år", "malvarde": "målvärde", "organ": "beslutande organ",
             "beslutsdatum": "beslutsdatum", "paragraf": "paragraf",
             "diarienummer": "diarienummer", **(columns or {})}

    def fail(field: str, problem: str, hint: str) -> InputError:
        place = Location(where.source, where.sheet, where.row, names[field]) if where else None
        return InputError(problem, place, hint=hint + " Ingenting har sparats.")

    measure = measures.get(measure_id)
    if measure is None:
        raise fail("matt", f"måttet «{measure_id}» finns inte i strategin.",
                   f"Måtten: {', '.join(measures)}.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise fail("ar", f"året {year} går inte att sätta mål för.",
                   f"Ange ett år mellan {FIRST_YEAR} och {LAST_YEAR}.")
    low, high = measure["scale_min"], measure["scale_max"]
    if value is not None and (math.isnan(value) or not low <= value <= high):
        raise fail("malvarde", f"målet {value:g} ligger utanför måttets skala {low:g}–{high:g}.",
                   "Ange ett värde på skalan, eller lämna fältet tomt för inget mål.")
    if not reference.body.strip():
        raise fail("organ", "beslutande organ saknas.",
                   "Ange vem som fattade beslutet, t.ex. KS eller KF.")
    if len(reference.body) > 100:
        raise fail("organ", "beslutande organ är för långt (högst 100 tecken).", "Korta det.")
    if reference.date is None:
        raise fail("beslutsdatum", "beslutsdatum saknas.", "Ange datumet som ÅÅÅÅ-MM-DD.")
    if reference.date > clock.today():
        raise fail("beslutsdatum",
                   f"beslutsdatumet {reference.date.isoformat()} ligger i framtiden.",
                   "Ett mål sätts av ett beslut som redan är fattat: ange dagen då beslutet "
                   "fattades.")
    if len(reference.paragraph) > 32:
        raise fail("paragraf", "paragrafen är för lång (högst 32 tecken).", "Ange t.ex. 201.")
    if len(reference.diarienummer) > 64:
        raise fail("diarienummer", "diarienumret är för långt (högst 64 tecken).",
                   "Ange t.ex. KS 2021/345.")


def _row(value: float | None, reference: DecisionRef, is_example: bool) -> dict:
    return {"value": None if value is None else float(value), **reference.columns(),
            "is_example": is_example}


def _changed(current: dict | None, wanted: dict) -> bool:
    return current is None or any(current[key] != value for key, value in wanted.items())


def record_targets(connection: Connection, targets: list[tuple[str, int, dict]], *,
                   actor: str) -> list[TargetChange]:
    """Append the targets that differ from the current ones, with an audit event each."""
    changes = []
    current_by_measure: dict[str, dict[int, dict]] = {}
    for measure_id, year, wanted in targets:
        if measure_id not in current_by_measure:
            current_by_measure[measure_id] = load.current_targets(connection, measure_id)
        current = current_by_measure[measure_id].get(year)
        if not _changed(current, wanted):
            continue
        changes.append(TargetChange(measure_id, year, current, wanted))
    if not changes:
        return []
    now = schema.utcnow()
    connection.execute(insert(schema.Target), [
        {"measure_id": c.measure_id, "year": c.year, "recorded_at": now,
         "recorded_by": actor[:100], **c.after} for c in changes])
    for change in changes:
        audit.record(connection, actor, "target.set", "mål", f"{change.measure_id}/{change.year}",
                     before=_described(change.before), after=_described(change.after))
    bump_data_version(connection)
    return changes


def set_target(engine: Engine, measure_id: str, year: int, value: float | None,
               reference: DecisionRef, *, actor: str, is_example: bool = False) -> bool:
    """Record one decided target (from the browser); False when it is already the current one."""
    with engine.begin() as connection:
        check_target(_measures(connection), measure_id, year, value, reference)
        return bool(record_targets(connection, [(measure_id, year,
                                                 _row(value, reference, is_example))],
                                   actor=actor))


def history(engine: Engine, measure_id: str) -> list[dict]:
    """Every target row of a measure, newest decision first, with `current` marking those
    that hold."""
    t = schema.Target
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(
            select(t, users.shown_name(t.recorded_by).label("recorded_by_name"))
            .where(t.measure_id == measure_id).order_by(t.year.desc(), t.id.desc())
        ).mappings()]
    newest: dict[int, int] = {}
    for row in rows:
        newest.setdefault(row["year"], row["id"])
    for row in rows:
        row["current"] = newest[row["year"]] == row["id"]
    return rows


# --- The file -----------------------------------------------------------------------------------


def number_text(value: float | None) -> str:
    """85 → "85", 3.5 → "3,5": exact, with a decimal comma for Swedish Excel."""
    return numbers.exact(value)


def export_rows(engine: Engine) -> list[dict]:
    """The current target of every measure and year, in strategy order."""
    m = schema.Measure
    with engine.connect() as connection:
        measures = connection.execute(select(m.id, m.name).order_by(m.position)).all()
        rows = []
        for measure in measures:
            current = load.current_targets(connection, measure.id)
            for year in sorted(current):
                row = current[year]
                rows.append({
                    "matt": measure.id, "mattnamn": measure.name, "ar": str(year),
                    "malvarde": number_text(row["value"]),
                    "organ": row["decision_body"] or "",
                    "beslutsdatum": row["decision_date"].isoformat()
                    if row["decision_date"] else "",
                    "paragraf": row["decision_paragraph"] or "",
                    "diarienummer": row["diarienummer"] or "",
                    "exempel": "ja" if row["is_example"] else "nej",
                })
    return rows


def _sheet(engine: Engine) -> spreadsheet.Sheet:
    """The rows as text cells (the writer neutralises every text against formulas: the
    decision references were typed by people or read from files)."""
    rows = export_rows(engine)
    return spreadsheet.Sheet(list(COLUMNS), [[row[c] for c in COLUMNS] for row in rows],
                             [[numbers.TEXT_FORMAT] * len(COLUMNS)] * len(rows))


def export_text(engine: Engine) -> str:
    return spreadsheet.csv_text(_sheet(engine))


def export_targets(engine: Engine, path: Path) -> int:
    """Write the current targets to `path`: Excel for `.xlsx`, else CSV for Swedish Excel.
    Returns the row count."""
    sheet = _sheet(engine)
    path.write_bytes(spreadsheet.workbook_bytes([sheet], ["Mål"])
                     if path.suffix.lower() == ".xlsx" else spreadsheet.csv_bytes(sheet))
    return len(sheet.rows)


def _year(text: str) -> int | None:
    try:
        number = numbers.parse(text)
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() else None


PER_CENT = "%"


def parse_value(text: str | None, unit: str | None) -> float | None:
    """A target as people write it: "85", "55,0", and "55 %" or "55,0 %" where the measure's
    unit is per cent; empty → None (no target). ValueError for anything else."""
    return numbers.parse(text, per_cent=(unit or "").strip() == PER_CENT)


def read_targets(engine: Engine, path: Path, *, mapping: Path = MAPPING
                 ) -> list[tuple[str, int, dict]]:
    """Read and check a target file; every problem names its row and column."""
    path = Path(path)
    grid = read_grids(path)[0]  # the first sheet: the export writes one
    header = find_header([grid], read_column_map(mapping), REQUIRED).found
    if header is None:
        raise InputError(
            "rubrikraden saknas eller saknar kolumner.",
            Location(str(path), sheet=grid.sheet, row=1),
            hint="Filen ska ha kolumnerna " + ";".join(COLUMNS) + " (som «malbild targets "
            "export» skriver dem).")
    # Messages name a column as the file writes it.
    columns = {name: header.heading(name) or name for name in COLUMNS}
    with engine.connect() as connection:
        measures = _measures(connection)
    targets: list[tuple[str, int, dict]] = []
    seen: dict[tuple[str, int], int] = {}
    for record in header.records(COLUMNS, skip_empty=False):
        if not any(c.strip() for c in record.raw):
            continue
        number = record.row
        def cell(name: str, cells=record.cells) -> str:
            return cells.get(name, "")

        where = header.where(number)

        def bad(column: str, problem: str, hint: str, number=number) -> InputError:
            return InputError(problem, header.where(number, column),
                              hint=hint + " Ingenting har sparats.")

        measure_id = cell("matt")
        year = _year(cell("ar"))
        if year is None:
            raise bad("ar", f"«{cell('ar')}» är inget årtal.", "Skriv året med fyra siffror.")
        try:
            unit = measures[measure_id]["unit"] if measure_id in measures else None
            value = parse_value(cell("malvarde"), unit)
        except ValueError:
            raise bad("malvarde", f"«{cell('malvarde')}» är inget tal.",
                      "Skriv målet med decimalkomma, eller lämna cellen tom för inget mål."
                      ) from None
        decided_text = cell("beslutsdatum")[:10]
        try:
            decided = date.fromisoformat(decided_text) if decided_text else None
        except ValueError:
            raise bad("beslutsdatum", f"«{cell('beslutsdatum')}» är inget datum.",
                      "Skriv datumet som ÅÅÅÅ-MM-DD.") from None
        example = cell("exempel").lower()
        if example not in YES | NO:
            raise bad("exempel", f"«{cell('exempel')}» ska vara ja eller nej.",
                      "Skriv ja för påhittade exempelmål, annars nej.")
        reference = DecisionRef(cell("organ"), decided, clean_paragraph(cell("paragraf")),
                                cell("diarienummer"))
        check_target(measures, measure_id, year, value, reference, where, columns=columns)
        key = (measure_id, year)
        if key in seen:
            raise bad("ar", f"målet för {measure_id} {year} står också på rad {seen[key]}.",
                      "Ta bort den ena raden.")
        seen[key] = number
        targets.append((measure_id, year, _row(value, reference, example in YES)))
    return targets


def import_targets(engine: Engine, path: Path, *, actor: str, dry_run: bool = False
                   ) -> list[TargetChange]:
    """Record the file's targets that differ from the current ones (all or nothing)."""
    targets = read_targets(engine, path)
    with engine.begin() as connection:
        if dry_run:
            changes = []
            for measure_id, year, wanted in targets:
                current = load.current_targets(connection, measure_id).get(year)
                if _changed(current, wanted):
                    changes.append(TargetChange(measure_id, year, current, wanted))
            return changes
        return record_targets(connection, targets, actor=actor)
