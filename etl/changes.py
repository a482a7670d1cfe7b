"""What changed: the change log of the strategy's values, and the fastställda reports and
analysis texts each change touches.

Every import writes the change log (`value_revision`: new, revised, deleted) in its own
transaction. Alerts read it after the last change they told about (`after_id`); the page Nytt
reads it since a date. Only the home municipality's values of the measures' KPIs (gender total,
the years the lineage uses them) are news here: the rest of Kolada is context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select, union_all

from etl import analysis, schema

KINDS = ("new", "revised", "deleted")
FROZEN_TEXT = "fastställd"


@dataclass(frozen=True)
class TouchedReport:
    """A fastställd report frozen before the change, that showed the old value (or none)."""

    year: int
    version: int
    created_at: datetime
    frozen_value: float | None


@dataclass(frozen=True)
class TouchedText:
    """An analysis text about the changed year (or the next measurement), saved before it:
    the measure's own text, its goal's or the year's Samlad bedömning (`scope`, see
    `etl.analysis`)."""

    measure_id: str
    year: int
    state: str
    updated_at: datetime
    scope: str = ""

    @property
    def is_frozen(self) -> bool:
        return self.state == FROZEN_TEXT


@dataclass(frozen=True)
class ValueChange:
    id: int
    kind: str
    kpi_id: str
    kpi_title: str
    municipality_id: str
    year: int
    gender: str
    old_value: float | None
    new_value: float | None
    at: datetime
    import_run_id: int
    measure_id: str
    measure_name: str
    goal_number: int
    reports: tuple[TouchedReport, ...] = ()
    texts: tuple[TouchedText, ...] = ()

    @property
    def touches_frozen(self) -> bool:
        """Whether a fastställd report or a fastställd text was built on what was before."""
        return bool(self.reports) or any(t.is_frozen for t in self.texts)


def _measure_links(connection: Connection) -> list[tuple]:
    m, link = schema.Measure, schema.MeasureKpi
    return connection.execute(
        select(link.kpi_id, link.first_year, link.last_year, m.id, m.name, m.goal_number,
               m.cadence).join(m, m.id == link.measure_id).order_by(m.position)).all()


def strategy_changes(connection: Connection, municipality_id: str, *,
                     after_id: int | None = None, since: datetime | None = None,
                     up_to_id: int | None = None, text_states: Sequence[str] = (FROZEN_TEXT,),
                     limit: int | None = None) -> list[ValueChange]:
    """The changes to the municipality's values of the strategy's measures, newest first.

    `after_id`/`up_to_id` bound the change log ids, `since` its time. `text_states` are the
    analysis texts that may be named (only fastställda ones for the public).
    """
    r, kpi = schema.ValueRevision, schema.Kpi
    links = _measure_links(connection)
    if not links:
        return []
    covered = or_(*[and_(r.kpi_id == kpi_id, r.year >= first,
                         *([r.year <= last] if last is not None else []))
                    for kpi_id, first, last, *_ in links])
    statement = (select(r.id, r.kind, r.kpi_id, kpi.title, r.municipality_id, r.year, r.gender,
                        r.old_value, r.new_value, r.revised_at, r.import_run_id)
                 .join(kpi, kpi.id == r.kpi_id, isouter=True)
                 .where(r.municipality_id == municipality_id, r.gender == "T", covered)
                 .order_by(r.id.desc()))
    if after_id is not None:
        statement = statement.where(r.id > after_id)
    if up_to_id is not None:
        statement = statement.where(r.id <= up_to_id)
    if since is not None:
        statement = statement.where(r.revised_at >= since)
    if limit is not None:
        statement = statement.limit(limit)
    rows = connection.execute(statement).all()
    if not rows:
        return []
    reports = _frozen_reports(connection, municipality_id)
    texts = _texts(connection, text_states)
    found = []
    for row in rows:
        (_kpi, _first, _last, measure_id, name, goal, cadence) = next(
            link for link in links if link[0] == row.kpi_id and link[1] <= row.year
            and (link[2] is None or row.year <= link[2]))
        found.append(ValueChange(
            row.id, row.kind, row.kpi_id, row.title or row.kpi_id, row.municipality_id,
            row.year, row.gender, row.old_value, row.new_value, row.revised_at,
            row.import_run_id, measure_id, name, goal,
            _touched_reports(reports, row),
            _touched_texts(texts, measure_id, goal, cadence, row)))
    return found


def _frozen_reports(connection: Connection, municipality_id: str) -> list[dict]:
    a, v = schema.ArchivedReport, schema.ArchivedReportValue
    reports = [dict(row) for row in connection.execute(
        select(a.id, a.year, a.version, a.created_at).order_by(a.year, a.version)).mappings()]
    values: dict[int, dict[tuple[str, int], float | None]] = {}
    for report_id, kpi_id, year, value in connection.execute(
            select(v.report_id, v.kpi_id, v.year, v.value)
            .where(v.municipality_id == municipality_id)):
        values.setdefault(report_id, {})[(kpi_id, year)] = value
    for report in reports:
        report["values"] = values.get(report["id"], {})
    return reports


def _touched_reports(reports: list[dict], change) -> tuple[TouchedReport, ...]:
    """The versions frozen before the change that it makes out of date: they showed the value
    (or, for a new value of the report's own year, showed none). A year whose newer version was
    frozen after the change has been corrected already and is left out."""
    touched = []
    for report in reports:
        if report["created_at"] >= change.revised_at:
            continue
        corrected = any(other["year"] == report["year"] and other["version"] > report["version"]
                        and other["created_at"] >= change.revised_at for other in reports)
        key = (change.kpi_id, change.year)
        showed = key in report["values"]
        if corrected or not (showed or (change.kind == "new" and change.year == report["year"])):
            continue
        touched.append(TouchedReport(report["year"], report["version"], report["created_at"],
                                     report["values"].get(key)))
    return tuple(touched)


def _texts(connection: Connection, states: Sequence[str]) -> list[dict]:
    """The texts of measures, goals and years in `states`, each with its scope."""
    statements = [select(column.label("scope"), table.year, table.state, table.updated_at)
                  .where(table.state.in_(list(states)), func.length(table.body) > 0)
                  for table, column in ((schema.AnalysisText, schema.AnalysisText.measure_id),
                                        (schema.AssessmentText, schema.AssessmentText.scope))]
    return [dict(row) for row in connection.execute(union_all(*statements)).mappings()]


def _touched_texts(texts: list[dict], measure_id: str, goal: int, cadence: int, change
                   ) -> tuple[TouchedText, ...]:
    """Texts of the measure, its goal and the year about the changed year or the next
    measurement after it (which speaks of the change since), written before the change."""
    years = {change.year, change.year + max(cadence, 1)}
    scopes = {measure_id, analysis.goal_scope(goal), analysis.YEAR_SCOPE}
    return tuple(TouchedText(measure_id, t["year"], t["state"], t["updated_at"], t["scope"])
                 for t in texts if t["scope"] in scopes and t["year"] in years
                 and t["updated_at"] < change.revised_at)


def adopted_texts_out_of_date(connection: Connection, municipality_id: str
                              ) -> set[tuple[str, int]]:
    """(scope, year) of every fastställd text whose numbers have changed since it was adopted:
    marked "siffrorna har ändrats sedan texten fastställdes" where it is shown."""
    return {(text.scope, text.year)
            for change in strategy_changes(connection, municipality_id)
            for text in change.texts if text.is_frozen}


def last_change_id(connection: Connection) -> int:
    """The newest id of the change log (0 when it is empty)."""
    return connection.scalar(select(func.max(schema.ValueRevision.id))) or 0


def last_frozen_at(connection: Connection) -> datetime | None:
    """When the newest fastställd report was frozen."""
    return connection.scalar(select(func.max(schema.ArchivedReport.created_at)))
