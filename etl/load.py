"""Writers: `save_*(connection, …)` put validated data into the database.

Every writer runs inside the caller's transaction, so an import either lands whole or not at
all. Values are compared with what is stored first (`diff_values`), then only the difference is
written (`apply_value_diff`), so a second identical import changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from etl import schema
from etl.db import bump_data_version
from etl.strategy import Strategy

VALUE_TOLERANCE = 1e-9
ANALYZE_AFTER = 50_000  # changed rows after which PostgreSQL's statistics are refreshed
BATCH = 20_000


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.added + other.added, self.updated + other.updated,
                      self.unchanged + other.unchanged, self.removed + other.removed)


# --- Import runs --------------------------------------------------------------------------------


def start_run(connection: Connection, kind: str, location: str, *, file_sha256: str | None = None,
              scope: dict | None = None, is_example: bool = False,
              requested_by: str | None = None) -> int:
    result = connection.execute(
        insert(schema.ImportRun).values(
            kind=kind, location=location, file_sha256=file_sha256,
            scope=json.dumps(scope or {}, ensure_ascii=False, sort_keys=True),
            started_at=schema.utcnow(), is_example=is_example, requested_by=requested_by,
        )
    )
    return int(result.inserted_primary_key[0])


def finish_run(connection: Connection, run_id: int, counts: Counts) -> None:
    connection.execute(
        update(schema.ImportRun).where(schema.ImportRun.id == run_id).values(
            finished_at=schema.utcnow(), added=counts.added, updated=counts.updated,
            unchanged=counts.unchanged, removed=counts.removed,
        )
    )
    bump_data_version(connection)


# --- Catalogue ----------------------------------------------------------------------------------


def upsert(connection: Connection, table: Table, rows: Sequence[dict], keys: Sequence[str]) -> int:
    """Insert new rows and update changed ones (small tables). Returns how many rows changed."""
    if not rows:
        return 0
    columns = list(rows[0])
    existing = {
        tuple(r[k] for k in keys): dict(r)
        for r in connection.execute(select(*[table.c[c] for c in columns])).mappings()
    }
    new, changed = [], []
    for row in rows:
        key = tuple(row[k] for k in keys)
        old = existing.get(key)
        if old is None:
            new.append(row)
        elif any(old[c] != row[c] for c in columns):
            changed.append(row)
    if new:
        connection.execute(insert(table), new)
    if changed:
        condition = and_(*[table.c[k] == bindparam(f"key_{k}") for k in keys])
        values = {c: bindparam(f"val_{c}") for c in columns if c not in keys}
        connection.execute(
            update(table).where(condition).values(**values),
            [{**{f"key_{k}": r[k] for k in keys}, **{f"val_{c}": r[c] for c in values}}
             for r in changed],
        )
    return len(new) + len(changed)


def replace_members(connection: Connection, table: Table, group_column: str, member_column: str,
                    groups: Iterable[dict]) -> int:
    """Make each group's member rows equal to `members`; other groups are left alone."""
    changes = 0
    for group in groups:
        wanted = set(group["members"])
        stored = set(connection.scalars(
            select(table.c[member_column]).where(table.c[group_column] == group["id"])
        ))
        if wanted - stored:
            connection.execute(insert(table), [
                {group_column: group["id"], member_column: m} for m in sorted(wanted - stored)
            ])
        if stored - wanted:
            connection.execute(delete(table).where(
                table.c[group_column] == group["id"],
                table.c[member_column].in_(stored - wanted),
            ))
        changes += len(wanted ^ stored)
    return changes


def save_catalogue(connection: Connection, *, municipalities: Iterable[dict] = (),
                   municipality_groups: Iterable[dict] = (), kpis: Iterable[dict] = (),
                   kpi_groups: Iterable[dict] = ()) -> int:
    """Store Kolada's lists of municipalities, groups and KPIs. Returns how many rows changed."""
    municipality_groups, kpi_groups = list(municipality_groups), list(kpi_groups)
    known_municipalities = None
    changes = upsert(connection, schema.Municipality.__table__, list(municipalities), ["id"])
    changes += upsert(connection, schema.MunicipalityGroup.__table__,
                      [{"id": g["id"], "title": g["title"], "origin": "kolada"}
                       for g in municipality_groups], ["id"])
    if municipality_groups:
        known_municipalities = set(connection.scalars(select(schema.Municipality.id)))
        for group in municipality_groups:
            # Kolada's groups may name municipalities that no longer exist; they cannot count.
            group["members"] = [m for m in group["members"] if m in known_municipalities]
    changes += replace_members(connection, schema.MunicipalityGroupMember.__table__,
                               "group_id", "municipality_id", municipality_groups)
    changes += upsert(connection, schema.Kpi.__table__, list(kpis), ["id"])
    changes += upsert(connection, schema.KpiGroup.__table__,
                      [{"id": g["id"], "title": g["title"]} for g in kpi_groups], ["id"])
    changes += replace_members(connection, schema.KpiGroupMember.__table__,
                               "group_id", "kpi_id", kpi_groups)
    if changes:
        bump_data_version(connection)
    return changes


