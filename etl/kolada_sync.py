"""Keeping the database current from the Kolada API: plan, fetch and check all, then write once.

A sync first fetches and checks everything it will store (metadata, every municipality's values,
the groups' values) and only then writes, in one transaction: a sync that fails halfway leaves the
database exactly as it was and no import run behind.

The first sync of a scope (KPIs, years, groups) is complete and mirrors Kolada: stored values of
that scope that Kolada no longer has are removed. Later syncs ask only for what changed since
the start of the last successful sync of the same scope (`from_date`), apply Kolada's deletions
(`isdeleted` / `is_deleted`) and update revised values; every change is kept as a revision.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from etl import clock, load, numbers, schema
from etl.errors import InputError, Location, MalbildError
from etl.extract import kolada, kolada_files
from etl.extract.kolada_records import KPI_ID
from etl.followup import samples
from etl.settings import Settings
from etl.strategy import load_strategy
from etl.transform import kpi_rules, retired_kpis

KIND = "kolada-api"
KKIK_GROUP = "GKPI118"
FIRST_YEAR = 1980
VALUE_COLUMNS = ["kpi_id", "municipality_id", "year", "gender", "value", "count"]
UNCHANGED_NOTE = "Ingenting har sparats; databasen är oförändrad."

SyncProgress = Callable[[str, int, "int | None"], None]


def _no_progress(_stage: str, _done: int, _total: int | None) -> None:
    return None


# --- What to fetch --------------------------------------------------------------------------------


def parse_years(text: str) -> list[int]:
    """"2012-2025", "2021" or "2019,2021" → the years; anything else is an InputError."""
    years: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip()):
        match = re.fullmatch(r"([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?", part)
        if not match:
            raise InputError(f"«{text}» är inga år.", Location("--years"),
                             hint="Skriv t.ex. --years 2012-2025, --years 2022 eller "
                             "--years 2020,2022.")
        first, last = int(match[1]), int(match[2] or match[1])
        if not (1900 <= first <= last <= 2100):
            raise InputError(f"«{part}» är inget år eller intervall av år.", Location("--years"),
                             hint="Skriv det tidigaste året först, t.ex. 2012-2025.")
        years.update(range(first, last + 1))
    return sorted(years)


def parse_since(text: str) -> date:
    """`--since 2026-01-10` as a date (not in the future)."""
    try:
        since = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"«{text}» är inget datum.", Location("--since"),
                         hint="Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. --since 2026-01-10.") from None
    if since > clock.today():
        raise InputError(f"{since.isoformat()} ligger i framtiden.", Location("--since"),
                         hint="Ange ett datum bakåt i tiden, eller utelämna --since.")
    return since


def parse_kpis(values: Iterable[str]) -> list[str]:
    """KPI ids from `--kpi N00640 --kpi N00647,N00651`."""
    ids = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    bad = [i for i in ids if not KPI_ID.match(i)]
    if bad:
        raise InputError(f"«{bad[0]}» är inget Kolada-id för ett nyckeltal.", Location("--kpi"),
                         hint="Ett id är en bokstav och fem siffror, t.ex. N00640.")
    return sorted(set(ids))


def strategy_kpis(settings: Settings) -> tuple[str, list[str]]:
    """The strategy's municipality and the KPIs it names that Kolada still publishes."""
    strategy = load_strategy(settings.strategy_path)
    retired = {k["id"] for k in retired_kpis(settings.data_dir / "retired_kpis.toml")}
    # The sample sizes (e.g. N00528, the number of answers) carry the margins of error.
    sizes = samples.sample_kpis(samples.load_rules(settings.data_dir / "sample_sizes.toml"))
    return strategy.strategy.municipality, sorted((strategy.kpi_ids | sizes) - retired)


def followed_groups(engine: Engine, settings: Settings) -> set[str]:
    """The Kolada groups Målbild follows: those in its catalogue and in data/kolada/."""
    bundled = {g["id"] for g in kolada_files.fetch_municipality_groups(settings.kolada_dir)}
    with engine.connect() as connection:
        stored = set(connection.scalars(select(schema.MunicipalityGroup.id).where(
            schema.MunicipalityGroup.origin == "kolada")))
    return bundled | stored


