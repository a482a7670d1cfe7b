"""Import pipelines: extract → validate → diff → load, each in one transaction.

The command line and the browser upload both call these functions, so both check and store
data the same way.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from etl import audit, load, numbers, schema, survey, survey_history, validate
from etl.errors import InputError, Location
from etl.extract import kolada_files, kolada_web, survey_files, tables
from etl.settings import Settings
from etl.strategy import Strategy, load_strategy
from etl.transform import kpi_rules, retired_kpis

Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class ImportResult:
    """What an import did (or, for a preview, would do)."""

    source: str
    counts: load.Counts
    run_id: int | None
    preview: load.ValueDiff | None = None
    rejected: validate.Rejections | None = None

    def summary(self) -> str:
        c = self.counts
        total = self.rejected.total if self.rejected else 0
        skipped = (f" {total} rad{'er' if total > 1 else ''} avvisades och lästes inte in."
                   if total else "")
        if not c.changed:
            return (f"{Path(self.source).name}: inget att ändra "
                    f"({c.unchanged} värden finns redan, oförändrade).{skipped}")
        return (f"{Path(self.source).name}: {c.added} nya, {c.updated} ändrade, "
                f"{c.removed} borttagna, {c.unchanged} oförändrade värden.{skipped}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Catalogue and strategy ---------------------------------------------------------------------


def catalogue_kpis(settings: Settings) -> list[dict]:
    """The bundled KPI catalogue with direction and unit, plus the retired KKiK KPIs."""
    rules = kpi_rules(settings.data_dir / "kpi_rules.toml")
    kpis = [
        {**kpi, **rules.classify(kpi["id"], kpi["title"]), "retired": False}
        for kpi in kolada_files.fetch_kpis(settings.kolada_dir)
    ]
    return kpis + retired_kpis(settings.data_dir / "retired_kpis.toml")


def load_bundled_catalogue(engine: Engine, settings: Settings) -> int:
    """Store the catalogue shipped in `data/kolada/` (municipalities, groups, KPIs)."""
    with engine.begin() as connection:
        return load.save_catalogue(
            connection,
            municipalities=kolada_files.fetch_municipalities(settings.kolada_dir),
            municipality_groups=kolada_files.fetch_municipality_groups(settings.kolada_dir),
            kpis=catalogue_kpis(settings),
            kpi_groups=kolada_files.fetch_kpi_groups(settings.kolada_dir),
        )


def read_strategy(engine: Engine, settings: Settings, path: Path | None = None) -> Strategy:
    """Load and validate the strategy file against the KPIs the database knows."""
    with engine.connect() as connection:
        known = load.known_ids(connection, schema.Kpi)
        units = dict(connection.execute(select(schema.Kpi.id, schema.Kpi.unit)).all())
    return load_strategy(path or settings.strategy_path, known_kpis=known or None,
                         kpi_units={kpi: unit or "" for kpi, unit in units.items()})


def load_strategy_file(engine: Engine, settings: Settings, path: Path | None = None) -> int:
    strategy = read_strategy(engine, settings, path)
    with engine.begin() as connection:
        return load.save_strategy(connection, strategy)


# --- Kolada value files -------------------------------------------------------------------------


def read_value_file(path: Path, known_kpis: Mapping[str, str],
                    known_municipalities: Mapping[str, str], layout: str | None = None, *,
                    rejections: validate.Rejections | None = None) -> pd.DataFrame:
    """Extract and validate a Kolada value file (kpi_id, municipality_id, year, gender, value).

    `known_kpis` and `known_municipalities` map ids to titles: web exports may name them.
    With `rejections`, bad rows (of tidy files and web exports alike) are set aside there
    instead of stopping the import.
    """
    if not path.exists():
        raise InputError("filen finns inte.", Location(str(path)),
                         hint="Kontrollera sökvägen.")
    if path.stat().st_size == 0:
        raise InputError("filen är tom.", Location(str(path)),
                         hint="Välj filen med värden från Kolada.")
    if path.suffix == ".gz":
        tables.check_gzip(path)
    if path.suffix == ".gz" or (layout in (None, "tidy") and kolada_files.sniff_is_tidy(path)):
        raw = kolada_files.read_tidy_values(path)
        return validate.kolada_values(raw, str(path), known_kpis=known_kpis,
                                      known_municipalities=known_municipalities,
                                      rejections=rejections)
    return kolada_web.read_values(path, known_kpis=known_kpis,
                                  known_municipalities=known_municipalities, layout=layout,
                                  rejections=rejections)


def import_value_file(engine: Engine, path: Path, *, layout: str | None = None,
                      is_example: bool = False, kind: str = "kolada-fil",
                      requested_by: str | None = None, dry_run: bool = False,
                      skip_invalid: bool = False, source_name: str | None = None,
                      progress: Progress = _no_progress) -> ImportResult:
    """Import one Kolada value file. Identical re-imports change nothing and leave no run.

    `skip_invalid` sets bad rows aside (listed in the result) instead of refusing the file;
    `source_name` is what the import run records as the source (an uploaded file's own name).
    """
    path = Path(path)
    with engine.begin() as connection:
        known_kpis = load.known_titles(connection, schema.Kpi)
        known_municipalities = load.known_titles(connection, schema.Municipality)
    progress("läser", 0, 1)
    rejections = validate.Rejections() if skip_invalid else None
    frame = read_value_file(path, known_kpis, known_municipalities, layout,
                            rejections=rejections)
    progress("läser", 1, 1)
    source = source_name or str(path)
    if frame.empty:
        return ImportResult(source, load.Counts(), None, rejected=rejections)
    result = save_value_frame(engine, frame, source=source, file_sha256=file_sha256(path),
                              kind=kind, is_example=is_example, requested_by=requested_by,
                              dry_run=dry_run, progress=progress,
                              notes={"avvisade rader": rejections.total} if rejections else None)
    result.rejected = rejections
    return result


def save_value_frame(engine: Engine, frame: pd.DataFrame, *, source: str, kind: str,
                     file_sha256: str | None = None, is_example: bool = False,
                     requested_by: str | None = None, dry_run: bool = False,
                     progress: Progress = _no_progress, notes: dict | None = None
                     ) -> ImportResult:
    """Diff validated values against the database and store the difference in one transaction.

    A stored import is also written to the audit log (`notes` are added to its entry).
    """
    with engine.begin() as connection:
        diff = load.diff_values(connection, frame)
        if dry_run or not diff.counts.changed:
            return ImportResult(source, diff.counts, None, preview=diff)
        run_id = load.start_run(
            connection, kind, source, file_sha256=file_sha256, is_example=is_example,
            scope={"kpis": sorted(set(frame["kpi_id"]))}, requested_by=requested_by,
        )
        progress("sparar", 0, len(frame))
        counts = load.apply_value_diff(connection, diff, run_id, is_example=is_example)
        load.finish_run(connection, run_id, counts)
        audit.record(connection, requested_by or audit.command_line_actor(), "import.kolada",
                     "import", str(run_id), after={
                         "källa": Path(source).name if "://" not in source else source,
                         "nya": counts.added, "ändrade": counts.updated,
                         "borttagna": counts.removed, "oförändrade": counts.unchanged,
                         **(notes or {})})
        progress("sparar", len(frame), len(frame))
    return ImportResult(source, counts, run_id)


# --- Staff survey -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChange:
    """What an import does to one stored unit of a survey year (for the preview)."""

    level: str
    forvaltning: str
    enhet: str
    status: str  # "ny", "ändrad", "flyttad", "oförändrad" or "tas bort"
    respondents: int | None
    mean: float | None
    old_respondents: int | None = None
    old_mean: float | None = None


SURVEY_COMPARED = ("respondents", "employees", "mean", "share_positive", *(
    f"answers_{i}" for i in range(1, 6)))


def _same(old: object, new: object) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) or isinstance(new, float):
        return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
    return old == new


def _keys(rows: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["level"], r["forvaltning"], r["enhet"]) for r in rows}


def _unit_changes(stored: list[dict], rows: list[dict],
                  stored_hidden: set[tuple[str, str, str]] = frozenset()) -> list[UnitChange]:
    """Each unit of an import compared with what is stored for its year.

    Only stored units that may still be shown are compared with their old figures (rounded
    as the pages show them); one stored but no longer shown is "ändrad" without them, and one
    that disappears is not named at all. An enhet keeps its identity when it moves to another
    förvaltning (its name within the year, when one enhet has it then and one now): it is
    "flyttad", never "ny".
    """
    key = lambda r: (r["level"], r["forvaltning"], r["enhet"])  # noqa: E731
    old_by_key = {key(r): r for r in stored}
    names = [k[2] for k in old_by_key if k[0] == survey.ENHET]
    names += [row["enhet"] for row in rows if row["level"] == survey.ENHET]
    enhet_keys = {k[2]: k for k in old_by_key  # a name used twice tells no move
                  if k[0] == survey.ENHET and names.count(k[2]) == 2}
    hidden_enheter = {k[2] for k in stored_hidden if k[0] == survey.ENHET}
    changes = []
    for row in rows:
        old = old_by_key.pop(key(row), None)
        moved = (old is None and row["level"] == survey.ENHET
                 and enhet_keys.get(row["enhet"]) in old_by_key)
        if moved:
            old = old_by_key.pop(enhet_keys[row["enhet"]])
            status = "flyttad"
        elif old is None:
            status = ("ändrad" if key(row) in stored_hidden or (
                row["level"] == survey.ENHET and row["enhet"] in hidden_enheter) else "ny")
        elif all(_same(old[c], row[c]) for c in SURVEY_COMPARED):
            status = "oförändrad"
        else:
            status = "ändrad"
        changes.append(UnitChange(*key(row), status, row["respondents"], _shown_mean(row),
                                  old["respondents"] if old else None,
                                  _shown_mean(old) if old else None))
    changes += [UnitChange(*k, "tas bort", None, None, old["respondents"], _shown_mean(old))
                for k, old in old_by_key.items()]
    return changes


SHOWN_DECIMALS = 2  # a survey mean is shown with two decimals everywhere


def _shown_mean(row: dict) -> float | None:
    """The mean as the pages show it (half up: 3,625 → 3,63, as on the page, not round()'s
    3,62)."""
    return None if row["mean"] is None else numbers.round_half_up(row["mean"], SHOWN_DECIMALS)


def _only_showable(stored: list[dict], threshold: int,
                   history: list[survey.ShownVersion]) -> list[dict]:
    """The stored rows of one year that may be shown under today's threshold and history."""
    if not stored:
        return []
    keys = survey_history.showable_keys(stored, threshold, history)
    return [r for r in stored if (r["level"], r["forvaltning"], r["enhet"]) in keys]


def _refuse_hidden_kommun(results: list[survey.UnitResult], hidden: set, threshold: int,
                          table) -> None:
    """Nothing can be shown when the kommun itself is hidden: refuse, saying why."""
    if (survey.KOMMUN, "", "") not in hidden:
        return
    kommun = next(r for r in results if r.level == survey.KOMMUN)
    if kommun.respondents < threshold:
        raise InputError(
            f"hela kommunen har bara {kommun.respondents} svar på frågan, färre än "
            f"anonymitetsgränsen {threshold}: inget kan visas.",
            table.where(),
            hint="Kontrollera att det är hela enkätens export. Ingenting har sparats.")
    raise InputError(
        "den nya versionen kan inte visas: tillsammans med det som redan har visats för året "
        "skulle den låta någon räkna fram svaren för en grupp under anonymitetsgränsen "
        f"({threshold} svarande) eller för en enhet som aldrig har visats, och det går inte att "
        "förhindra genom att dölja fler delar av den. Det händer när en rättelse tar bort eller "
        "flyttar enheter, eller ändrar antalet svarande lite.",
        table.where(),
        hint="Behåll den inlästa versionen, eller kontrollera att exporten är hel och att "
        "enheterna heter och ligger som i den förra. Ingenting har sparats.")


@dataclass
class SurveyImport:
    """What a survey import stores (or would store): visible units, and how many were hidden.

    `changes` compares every unit with what is stored for the year; `replaced` names the file
    whose results the import takes the place of.
    """

    source: str
    measure_id: str
    year: int
    shape: str
    question: str
    results: list[survey.UnitResult]
    hidden: int
    counts: load.Counts
    run_id: int | None = None
    replaced: str | None = None  # the file whose results this import replaced
    changes: list[UnitChange] = field(default_factory=list)

    def summary(self) -> str:
        kommun = next((r for r in self.results if r.level == survey.KOMMUN), None)
        overall = (f"kommunen {numbers.number(kommun.mean, SHOWN_DECIMALS)} "
                   f"(n = {kommun.respondents})" if kommun
                   else "kommunen under anonymitetsgränsen")
        if not self.counts.changed:
            return (f"{Path(self.source).name}: {self.year} är redan inläst från samma fil; "
                    "inget ändrat.")
        replaced = f" Ersatte resultatet från {self.replaced}." if self.replaced else ""
        return (f"{Path(self.source).name}: medarbetarenkät {self.year}, {overall}; "
                f"{len(self.results)} enheter sparade, {self.hidden} dolda för att skydda "
                f"små grupper.{replaced}")


SURVEY_RUN_KIND = "enkät-fil"
_FLOAT_PLACES = 9


def _comparable(rows: list[dict]) -> list[tuple]:
    """Survey rows as sorted tuples, floats rounded, to tell whether an import changes them."""
    columns = ["level", "forvaltning", "enhet", "respondents", "employees", "mean",
               "share_positive", *survey.COUNT_COLUMNS, "is_example"]

    def value(v: object) -> object:
        return numbers.round_half_up(v, _FLOAT_PLACES) if isinstance(v, float) else v

    return sorted((tuple(value(row[c]) for c in columns) for row in rows), key=repr)


def _survey_measure(engine: Engine, settings: Settings) -> tuple[str, str | None]:
    with engine.connect() as connection:
        measures = connection.execute(
            select(schema.Measure.id, schema.Measure.survey_question_pattern)
            .where(schema.Measure.source == "survey").order_by(schema.Measure.position)
        ).all()
    if not measures:
        raise InputError("strategin har inget mått som mäts med medarbetarenkäten.",
                         Location(str(settings.strategy_path)),
                         hint="Lägg till ett mått med source = \"survey\" i strategy.toml och "
                         "läs in strategin («malbild strategy load»).")
    return measures[0][0], measures[0][1]


def read_survey_results(path: Path, settings: Settings, *, question_pattern: str | None = None,
                        year: int | None = None, employees: Path | None = None
                        ) -> tuple[survey_files.SurveyTable, int, list[survey.UnitResult]]:
    """Extract, validate and aggregate a survey file (nothing is suppressed or stored yet)."""
    mapping = settings.data_dir / "mappings" / "survey_headers.toml"
    headers = survey_files.header_map(mapping)
    table = survey_files.read_survey(
        Path(path), question_pattern=question_pattern or survey_files.DEFAULT_QUESTION_PATTERN,
        mapping=mapping, max_bytes=settings.upload_max_bytes,
    )
    staff = (survey_files.read_employees(Path(employees), mapping=mapping,
                                         max_bytes=settings.upload_max_bytes)
             if employees is not None else table.employees)
    survey_year = survey.find_year(table, year)
    return table, survey_year, survey.aggregate_table(table, headers, staff)


def import_survey_file(engine: Engine, path: Path, settings: Settings, *, year: int | None = None,
                       replace: bool = False, employees: Path | None = None,
                       is_example: bool = False, requested_by: str | None = None,
                       dry_run: bool = False, source_name: str | None = None) -> SurveyImport:
    """Import a staff-survey export: aggregates only, small groups suppressed, one transaction.

    The same file again changes nothing (or brings its year up to date, e.g. after the
    anonymity threshold was raised). Another file for a stored year, or this file for another
    year, is refused unless `replace`; what is replaced is kept in the audit log. A survey file
    is read whole or not at all: leaving out a bad respondent row would change every mean it
    belongs to. `source_name` is recorded as the source (an uploaded file's own name).
    """
    path = Path(path)
    source = source_name or str(path)
    measure_id, pattern = _survey_measure(engine, settings)
    table, survey_year, results = read_survey_results(
        path, settings, question_pattern=pattern, year=year, employees=employees)
    results_table = schema.SurveyResult.__table__
    run = schema.ImportRun
    threshold = settings.anonymity_threshold
    with engine.begin() as connection:
        history = survey_history.versions(connection, measure_id, [survey_year]).get(
            survey_year, [])
        visible, hidden = survey.suppress(results, threshold, history)
        _refuse_hidden_kommun(results, hidden, threshold, table)
        sha = file_sha256(path)
        rows = [
            {"measure_id": measure_id, "year": survey_year, "level": r.level,
             "forvaltning": r.forvaltning, "enhet": r.enhet, "respondents": r.respondents,
             "employees": r.employees, "mean": r.mean, "share_positive": r.share_positive,
             **{f"answers_{i + 1}": (r.answers[i] if r.answers else None) for i in range(5)},
             "is_example": is_example}
            for r in visible
        ]
        result = SurveyImport(source, measure_id, survey_year, table.shape, table.question,
                              visible, len(hidden), load.Counts(added=len(rows)))
        stored = [dict(r) for r in connection.execute(
            select(results_table, run.location, run.file_sha256, run.started_at)
            .join(run, run.id == results_table.c.import_run_id)
            .where(results_table.c.measure_id == measure_id,
                   results_table.c.year == survey_year)
        ).mappings()]
        showable = _only_showable(stored, threshold, history)
        result.changes = _unit_changes(showable, rows, _keys(stored) - _keys(showable))
        if stored and stored[0]["file_sha256"] != sha:
            result.replaced = Path(stored[0]["location"]).name
        if stored and _comparable(stored) == _comparable(rows):
            result.counts = load.Counts(unchanged=len(rows))
            return result
        if stored and stored[0]["file_sha256"] != sha and not replace:
            raise InputError(
                f"medarbetarenkäten {survey_year} är redan inläst från en annan fil "
                f"({Path(stored[0]['location']).name}, {stored[0]['started_at']:%Y-%m-%d}).",
                table.where(),
                hint="Ange --replace för att ersätta den (det gamla resultatet sparas i "
                "loggen), eller kontrollera året med --year. Ingenting har sparats.",
            )
        elsewhere = connection.execute(
            select(results_table.c.year).distinct()
            .join(run, run.id == results_table.c.import_run_id)
            .where(results_table.c.measure_id == measure_id, run.file_sha256 == sha,
                   results_table.c.year != survey_year)
        ).scalars().all()
        if elsewhere and not replace:
            raise InputError(
                f"filen är redan inläst som medarbetarenkät {', '.join(map(str, elsewhere))}.",
                table.where(),
                hint=f"Om året var fel: importera med --year {survey_year} --replace, så flyttas "
                "resultatet. Ingenting har sparats.",
            )
        if dry_run:
            return result
        replaced_rows = stored + [dict(r) for r in connection.execute(
            select(results_table, run.location)
            .join(run, run.id == results_table.c.import_run_id)
            .where(results_table.c.measure_id == measure_id,
                   results_table.c.year.in_(elsewhere))
        ).mappings()] if elsewhere else stored
        removed = 0
        if replaced_rows:
            removed = connection.execute(
                delete(results_table).where(results_table.c.measure_id == measure_id,
                                            results_table.c.year.in_(
                                                {survey_year, *elsewhere}))
            ).rowcount
            _log_replaced(connection, measure_id, replaced_rows, source, requested_by,
                          threshold)
        run_id = load.start_run(
            connection, SURVEY_RUN_KIND, source, file_sha256=sha,
            scope={"measure": measure_id, "year": survey_year,
                   "anonymity_threshold": settings.anonymity_threshold},
            is_example=is_example, requested_by=requested_by)
        if rows:
            connection.execute(insert(results_table),
                               [{**r, "import_run_id": run_id} for r in rows])
        survey_history.record(connection, measure_id, survey_year, run_id, visible, hidden)
        result.counts = load.Counts(added=len(rows), removed=removed)
        result.run_id = run_id
        load.finish_run(connection, run_id, result.counts)
        audit.record(
            connection, requested_by or audit.command_line_actor(), "import.survey", "import",
            str(run_id),
            before={"fil": result.replaced, "år": survey_year, "enheter": removed}
            if replaced_rows else None,
            after={"fil": Path(source).name, "år": survey_year, "enheter": len(rows),
                   "dolda enheter": len(hidden)})
    return result


def _log_replaced(connection, measure_id: str, rows: list[dict], new_source: str,
                  actor: str | None, threshold: int) -> None:
    """Keep what an import replaces, as it could be shown: the units that may still be shown
    under today's threshold and every version shown so far, with n, the mean and the share
    4–5 rounded as the pages show them (never respondent rows: none are stored)."""
    years = sorted({r["year"] for r in rows})
    history = survey_history.versions(connection, measure_id, years)
    kept = []
    for year in years:
        of_year = [r for r in rows if r["year"] == year]
        for row in _only_showable(of_year, threshold, history.get(year, [])):
            kept.append({
                "year": year, "level": row["level"], "forvaltning": row["forvaltning"],
                "enhet": row["enhet"], "respondents": row["respondents"],
                "mean": _shown_mean(row),
                "share_positive": None if row["share_positive"] is None
                else numbers.round_half_up(row["share_positive"], 1),
                "is_example": row["is_example"], "location": Path(row["location"]).name})
    connection.execute(insert(schema.AuditEvent).values(
        at=schema.utcnow(), actor=actor or audit.command_line_actor(),
        action="import.survey.replaced",
        object_type="survey_result",
        object_id=f"{measure_id}/{','.join(map(str, years))}",
        before=json.dumps(kept, ensure_ascii=False, default=str),
        after=json.dumps({"source": Path(new_source).name}, ensure_ascii=False),
    ))