def known_ids(connection: Connection, table: type[schema.Base]) -> set[str]:
    return set(connection.scalars(select(table.id)))


def known_titles(connection: Connection, table: type[schema.Base]) -> dict[str, str]:
    """Id → title of the KPIs or municipalities (to read names people write in exports)."""
    return {row[0]: row[1] for row in connection.execute(select(table.id, table.title))}


# --- The strategy -------------------------------------------------------------------------------


def save_strategy(connection: Connection, strategy: Strategy, *, recorded_by: str = "strategi"
                  ) -> int:
    """Store goals, measures and lineage; add a target row only where the file changes one."""
    header = strategy.strategy
    changes = upsert(connection, schema.Strategy.__table__, [{
        "id": 1, "name": header.name, "municipality_id": header.municipality,
        "adopted": header.adopted, "decision": header.decision, "follow_up": header.follow_up,
        "source_file": strategy.source_file,
    }], ["id"])
    changes += upsert(connection, schema.Goal.__table__, [
        {"number": g.number, "title": g.title, "description": g.description}
        for g in strategy.goals
    ], ["number"])
    changes += upsert(connection, schema.Measure.__table__, [
        {
            "id": m.id, "goal_number": m.goal, "position": position, "name": m.name,
            "question": m.question, "purpose": m.purpose, "source": m.source, "unit": m.unit,
            "scale_min": m.scale[0], "scale_max": m.scale[1], "direction": m.direction,
            "decimals": m.decimals, "benchmark_kpi_id": m.benchmark_kpi,
            "survey_question_pattern": m.survey_question_pattern, "cadence": m.cadence,
        }
        for position, m in enumerate(strategy.measures)
    ], ["id"])
    lineage = schema.MeasureKpi.__table__
    for measure in strategy.measures:
        wanted = [
            {"measure_id": measure.id, "first_year": link.first_year,
             "last_year": link.last_year, "kpi_id": link.kpi, "method": link.method}
            for link in measure.lineage
        ]
        stored = [dict(r) for r in connection.execute(
            select(lineage).where(lineage.c.measure_id == measure.id)
            .order_by(lineage.c.first_year)
        ).mappings()]
        if stored != sorted(wanted, key=lambda r: r["first_year"]):
            connection.execute(delete(lineage).where(lineage.c.measure_id == measure.id))
            if wanted:
                connection.execute(insert(lineage), wanted)
            changes += 1
        # The file seeds targets: a target changed in the browser since stays, until the
        # file itself changes that year's target (then the newer decision holds).
        changes += save_targets(connection, measure.id, [
            {"year": t.year, "value": t.value, **t.reference.columns(),
             "is_example": t.is_example}
            for t in strategy.targets(measure)
        ], recorded_by=recorded_by, same_source=True)
    if changes:
        bump_data_version(connection)
    return changes


def current_targets(connection: Connection, measure_id: str, *,
                    recorded_by: str | None = None) -> dict[int, dict]:
    """The newest target row per year for a measure (of one recorder, if given)."""
    target = schema.Target
    newest = select(func.max(target.id)).where(target.measure_id == measure_id)
    if recorded_by is not None:
        newest = newest.where(target.recorded_by == recorded_by)
    rows = connection.execute(
        select(target).where(target.id.in_(newest.group_by(target.year)))).mappings()
    return {row["year"]: dict(row) for row in rows}