def last_sync_date(connection: Connection, base_url: str, scope: dict) -> date | None:
    """The start date of the newest successful sync from `base_url` covering `scope`."""
    runs = connection.execute(
        select(schema.ImportRun.scope, schema.ImportRun.started_at)
        .where(schema.ImportRun.kind == KIND, schema.ImportRun.location == base_url,
               schema.ImportRun.finished_at.is_not(None))
        .order_by(schema.ImportRun.started_at.desc(), schema.ImportRun.id.desc())
    ).all()
    for stored_scope, started_at in runs:
        try:
            previous = json.loads(stored_scope or "{}")
        except json.JSONDecodeError:
            continue
        if all(set(scope[key]) <= set(previous.get(key, [])) for key in ("kpis", "years",
                                                                          "groups")):
            return started_at.date()
    return None


# --- Result ---------------------------------------------------------------------------------------


def _n(number: int) -> str:
    return numbers.number(number, 0, space=" ")  # a terminal's and a mail's plain space


@dataclass
class SyncResult:
    """What a sync did: counts for municipal and group values, and how it went."""

    base_url: str
    municipality: str
    kpis: list[str]
    years: list[int]
    groups: list[str]
    from_date: date | None
    counts: load.Counts
    group_counts: load.Counts
    catalogue_changes: int
    run_id: int | None
    seconds: float = 0.0
    requests: int = 0
    retries: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        years = (f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1
                 else str(self.years[0]))
        what = (f"ändringar sedan {self.from_date.isoformat()}" if self.from_date
                else "fullständig hämtning")
        lines = [f"Kolada {self.base_url} ({what}): {len(self.kpis)} nyckeltal, år {years}, "
                 f"hemkommun {self.municipality}."]
        for label, c in (("Kommunvärden", self.counts),
                         (f"Gruppvärden ({len(self.groups)} grupper)", self.group_counts)):
            lines.append(f"  {label}: {_n(c.added)} nya, {_n(c.updated)} ändrade, "
                         f"{_n(c.removed)} borttagna, {_n(c.unchanged)} oförändrade.")
        if self.catalogue_changes:
            lines.append(f"  Katalogen: {_n(self.catalogue_changes)} ändringar (nyckeltal, "
                         "kommuner, grupper).")
        if self.skipped:
            lines.append(f"  {_n(self.skipped)} värden för id som Kolada inte listar som kommun "
                         "hoppades över.")
        lines.extend(f"  {note}" for note in self.notes)
        retries = f", {self.retries} omförsök" if self.retries else ""
        lines.append(f"  Tid: {self.seconds:.1f} s ({self.requests} anrop{retries})."
                     .replace(".", ",", 1))
        return "\n".join(lines)


# --- Fetching -------------------------------------------------------------------------------------


def _value_frame(rows: list[tuple], entity: str) -> pd.DataFrame:
    columns = [*VALUE_COLUMNS[:1], entity, *VALUE_COLUMNS[2:]]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({"kpi_id": object, entity: object, "year": "int64",
                          "gender": object, "value": "float64"})
    frame["count"] = frame["count"].astype("Int64")
    # The same key twice (pages of a changing listing may overlap): the later one holds.
    return frame.drop_duplicates(columns[:4], keep="last").reset_index(drop=True)


def _deletion_frame(deleted: list[tuple], entity: str, present: pd.DataFrame) -> pd.DataFrame:
    """Deleted keys (gender None = all genders), minus keys the same answer still has."""
    keys = ["kpi_id", entity, "year", "gender"]
    expanded = [
        (kpi, ident, year, gender)
        for kpi, ident, year, only in deleted
        for gender in ((only,) if only else kolada.GENDERS)
    ]
    frame = pd.DataFrame(expanded, columns=keys).astype({"year": "int64"}).drop_duplicates()
    if frame.empty or present.empty:
        return frame
    still = frame.merge(present[keys], on=keys, how="left", indicator=True)["_merge"] == "both"
    return frame.loc[~still.to_numpy()].reset_index(drop=True)


