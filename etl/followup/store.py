"""The store's read side: database → DataFrames and records for the follow-up model.

Every function takes an Engine first and reads only; none is called at import time. Caching
belongs to whoever serves the answers (the dashboard caches until the next write).
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from etl import schema, survey_history, users
from etl.errors import MissingData
from etl.followup.records import (
    LineageLink,
    MeasureInfo,
    Provenance,
    StrategyInfo,
    place_name,
)
from etl.followup.rules import quartile_of

MUNICIPALITY_TYPE = "K"


def _frame(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        columns = list(result.keys())
        # Plain tuples: pandas inspects SQLAlchemy Row objects slowly, one attribute at a time.
        rows = [tuple(row) for row in result.fetchall()]
    return pd.DataFrame.from_records(rows, columns=columns)


# --- Strategy -----------------------------------------------------------------------------------


def strategy_info(engine: Engine, municipality_override: str | None = None) -> StrategyInfo:
    with engine.connect() as connection:
        row = connection.execute(select(schema.Strategy).where(schema.Strategy.id == 1)
                                 ).mappings().first()
        if row is None:
            raise MissingData("Databasen saknar strategi.",
                              hint="Kör «malbild demo» eller «malbild strategy load».")
        home = municipality_override or row["municipality_id"]
        title = connection.scalar(select(schema.Municipality.title)
                                  .where(schema.Municipality.id == home)) or home
    if home != row["municipality_id"]:
        # Another municipality's strategy: its name, decision and date are not this one's.
        place = place_name(title)
        return StrategyInfo(
            f"Exempelstrategi för {place}", home, title, "", None,
            f"Målen, måtten och målvärdena är ett exempel, hämtat ur «{row['name']}»; "
            f"{place} har inte beslutat dem.", example_of=row["name"])
    return StrategyInfo(row["name"], home, title, row["decision"], row["adopted"],
                        row["follow_up"])


def goals(engine: Engine) -> pd.DataFrame:
    return _frame(engine, select(schema.Goal.number, schema.Goal.title, schema.Goal.description)
                  .order_by(schema.Goal.number))


def measures(engine: Engine, goal: int | None = None) -> list[MeasureInfo]:
    """Measures (of one goal, or all) with their KPI lineage, in strategy order."""
    m, link, kpi = schema.Measure, schema.MeasureKpi, schema.Kpi
    statement = select(m).order_by(m.position)
    if goal is not None:
        statement = statement.where(m.goal_number == goal)
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
        links = connection.execute(
            select(link.measure_id, link.kpi_id, link.first_year, link.last_year, link.method,
                   kpi.title, kpi.retired, kpi.unit)
            .join(kpi, kpi.id == link.kpi_id).order_by(link.measure_id, link.first_year)
        ).all()
    by_measure: dict[str, list[LineageLink]] = {}
    for r in links:
        by_measure.setdefault(r.measure_id, []).append(
            LineageLink(r.kpi_id, r.first_year, r.last_year, r.method, r.title, r.retired,
                        r.unit or ""))
    return [
        MeasureInfo(r["id"], r["goal_number"], r["name"], r["question"], r["purpose"],
                    r["source"], r["unit"], r["scale_min"], r["scale_max"], r["direction"],
                    r["decimals"], r["benchmark_kpi_id"], tuple(by_measure.get(r["id"], [])),
                    r["cadence"] or 1)
        for r in rows
    ]


def measure(engine: Engine, measure_id: str) -> MeasureInfo:
    for info in measures(engine):
        if info.id == measure_id:
            return info
    raise KeyError(measure_id)


class TargetRow(NamedTuple):
    year: int
    target: float
    target_decision: str | None
    target_is_example: bool


def current_targets(engine: Engine, measure_ids: list[str]
                    ) -> dict[str, dict[int, TargetRow]]:
    """The current target per measure and year (the newest decision row), oldest year first."""
    t = schema.Target
    newest = (select(func.max(t.id)).where(t.measure_id.in_(measure_ids))
              .group_by(t.measure_id, t.year))
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.measure_id, t.year, t.value, t.decision, t.is_example)
            .where(t.id.in_(newest), t.value.is_not(None)).order_by(t.measure_id, t.year)).all()
    found: dict[str, dict[int, TargetRow]] = {m: {} for m in measure_ids}
    for measure_id, year, value, decision, example in rows:
        found[measure_id][int(year)] = TargetRow(int(year), float(value), decision, bool(example))
    return found


def targets(engine: Engine, measure_id: str) -> pd.DataFrame:
    """`current_targets` as a table: year, target, target_decision, target_is_example."""
    frame = pd.DataFrame(list(current_targets(engine, [measure_id])[measure_id].values()),
                         columns=list(TargetRow._fields))
    return frame.astype({"year": "int64", "target": "float64"})


# --- Kolada values ------------------------------------------------------------------------------


def municipal_values(engine: Engine, kpi_ids: list[str], gender: str = "T",
                     municipality: str | None = None) -> pd.DataFrame:
    """Every kommun's values of the KPIs (type K only: never Riket or the regions), or one
    kommun's."""
    v, mun = schema.KpiValue, schema.Municipality
    statement = (select(v.kpi_id, v.municipality_id, v.year, v.value, v.is_example,
                        v.import_run_id)
                 .join(mun, mun.id == v.municipality_id)
                 .where(v.kpi_id.in_(kpi_ids), v.gender == gender,
                        mun.type == MUNICIPALITY_TYPE))
    if municipality is not None:
        statement = statement.where(v.municipality_id == municipality)
    frame = _frame(engine, statement)
    return frame.astype({"year": "int64", "value": "float64"})