def save_targets(connection: Connection, measure_id: str, targets: Iterable[dict], *,
                 recorded_by: str, same_source: bool = False) -> int:
    """Append a target row for each year whose value or decision differs from the current one.

    With `same_source`, a year is compared with the newest row from the same recorder instead.
    """
    current = current_targets(connection, measure_id,
                              recorded_by=recorded_by if same_source else None)
    new_rows = []
    for target in targets:
        old = current.get(target["year"])
        if old and all(old[key] == value for key, value in target.items()):
            continue
        new_rows.append({"measure_id": measure_id, "recorded_by": recorded_by,
                         "recorded_at": schema.utcnow(), **target})
    if new_rows:
        connection.execute(insert(schema.Target), new_rows)
    return len(new_rows)


# --- Values -------------------------------------------------------------------------------------


@dataclass
class ValueDiff:
    """What an import would do to one value table, before it does it."""

    table: Table
    keys: list[str]
    added: pd.DataFrame
    updated: pd.DataFrame
    removed: pd.DataFrame
    unchanged: int
    extra: dict = field(default_factory=dict)
    # The KPIs that had values stored before: only their new values are news for the change
    # log (the first import of a KPI sets the database up; logging it would double its cost).
    kpis_stored_before: frozenset[str] = frozenset()

    @property
    def counts(self) -> Counts:
        return Counts(len(self.added), len(self.updated), self.unchanged, len(self.removed))


def _stored(connection: Connection, table: Table, keys: list[str], kpi_ids: list[str]
            ) -> pd.DataFrame:
    columns = [*keys, "value"]
    frames = []
    for start in range(0, len(kpi_ids), 500):
        chunk = kpi_ids[start : start + 500]
        result = connection.execute(
            select(*[table.c[c] for c in columns]).where(table.c.kpi_id.in_(chunk))
        )
        # Plain tuples: pandas inspects SQLAlchemy rows one attribute at a time (slow).
        frames.append(pd.DataFrame([tuple(row) for row in result], columns=columns))
    stored = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return stored.astype({"year": "int64", "value": "float64"})


def stored_keys(connection: Connection, *, entity: str, kpi_ids: Collection[str],
                years: Collection[int], ids: Collection[str] | None = None) -> pd.DataFrame:
    """Keys of the stored real values of these KPIs and years (and ids, if given).

    A complete answer from a source minus these keys is what the source no longer has.
    Example values are never among them: no source but the demo owns them.
    """
    table = (schema.KpiValue if entity == "municipality_id" else schema.GroupValue).__table__
    keys = ["kpi_id", entity, "year", "gender"]
    frames = []
    for start in range(0, len(kpi_ids), 500):
        statement = select(*[table.c[k] for k in keys]).where(
            table.c.kpi_id.in_(sorted(kpi_ids)[start : start + 500]),
            table.c.year.in_(sorted(years)),
        )
        if ids is not None:
            statement = statement.where(table.c[entity].in_(sorted(ids)))
        if entity == "municipality_id":
            statement = statement.where(table.c.is_example.is_(False))
        frames.append(pd.DataFrame([tuple(row) for row in connection.execute(statement)],
                                   columns=keys))
    if not frames:
        return pd.DataFrame(columns=keys).astype({"year": "int64"})
    return pd.concat(frames, ignore_index=True).astype({"year": "int64"})