def _absent(stored: pd.DataFrame, present: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Stored keys that a complete answer no longer has."""
    if stored.empty:
        return stored
    merged = stored.merge(present[keys], on=keys, how="left", indicator=True)
    return merged.loc[merged["_merge"] == "left_only", keys].reset_index(drop=True)


def _collect(pages: Iterable[kolada.ValuePage], stage: str, progress: SyncProgress
             ) -> tuple[list[tuple], list[tuple]]:
    """All pages' rows and deletions; progress per KPI batch (total given when it is done)."""
    rows: list[tuple] = []
    deleted: list[tuple] = []
    current, received = None, 0
    for page in pages:
        label = f"{stage} {page.batch}/{page.batches} ({page.kpis[0]}–{page.kpis[-1]})"
        if label != current:
            if current is not None:
                progress(current, received, received)
            current, received = label, 0
        rows.extend(page.rows)
        deleted.extend(page.deleted)
        received += len(page.rows) + len(page.deleted)
        progress(label, received, None)
    if current is not None:
        progress(current, received, received)
    return rows, deleted


@dataclass
class _Fetched:
    kpis: list[dict]
    municipalities: list[dict]
    groups: list[dict]
    kpi_groups: list[dict]
    values: list[tuple]
    deleted: list[tuple]
    group_values: list[tuple]
    group_deleted: list[tuple]
    notes: list[str]


def sync(engine: Engine, settings: Settings, *, municipality: str | None = None,
         kpis: Sequence[str] | None = None, years: Sequence[int] | None = None,
         since: date | None = None, full: bool = False, base_url: str | None = None,
         client: kolada.KoladaClient | None = None,
         progress: SyncProgress = _no_progress) -> SyncResult:
    """Bring the database up to date with Kolada for the KPIs and years (see the module doc).

    `kpis` narrows the default (the strategy's KPIs, the HME benchmark and KKiK's GKPI118),
    `since` overrides the date of the last sync, `full` asks for everything again.
    """
    started = time.perf_counter()
    base_url = (base_url or settings.kolada_base_url).rstrip("/")
    home_default, default_kpis = strategy_kpis(settings)
    home = municipality or settings.municipality or home_default
    years = sorted(set(years)) if years else list(range(FIRST_YEAR, clock.today().year + 1))
    own_client = client is None
    if client is None:
        client = kolada.KoladaClient(
            base_url, timeout=settings.kolada_timeout,
            retry=kolada.RetryPolicy(settings.kolada_attempts, settings.kolada_backoff))
    try:
        fetched, plan = _fetch(engine, settings, client, home=home, kpis=kpis,
                               default_kpis=default_kpis, years=years, since=since, full=full,
                               base_url=base_url, progress=progress)
    except MalbildError as exc:
        exc.hint = f"{exc.hint} {UNCHANGED_NOTE}".strip()
        raise
    finally:
        if own_client:
            client.close()
    progress("Sparar", 0, 1)
    try:
        result = _store(engine, settings, fetched, plan, base_url=base_url, home=home)
    except SQLAlchemyError as exc:  # the transaction was rolled back
        problem = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        raise MalbildError(f"Hämtningen från Kolada kunde inte sparas i databasen ({problem}). "
                           f"{UNCHANGED_NOTE} Försök igen.") from exc
    progress("Sparar", 1, 1)
    result.seconds = time.perf_counter() - started
    result.requests, result.retries = client.log.requests, client.log.retries
    return result


@dataclass
class _Plan:
    kpis: list[str]
    years: list[int]
    groups: list[str]
    from_date: date | None

    @property
    def scope(self) -> dict:
        return {"kpis": self.kpis, "years": self.years, "groups": self.groups}


def _fetch(engine: Engine, settings: Settings, client: kolada.KoladaClient, *, home: str,
           kpis: Sequence[str] | None, default_kpis: list[str], years: list[int],
           since: date | None, full: bool, base_url: str, progress: SyncProgress
           ) -> tuple[_Fetched, _Plan]:
    notes: list[str] = []
    progress("Metadata", 0, 4)
    kpi_groups = [g for g in kolada.fetch_kpi_groups(client) if g["id"] == KKIK_GROUP]
    if kpis:
        wanted = sorted(set(kpis))
    else:
        if not kpi_groups:
            notes.append(f"Kolada har ingen nyckeltalsgrupp {KKIK_GROUP} (KKiK); bara "
                         "strategins nyckeltal hämtades.")
        members = {m for g in kpi_groups for m in g["members"]}
        wanted = sorted(set(default_kpis) | members)
    progress("Metadata", 1, 4)
    kpi_meta = list(kolada.fetch_kpis(client, wanted))
    found = {k["id"] for k in kpi_meta}
    missing = [k for k in wanted if k not in found]
    if missing and kpis:
        raise InputError(
            f"Kolada känner inte till nyckeltal{'en' if len(missing) > 1 else 'et'} "
            f"{', '.join(missing)}.", Location(client.url_for(f"kpi/{','.join(missing)}")),
            hint="Kontrollera id:t på kolada.se.")
    if missing:
        notes.append(f"{len(missing)} nyckeltal som Kolada inte har (längre) hoppades över: "
                     f"{', '.join(missing)}.")
    kpi_ids = sorted(found)
    progress("Metadata", 2, 4)
    municipalities = list(kolada.fetch_municipalities(client))
    if home not in {m["id"] for m in municipalities}:
        raise InputError(f"kommunkoden «{home}» finns inte i Kolada.",
                         Location(client.url_for("municipality")),
                         hint="Ange en kommunkod med fyra siffror, t.ex. --municipality 1277.")
    progress("Metadata", 3, 4)
    followed = followed_groups(engine, settings)
    groups = [g for g in kolada.fetch_municipality_groups(client)
              if g["id"] in followed or home in g["members"]]
    progress("Metadata", 4, 4)
    plan = _Plan(kpi_ids, years, sorted(g["id"] for g in groups), None)
    if since is not None:
        plan.from_date = since
    elif not full:
        with engine.connect() as connection:
            plan.from_date = last_sync_date(connection, base_url, plan.scope)

    values, deleted = _collect(
        kolada.fetch_values(client, kpi_ids, years, from_date=plan.from_date),
        "Kommunvärden", progress)
    group_values, group_deleted = _collect(
        kolada.fetch_values(client, kpi_ids, years, municipality_ids=plan.groups,
                            from_date=plan.from_date),
        "Gruppvärden", progress)
    fetched = _Fetched(kpi_meta, municipalities, groups, kpi_groups, values, deleted,
                       group_values, group_deleted, notes)
    return fetched, plan


def _store(engine: Engine, settings: Settings, fetched: _Fetched, plan: _Plan, *,
           base_url: str, home: str) -> SyncResult:
    rules = kpi_rules(settings.data_dir / "kpi_rules.toml")
    kpis = [{**k, **rules.classify(k["id"], k["title"]), "retired": False}
            for k in fetched.kpis]
    kpis += [k for k in retired_kpis(settings.data_dir / "retired_kpis.toml")
             if k["id"] not in {m["id"] for m in kpis}]
    known = {m["id"] for m in fetched.municipalities}
    values = _value_frame(fetched.values, "municipality_id")
    is_known = values["municipality_id"].isin(known)
    skipped = int((~is_known).sum())
    values = values.loc[is_known].reset_index(drop=True)
    group_values = _value_frame(fetched.group_values, "group_id")
    group_values = group_values.loc[group_values["group_id"].isin(plan.groups)]
    keys = ["kpi_id", "municipality_id", "year", "gender"]
    group_keys = ["kpi_id", "group_id", "year", "gender"]
    deletions = _deletion_frame(fetched.deleted, "municipality_id", values)
    group_deletions = _deletion_frame(fetched.group_deleted, "group_id", group_values)

    with engine.begin() as connection:
        catalogue = load.save_catalogue(
            connection, municipalities=fetched.municipalities,
            municipality_groups=fetched.groups, kpis=kpis, kpi_groups=fetched.kpi_groups)
        if plan.from_date is None:
            # A complete answer: what is stored for this scope but no longer in Kolada goes.
            deletions = _absent(load.stored_keys(
                connection, entity="municipality_id", kpi_ids=plan.kpis, years=plan.years),
                values, keys)
            group_deletions = _absent(load.stored_keys(
                connection, entity="group_id", kpi_ids=plan.kpis, years=plan.years,
                ids=plan.groups), group_values, group_keys)
        diff = load.diff_values(connection, values, deletions=deletions)
        group_diff = load.diff_values(connection, group_values, entity="group_id",
                                      deletions=group_deletions)
        run_id = load.start_run(connection, KIND, base_url,
                                scope={**plan.scope, "municipality": home,
                                       "from_date": plan.from_date and plan.from_date.isoformat()})
        counts = load.apply_value_diff(connection, diff, run_id)
        group_counts = load.apply_value_diff(connection, group_diff, run_id)
        load.finish_run(connection, run_id, counts + group_counts)
    return SyncResult(base_url, home, plan.kpis, plan.years, plan.groups, plan.from_date,
                      counts, group_counts, catalogue, run_id, skipped=skipped,
                      notes=fetched.notes)