@lru_cache
def _bundled_source(kolada_dir: Path) -> tuple[str, frozenset[str]]:
    path = kolada_dir / "source.toml"
    if not path.exists():
        return "", frozenset()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return raw["caption"], frozenset(raw.get("files", []))


def values_by_kpi_year(engine: Engine, kpi_ids: list[str]
                       ) -> dict[tuple[str, int], dict[str, float]]:
    """Every kommun's values (total, type K) of the KPIs: (kpi_id, year) → kommun → value.
    Plain tuples, no DataFrame: the ranks and pairs of a measure look values up one by one."""
    v, mun = schema.KpiValue, schema.Municipality
    found: dict[tuple[str, int], dict[str, float]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(v.kpi_id, v.year, v.municipality_id, v.value)
            .join(mun, mun.id == v.municipality_id)
            .where(v.kpi_id.in_(kpi_ids), v.gender == "T", mun.type == MUNICIPALITY_TYPE,
                   v.value.is_not(None))).all()
    for kpi_id, year, municipality, value in rows:
        found.setdefault((kpi_id, int(year)), {})[municipality] = float(value)
    return found


def paired_means(engine: Engine, pairs: list[tuple[str, int, int]]
                 ) -> dict[tuple[str, int, int], tuple[int, float, float]]:
    """The mean over the municipalities (type K, total) that measured a KPI in both years of a
    pair, computed by the database: (kpi_id, year, earlier year) → n, this year's mean and the
    earlier year's, so that a change in the mean is not just a change in who took part. A
    pair that no municipality measured in both years is left out."""
    rounds: list[dict[tuple[str, int], int]] = []  # one earlier year per KPI and year each
    for kpi_id, year, earlier in sorted(set(pairs)):
        free = next((r for r in rounds if (kpi_id, year) not in r), None)
        if free is None:
            rounds.append(free := {})
        free[(kpi_id, year)] = earlier
    found = {}
    with engine.connect() as connection:
        for earlier_of in rounds:
            for kpi_id, year, earlier, n, mean, earlier_mean in connection.execute(
                    _paired_statement(earlier_of)):
                found[(kpi_id, int(year), int(earlier))] = (int(n), float(mean),
                                                            float(earlier_mean))
    return found


def _paired_statement(earlier_of: dict[tuple[str, int], int]):
    v, p = schema.KpiValue.__table__.alias("v"), schema.KpiValue.__table__.alias("p")
    m = schema.Municipality.__table__
    # Each value row finds its municipality's value of the earlier year by the primary key.
    earlier_year = case(*((and_(v.c.kpi_id == kpi_id, v.c.year == year), earlier)
                          for (kpi_id, year), earlier in earlier_of.items()))
    return (
        select(v.c.kpi_id, v.c.year, p.c.year, func.count(), func.avg(v.c.value),
               func.avg(p.c.value))
        .select_from(v.join(m, and_(m.c.id == v.c.municipality_id,
                                    m.c.type == MUNICIPALITY_TYPE))
                     .join(p, and_(p.c.kpi_id == v.c.kpi_id, p.c.gender == v.c.gender,
                                   p.c.municipality_id == v.c.municipality_id,
                                   p.c.year == earlier_year)))
        .where(v.c.kpi_id.in_({kpi_id for kpi_id, _ in earlier_of}),
               v.c.year.in_({year for _, year in earlier_of}), v.c.gender == "T",
               v.c.value.is_not(None), p.c.value.is_not(None))
        .group_by(v.c.kpi_id, v.c.year, p.c.year))