def diff_values(connection: Connection, frame: pd.DataFrame, *, entity: str = "municipality_id",
                deletions: pd.DataFrame | None = None) -> ValueDiff:
    """Compare `frame` (kpi_id, <entity>, year, gender, value, count) with what is stored.

    `entity` is `municipality_id` for kpi_value or `group_id` for group_value. `deletions` holds
    keys that the source says are removed (Kolada's `isdeleted`).
    """
    table = (schema.KpiValue if entity == "municipality_id" else schema.GroupValue).__table__
    keys = ["kpi_id", entity, "year", "gender"]
    frame = frame.astype({"year": "int64", "value": "float64"})
    kpi_ids = sorted(set(frame["kpi_id"]) | set([] if deletions is None else deletions["kpi_id"]))
    stored = _stored(connection, table, keys, kpi_ids)
    merged = frame.merge(stored, on=keys, how="left", suffixes=("", "_old"), indicator=True)
    is_new = merged["_merge"] == "left_only"
    old = merged["value_old"].to_numpy()
    new = merged["value"].to_numpy()
    differs = ~is_new & ~np.isclose(new, old, rtol=0, atol=VALUE_TOLERANCE)
    removed = pd.DataFrame(columns=[*keys, "value"])
    if deletions is not None and not deletions.empty:
        deletions = deletions.astype({"year": "int64"})[keys].drop_duplicates()
        removed = stored.merge(deletions, on=keys, how="inner")
    return ValueDiff(
        table=table,
        keys=keys,
        added=merged.loc[is_new, frame.columns.tolist()],
        updated=merged.loc[differs, [*frame.columns.tolist(), "value_old"]],
        removed=removed,
        unchanged=int((~is_new & ~differs).sum()),
        kpis_stored_before=frozenset(stored["kpi_id"].unique()),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts of plain Python values, None for missing (what drivers expect).

    Column by column with `tolist()`: much faster than `to_dict("records")` for 200 000 rows.
    """
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        if frame[name].isna().any():
            values = [None if v is None or v is pd.NA or v != v else v for v in values]
        columns.append(values)
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def bulk_insert(connection: Connection, table: Table, rows: pd.DataFrame) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL (psycopg), where
    executemany costs a round trip per row; batched executemany elsewhere."""
    if rows.empty:
        return
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        quote = connection.dialect.identifier_preparer
        names = ", ".join(quote.quote(str(column)) for column in rows.columns)
        driver = connection.connection.driver_connection
        statement = (f"COPY {quote.format_table(table)} ({names}) "
                     "FROM STDIN (FORMAT csv, NULL '\\N')")
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(rows), BATCH * 10):
                chunk = rows.iloc[start : start + BATCH * 10]
                copy.write(chunk.to_csv(header=False, index=False, na_rep="\\N",
                                        lineterminator="\n"))
        return
    records = _records(rows)
    for start in range(0, len(records), BATCH):
        connection.execute(insert(table), records[start : start + BATCH])


CHANGE_COLUMNS = ["kpi_id", "municipality_id", "year", "gender", "old_value", "new_value",
                  "kind"]


def change_log(diff: ValueDiff, run_id: int) -> pd.DataFrame:
    """The change log rows of a municipal ValueDiff: each value added (to a KPI that had values
    before), revised or removed."""
    added = diff.added.loc[diff.added["kpi_id"].isin(diff.kpis_stored_before)]
    parts = [
        added.assign(old_value=None, new_value=added["value"], kind="new"),
        diff.updated.assign(old_value=diff.updated["value_old"],
                            new_value=diff.updated["value"], kind="revised"),
        diff.removed.assign(old_value=diff.removed["value"], new_value=None, kind="deleted"),
    ]
    rows = pd.concat([p[CHANGE_COLUMNS] for p in parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in parts) else pd.DataFrame(columns=CHANGE_COLUMNS)
    return rows.astype({"old_value": "float64", "new_value": "float64"}).assign(
        revised_at=schema.utcnow(), import_run_id=run_id)


def apply_value_diff(connection: Connection, diff: ValueDiff, run_id: int, *,
                     is_example: bool = False) -> Counts:
    """Write a ValueDiff: insert, update and remove, each change kept in the change log."""
    table, keys = diff.table, diff.keys
    is_municipal = "municipality_id" in keys
    if not diff.added.empty:
        rows = diff.added.assign(import_run_id=run_id)
        if is_municipal:
            rows = rows.assign(is_example=is_example)
        bulk_insert(connection, table, rows)
    key_match = and_(*[table.c[k] == bindparam(f"k_{k}") for k in keys])
    if not diff.updated.empty:
        values = {"value": bindparam("v_value"), "count": bindparam("v_count"),
                  "import_run_id": run_id}
        if is_municipal:
            values["is_example"] = is_example
        params = [
            {**{f"k_{k}": r[k] for k in keys}, "v_value": r["value"], "v_count": r["count"]}
            for r in _records(diff.updated)
        ]
        connection.execute(update(table).where(key_match).values(**values), params)
    if not diff.removed.empty:
        connection.execute(
            delete(table).where(key_match),
            [{f"k_{k}": r[k] for k in keys} for r in _records(diff.removed)],
        )
    if is_municipal:
        bulk_insert(connection, schema.ValueRevision.__table__, change_log(diff, run_id))
    if connection.dialect.name == "postgresql" and diff.counts.changed and (
            len(diff.added) + len(diff.updated) + len(diff.removed) > ANALYZE_AFTER):
        # Fresh statistics, or the planner may scan millions of rows for one KPI's years.
        quoted = connection.dialect.identifier_preparer.format_table(table)
        connection.execute(text(f"ANALYZE {quoted}"))
    return diff.counts