def real_years_per_kpi(engine: Engine, home: str, kpi_ids: list[str]) -> dict[str, int]:
    """How many years of real (not example) values the municipality has, per KPI (total)."""
    v = schema.KpiValue
    with engine.connect() as connection:
        # Gender is counted, not filtered on: the only index that fits is then the primary
        # key's (KPI, municipality), a few rows per KPI, not every kommun's total values.
        rows = connection.execute(
            select(v.kpi_id, func.count(func.distinct(case((v.gender == "T", v.year)))))
            .where(v.kpi_id.in_(kpi_ids), v.municipality_id == home,
                   v.value.is_not(None), v.is_example.is_(False)).group_by(v.kpi_id)).all()
    return {kpi_id: int(count) for kpi_id, count in rows}


def home_values(engine: Engine, kpi_ids: list[str], home: str) -> dict[tuple[str, int], float]:
    """The municipality's own values (total) of the KPIs: (kpi_id, year) → value."""
    v = schema.KpiValue
    with engine.connect() as connection:
        rows = connection.execute(select(v.kpi_id, v.year, v.value).where(
            v.kpi_id.in_(kpi_ids), v.municipality_id == home, v.gender == "T",
            v.value.is_not(None))).all()
    return {(r.kpi_id, int(r.year)): float(r.value) for r in rows}


def value_provenance(engine: Engine, kpi_ids: list[str], kolada_dir: Path
                     ) -> tuple[Provenance, ...]:
    """Where the KPIs' real (not example) values come from, oldest import first, no repeats."""
    return provenance_of(engine, {"": kpi_ids}, kolada_dir)[""]


def provenance_of(engine: Engine, kpi_sets: dict[str, list[str]], kolada_dir: Path
                  ) -> dict[str, tuple[Provenance, ...]]:
    """`value_provenance` of several sets of KPIs (e.g. per measure), read together."""
    v, run = schema.KpiValue, schema.ImportRun
    every = sorted({kpi for kpis in kpi_sets.values() for kpi in kpis})
    used = select(v.kpi_id, v.import_run_id).where(v.kpi_id.in_(every)).distinct().subquery()
    with engine.connect() as connection:
        runs = connection.execute(
            select(used.c.kpi_id, run.id, run.kind, run.location, run.started_at)
            .join(run, run.id == used.c.import_run_id).where(run.is_example.is_(False))
            .order_by(run.id)).all() if every else []
    caption, bundled_files = _bundled_source(kolada_dir)
    found = {}
    for name, kpis in kpi_sets.items():
        wanted, described = set(kpis), []
        for kpi_id, _run_id, kind, location, started_at in runs:
            if kpi_id not in wanted:
                continue
            if Path(location).name in bundled_files:
                described.append(Provenance("bundled", None, caption))
            else:
                described.append(Provenance("kolada-api" if kind == "kolada-api" else "file",
                                            pd.Timestamp(started_at).date()))
        found[name] = tuple(dict.fromkeys(described))
    return found


def has_example_values(engine: Engine, kpi_ids: list[str]) -> bool:
    v = schema.KpiValue
    with engine.connect() as connection:
        return connection.scalar(select(v.kpi_id).where(
            v.kpi_id.in_(kpi_ids), v.is_example.is_(True)).limit(1)) is not None


class KpiYearStat(NamedTuple):
    kpi_id: str
    year: int
    value: float | None  # the home municipality's
    is_example: bool
    comparison_mean: float
    comparison_n: int
    peer_rank: int | None  # None where the home municipality has no value
    quartile: int | None


KPI_YEAR_COLUMNS = list(KpiYearStat._fields)


def kpi_year_stat_rows(engine: Engine, kpi_ids: list[str], home: str, direction: str,
                       gender: str = "T") -> dict[tuple[str, int], KpiYearStat]:
    """Per KPI and year, computed by the database: the comparison mean and n over the
    municipalities that reported (type K), the home value, its rank and quartile.

    A test holds it equal to the same rule computed in pandas from every value; the database
    aggregates, so only one row per year travels, whatever the number of municipalities.
    """
    v, h, m = schema.KpiValue.__table__.alias("v"), schema.KpiValue.__table__.alias("h"), \
        schema.Municipality.__table__
    better = v.c.value < h.c.value if direction == "lower" else v.c.value > h.c.value
    statement = (
        select(v.c.kpi_id, v.c.year,
               func.avg(v.c.value).label("comparison_mean"),
               func.count(v.c.value).label("comparison_n"),
               func.max(h.c.value).label("value"),
               func.max(case((h.c.is_example, 1), else_=0)).label("is_example"),
               (func.sum(case((better, 1), else_=0)) + 1).label("peer_rank"))
        .select_from(v.join(m, and_(m.c.id == v.c.municipality_id,
                                    m.c.type == MUNICIPALITY_TYPE))
                     .outerjoin(h, and_(h.c.kpi_id == v.c.kpi_id, h.c.year == v.c.year,
                                        h.c.gender == v.c.gender, h.c.municipality_id == home)))
        .where(v.c.kpi_id.in_(kpi_ids), v.c.gender == gender, v.c.value.is_not(None))
        .group_by(v.c.kpi_id, v.c.year).order_by(v.c.kpi_id, v.c.year))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    found = {}
    for kpi_id, year, mean, n, value, is_example, rank in rows:
        measured = value is not None
        found[(kpi_id, int(year))] = KpiYearStat(
            kpi_id, int(year), float(value) if measured else None, bool(is_example),
            float(mean), int(n), int(rank) if measured else None,
            quartile_of(int(rank), int(n)) if measured else None)
    return found


def last_revisions(engine: Engine, kpi_ids: list[str], municipality_id: str
                   ) -> dict[tuple[str, int], datetime]:
    """When each of the home municipality's values (total) was last revised: (kpi, year) →."""
    r = schema.ValueRevision
    with engine.connect() as connection:
        rows = connection.execute(
            select(r.kpi_id, r.year, func.max(r.revised_at))
            .where(r.kpi_id.in_(kpi_ids), r.municipality_id == municipality_id,
                   r.gender == "T", r.kind != "new").group_by(r.kpi_id, r.year)).all()
    return {(kpi_id, int(year)): pd.Timestamp(when).to_pydatetime()
            for kpi_id, year, when in rows if when is not None}


def kpi_year_stats(engine: Engine, kpi_ids: list[str], home: str, direction: str,
                   gender: str = "T") -> pd.DataFrame:
    """`kpi_year_stat_rows` as a table (missing numbers as NaN/NA), by KPI and year."""
    stats = pd.DataFrame(list(kpi_year_stat_rows(engine, kpi_ids, home, direction, gender)
                              .values()), columns=KPI_YEAR_COLUMNS)
    stats = stats.astype({"year": "int64", "comparison_mean": "float64", "value": "float64",
                          "is_example": bool})
    for column in ("comparison_n", "peer_rank", "quartile"):
        stats[column] = stats[column].astype("Int64")
    return stats


def kpi_info(engine: Engine, kpi_id: str) -> dict:
    with engine.connect() as connection:
        row = connection.execute(select(schema.Kpi).where(schema.Kpi.id == kpi_id)
                                 ).mappings().first()
    if row is None:
        raise KeyError(kpi_id)
    return dict(row)


# --- Staff survey -------------------------------------------------------------------------------


SURVEY_COLUMNS = ["year", "level", "forvaltning", "enhet", "respondents", "employees", "mean",
                  "share_positive", "answers_1", "answers_2", "answers_3", "answers_4",
                  "answers_5", "is_example", "import_run_id"]


def survey_results(engine: Engine, measure_id: str, threshold: int, *, level: str | None = None,
                   year: int | None = None, forvaltning: str | None = None) -> pd.DataFrame:
    """Stored survey aggregates that may be shown under `threshold`.

    Small groups were left out when the file was imported; the same rules run again here, over
    every version of the year shown so far, so a threshold raised since then hides what it must
    (including complementary suppression).
    """
    s = schema.SurveyResult
    conditions = [s.measure_id == measure_id]
    if year:
        conditions.append(s.year == year)
    with engine.connect() as connection:  # every level: suppression looks at them all
        stored = [tuple(row) for row in connection.execute(
            select(*[s.__table__.c[c] for c in SURVEY_COLUMNS]).where(and_(*conditions))
            .order_by(s.year, s.level, s.forvaltning, s.enhet))]
        # every version of a year shown so far counts too
        history = survey_history.versions(connection, measure_id, {r[0] for r in stored})
    by_year: dict[int, list[dict]] = {}
    for row in stored:
        by_year.setdefault(row[0], []).append(dict(zip(SURVEY_COLUMNS, row, strict=True)))
    keys = {(year, *key) for year, rows in by_year.items()
            for key in survey_history.showable_keys(rows, threshold, history.get(year, []))}
    frame = pd.DataFrame.from_records(stored, columns=SURVEY_COLUMNS)
    shown = [(year, unit_level, unit_forvaltning, enhet) in keys
             and (not level or unit_level == level)
             and (forvaltning is None or unit_forvaltning == forvaltning)
             for year, unit_level, unit_forvaltning, enhet, *_ in stored]
    frame = frame.loc[shown].reset_index(drop=True)
    frame["response_rate"] = [
        100.0 * n / e if not pd.isna(e) and e else float("nan")
        for n, e in zip(frame["respondents"], frame["employees"], strict=True)]
    return frame


def survey_years(engine: Engine, measure_id: str) -> list[int]:
    s = schema.SurveyResult
    with engine.connect() as connection:
        return list(connection.scalars(select(s.year).where(s.measure_id == measure_id)
                                       .distinct().order_by(s.year)))


# --- Freshness ----------------------------------------------------------------------------------


def last_import(engine: Engine) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(select(schema.ImportRun).order_by(schema.ImportRun.id.desc())
                                 .limit(1)).mappings().first()
    return dict(row) if row else None


# --- Exploring any KPI --------------------------------------------------------------------------


def kpi_catalogue(engine: Engine) -> pd.DataFrame:
    """KPIs that have values, with area, direction, unit and whether divided by gender."""
    k, v = schema.Kpi, schema.KpiValue
    # EXISTS probes the index once per KPI instead of reading every value (millions at scale).
    has_values = select(v.kpi_id).where(v.kpi_id == k.id).exists()
    return _frame(engine, select(k.id, k.title, k.operating_area, k.direction, k.unit,
                                 k.is_divided_by_gender, k.description, k.retired)
                  .where(has_values).order_by(k.operating_area, k.id))


def kommuner(engine: Engine) -> pd.DataFrame:
    """The municipalities (type K): id and name."""
    m = schema.Municipality
    return _frame(engine, select(m.id, m.title).where(m.type == MUNICIPALITY_TYPE)
                  .order_by(m.title))


def municipality_groups(engine: Engine) -> pd.DataFrame:
    """Kolada's and the user's municipality groups with their number of members."""
    g, member = schema.MunicipalityGroup, schema.MunicipalityGroupMember
    return _frame(engine, select(g.id, g.title, func.count(member.municipality_id).label("size"))
                  .join(member, member.group_id == g.id).group_by(g.id, g.title)
                  .order_by(g.title))


def group_members(engine: Engine, group_id: str) -> list[str]:
    member = schema.MunicipalityGroupMember
    with engine.connect() as connection:
        return list(connection.scalars(select(member.municipality_id)
                                       .where(member.group_id == group_id)
                                       .order_by(member.municipality_id)))


# --- The yearly report --------------------------------------------------------------------------


def analysis_texts(engine: Engine, year: int) -> dict[str, dict]:
    """The analysis written for each measure for `year`: measure id → body, state, updated."""
    a = schema.AnalysisText
    with engine.connect() as connection:
        rows = connection.execute(select(a.measure_id, a.body, a.state, a.updated_at,
                                         users.shown_name(a.updated_by).label("updated_by"))
                                  .where(a.year == year)).mappings().all()
    return {row["measure_id"]: dict(row) for row in rows if (row["body"] or "").strip()}


def measure_analyses(engine: Engine, measure_id: str) -> list[dict]:
    """Every analysis written for a measure, newest year first: year, body, state, updated."""
    a = schema.AnalysisText
    with engine.connect() as connection:
        rows = connection.execute(select(a.year, a.body, a.state, a.updated_at,
                                         users.shown_name(a.updated_by).label("updated_by"))
                                  .where(a.measure_id == measure_id).order_by(a.year.desc())
                                  ).mappings().all()
    return [dict(row) for row in rows if (row["body"] or "").strip()]


def revisions_since(engine: Engine, kpi_ids: list[str], municipality_id: str, since,
                    last_year: int) -> pd.DataFrame:
    """The home municipality's values (total, years up to `last_year`) revised at or after
    `since`: kpi_id, year, old_value, new_value, revised_at."""
    r = schema.ValueRevision
    frame = _frame(engine, select(r.kpi_id, r.year, r.old_value, r.new_value, r.revised_at)
                   .where(r.kpi_id.in_(kpi_ids), r.municipality_id == municipality_id,
                          r.gender == "T", r.year <= last_year, r.revised_at >= since,
                          r.kind != "new")
                   .order_by(r.kpi_id, r.year, r.revised_at))
    return frame
