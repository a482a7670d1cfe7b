"""`malbild etl kolada` against the Kolada-shaped test server (tests/kolada_server.py).

A real HTTP server on 127.0.0.1 serves the bundled extract in v3 shape; nothing touches the
internet. Faults are injected on the server; retries are made fast by the client's settings.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from dashboard.present import charts, words
from dashboard.store import queries
from etl import db, imports, kolada_sync, load, schema
from etl.errors import MalbildError
from etl.extract import kolada
from etl.settings import DEFAULT_DATA_DIR
from tests import comparison_reference as comparison
from tests.cli import CliResult
from tests.cli import run_cli as run_malbild
from tests.conftest import dump, make_settings, sqlite_url
from tests.kolada_server import Fault, KoladaServer, KoladaState, load_extract, utc_today

TWO_KPIS = ["N00640", "N00647"]


@pytest.fixture
def kolada_server() -> Iterator[KoladaServer]:
    with KoladaServer(KoladaState(load_extract())) as server:
        yield server


def fast_client(server: KoladaServer, sleeps: list[float] | None = None, *,
                per_page: int = kolada.MAX_PER_PAGE, timeout: float = 5.0,
                attempts: int = 3) -> kolada.KoladaClient:
    """A client that retries at once (waits are recorded, not slept) and times out quickly."""
    return kolada.KoladaClient(server.url, timeout=timeout, per_page=per_page,
                               retry=kolada.RetryPolicy(attempts, backoff=0.01, max_wait=5),
                               sleep=(sleeps if sleeps is not None else []).append)


def run_sync(settings, server: KoladaServer, client: kolada.KoladaClient | None = None,
             **options) -> kolada_sync.SyncResult:
    db.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    with client or fast_client(server) as api:
        return kolada_sync.sync(engine, settings, base_url=server.url, client=api, **options)


def stored_values(url: str) -> pd.DataFrame:
    with db.engine_for(url).connect() as connection:
        rows = connection.execute(select(
            schema.KpiValue.kpi_id, schema.KpiValue.municipality_id, schema.KpiValue.year,
            schema.KpiValue.gender, schema.KpiValue.value)).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["kpi", "municipality", "period", "gender", "value"])


def raw_extract() -> pd.DataFrame:
    with gzip.open(DEFAULT_DATA_DIR / "kolada" / "values.csv.gz", "rt") as handle:
        return pd.read_csv(handle, dtype={"municipality": str})


# --- The whole extract --------------------------------------------------------------------------


def test_full_sync_stores_exactly_the_server_values(tmp_path, kolada_server):
    settings = make_settings(sqlite_url(tmp_path))
    all_kpis = sorted(k["id"] for k in load_extract().kpis)
    first = run_sync(settings, kolada_server, kpis=all_kpis)

    raw = raw_extract()
    stored = stored_values(settings.database_url)
    assert len(all_kpis) == 44
    assert len(stored) == len(raw) == kolada_server.state.count == 211_806
    assert (first.counts.added, first.counts.removed, first.from_date) == (211_806, 0, None)
    merged = raw.merge(stored, on=["kpi", "municipality", "period", "gender"],
                       suffixes=("", "_db"))
    assert len(merged) == len(raw) and (merged["value"] == merged["value_db"]).all()

    # The comparison means equal those computed from the raw values (kommuner, type K) and
    # Kolada's own value for "Alla kommuner" (G2328).
    engine = db.engine_for(settings.database_url)
    kommuner = {m["id"] for m in load_extract().municipalities if m["type"] == "K"}
    totals = raw.loc[raw["municipality"].isin(kommuner) & (raw["gender"] == "T")]
    expected = totals.groupby(["kpi", "period"])["value"].agg(["mean", "size"]).reset_index()
    values = queries.municipal_values(engine, all_kpis)
    means = pd.concat([comparison.yearly_peer_stats(values.loc[values["kpi_id"] == k], "1277",
                                                    "higher") for k in all_kpis])
    check = expected.merge(means, left_on=["kpi", "period"], right_on=["kpi_id", "year"])
    assert len(check) == len(expected)
    assert np.allclose(check["mean"], check["comparison_mean"], rtol=0, atol=1e-9)
    assert (check["size"] == check["comparison_n"]).all()
    with engine.connect() as connection:
        g2328 = pd.DataFrame([tuple(r) for r in connection.execute(
            select(schema.GroupValue.kpi_id, schema.GroupValue.year, schema.GroupValue.value,
                   schema.GroupValue.count)
            .where(schema.GroupValue.group_id == "G2328", schema.GroupValue.gender == "T"))],
            columns=["kpi", "period", "group_mean", "group_n"])
    check = expected.merge(g2328, on=["kpi", "period"])
    assert len(check) == len(expected)
    assert np.allclose(check["mean"], check["group_mean"]) and (check["size"] ==
                                                                check["group_n"]).all()
    n00640 = check.loc[(check["kpi"] == "N00640") & (check["period"] == 2021)].iloc[0]
    assert (round(n00640["mean"], 1), n00640["size"]) == (81.1, 148)  # the README's figures


def test_a_later_sync_applies_exactly_one_revision_and_one_deletion(tmp_path, kolada_server):
    """Every KPI (more than one request's worth of ids) over the two years the revision and the
    deletion fall in: the same incremental sync as over the whole extract, whose dumps alone
    took seconds (the whole extract's first sync has the test above)."""
    settings = make_settings(sqlite_url(tmp_path))
    all_kpis = sorted(k["id"] for k in load_extract().kpis)
    assert len(all_kpis) > kolada.MAX_IDS_PER_SEGMENT
    years = [2021, 2022]
    first = run_sync(settings, kolada_server, kpis=all_kpis, years=years)
    raw = raw_extract()
    assert first.counts.added == len(raw.loc[raw["period"].isin(years)]) > 0

    # Kolada revises one value and deletes another: the next sync changes exactly those two.
    before = dump(settings.database_url)
    kolada_server.requests.clear()
    kolada_server.state.revise("N00640", "1277", 2022, 80.5)
    kolada_server.state.delete("N00640", "0114", 2021, "T")
    second = run_sync(settings, kolada_server, kpis=all_kpis, years=years)
    after = dump(settings.database_url)
    assert (second.counts.added, second.counts.updated, second.counts.removed) == (0, 1, 1)
    assert second.from_date == utc_today()
    assert all(f"from_date={utc_today().isoformat()}" in r for r in kolada_server.data_requests())
    gone = set(before["kpi_value"]) - set(after["kpi_value"])
    new = set(after["kpi_value"]) - set(before["kpi_value"])
    assert sorted((r[:5]) for r in gone) == [("N00640", "0114", 2021, "T", 80.7),
                                             ("N00640", "1277", 2022, "T", 80.0)]
    assert [(r[:5]) for r in new] == [("N00640", "1277", 2022, "T", 80.5)]
    # The change log: the revision and the deletion (a KPI's first import is no news).
    log = after["value_revision"]
    revisions = [(r[1], r[2], r[3], r[4], r[5], r[6], r[9]) for r in log]
    assert sorted(revisions) == [("N00640", "0114", 2021, "T", 80.7, None, "deleted"),
                                 ("N00640", "1277", 2022, "T", 80.0, 80.5, "revised")]
    # Group values follow (the members' mean changed); nothing else did.
    assert second.group_counts.added == 0 and second.group_counts.updated > 0
    assert len(after["kpi_value"]) == len(before["kpi_value"]) - 1

    # A third run finds nothing to change and duplicates nothing.
    third = run_sync(settings, kolada_server, kpis=all_kpis, years=years)
    assert not third.counts.changed and not third.group_counts.changed
    final = dump(settings.database_url)
    assert {t: rows for t, rows in final.items() if t not in ("import_run", "data_state")} == {
        t: rows for t, rows in after.items() if t not in ("import_run", "data_state")}
    assert [r[1] for r in final["import_run"]] == ["kolada-api"] * 3


# --- Incremental runs, scopes and the catalogue --------------------------------------------------


def test_catalogue_and_groups_come_from_the_api(catalogue_db, kolada_server):
    result = run_sync(catalogue_db, kolada_server, kpis=TWO_KPIS, years=[2021, 2022])
    engine = db.engine_for(catalogue_db.database_url)
    with engine.connect() as connection:
        kpi = connection.execute(select(schema.Kpi).where(schema.Kpi.id == "N00640")
                                 ).mappings().one()
        members = connection.scalar(select(func.count()).select_from(
            schema.MunicipalityGroupMember).where(
                schema.MunicipalityGroupMember.group_id == "G33621"))
        group_ids = set(connection.scalars(select(schema.GroupValue.group_id).distinct()))
        run = connection.execute(select(schema.ImportRun)).mappings().all()
    assert (kpi["direction"], kpi["unit"], kpi["retired"]) == ("higher", "%", False)
    assert members == 33
    assert "G2328" in group_ids and "G37597" in group_ids  # "Liknande kommuner, Åstorp"
    assert len(result.groups) == 16
    assert [(r["kind"], r["location"]) for r in run] == [("kolada-api", kolada_server.url)]
    scope = json.loads(run[0]["scope"])
    assert (scope["kpis"], scope["years"], scope["municipality"]) == (TWO_KPIS, [2021, 2022],
                                                                       "1277")


def test_default_scope_is_the_strategy_hme_and_kkik(tmp_path, kolada_server):
    result = run_sync(make_settings(sqlite_url(tmp_path)), kolada_server, years=[2022])
    assert {"N00640", "N00647", "N00651", "N00652", "N00673", "U00200"} <= set(result.kpis)
    assert not {"U00412", "U00416"} & set(result.kpis)  # retired: Kolada has no such KPI
    kkik = next(g for g in load_extract().kpi_groups if g["id"] == "GKPI118")
    assert {m["member_id"] for m in kkik["members"]} - set(result.kpis) == {
        "N09890", "N15722", "N17005", "N17625", "N25018", "U00454", "U00811", "U07505"}
    assert any("8 nyckeltal som Kolada inte har" in note for note in result.notes)
    assert result.years == [2022] and result.municipality == "1277"


def test_only_a_covering_earlier_sync_makes_a_run_incremental(tmp_path, kolada_server):
    settings = make_settings(sqlite_url(tmp_path))
    assert run_sync(settings, kolada_server, kpis=TWO_KPIS, years=[2021]).from_date is None
    # A wider scope has never been fetched whole: complete again.
    assert run_sync(settings, kolada_server, kpis=TWO_KPIS, years=[2021, 2022]
                    ).from_date is None
    assert run_sync(settings, kolada_server, kpis=["N00640"], years=[2022]).from_date == utc_today()
    assert run_sync(settings, kolada_server, kpis=TWO_KPIS, years=[2021, 2022], full=True
                    ).from_date is None
    since = date(2025, 3, 1)
    assert run_sync(settings, kolada_server, kpis=TWO_KPIS, since=since).from_date == since


def test_full_sync_removes_what_kolada_no_longer_has(catalogue_db, kolada_server, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    extra = tmp_path / "extra.csv"
    extra.write_text("kpi,municipality,period,gender,value\nN00640,1280,2021,T,77.0\n",
                     encoding="utf-8")
    imports.import_value_file(engine, extra)
    imports.import_value_file(engine, DEFAULT_DATA_DIR / "demo" / "exempeldata_kkik_2012-2020.csv",
                              is_example=True, kind="exempeldata")
    examples = len(dump(catalogue_db.database_url)["kpi_value"])
    result = run_sync(catalogue_db, kolada_server, kpis=TWO_KPIS, years=[2021, 2022])
    assert result.counts.removed == 1
    values = stored_values(catalogue_db.database_url)
    assert values.query("municipality == '1280' and kpi == 'N00640' and period == 2021").empty
    assert len(values.query("kpi.str.startswith('U004')")) == examples - 1  # examples stay


def test_values_for_ids_kolada_does_not_list_are_skipped(tmp_path, kolada_server):
    kolada_server.state.revise("N00640", "2999", 2022, 50.0)
    result = run_sync(make_settings(sqlite_url(tmp_path)), kolada_server, kpis=["N00640"],
                      years=[2022])
    assert result.skipped == 1 and "hoppades över" in result.summary()
    assert "2999" not in set(stored_values(make_settings(sqlite_url(tmp_path)).database_url)[
        "municipality"])


def test_revised_value_is_shown_with_its_date(catalogue_db, kolada_server):
    run_sync(catalogue_db, kolada_server, kpis=["N00640"], years=[2021, 2022])
    kolada_server.state.revise("N00640", "1277", 2022, 80.5)
    run_sync(catalogue_db, kolada_server, kpis=["N00640"], years=[2021, 2022])
    engine = db.engine_for(catalogue_db.database_url)
    item = queries.measure_followup(engine, catalogue_db, "telefon-bemotande")
    table = charts.display_table(item).set_index("År")
    assert table.loc[2022, "Åstorp"] == f"80,5\u00a0% (reviderat {utc_today().isoformat()})"
    assert table.loc[2021, "Åstorp"] == "83,0\u00a0%"
    assert f"Åstorp 80,5\u00a0% 2022 (reviderat {utc_today().isoformat()})" in words.summary(item)


# --- Faults -------------------------------------------------------------------------------------

FAULTS = {
    "429": Fault("429", retry_after="1"),
    "500": Fault("500"),
    "slow": Fault("slow", delay=3.0),  # past the client's timeout of 1 s (TIMEOUT)
    "drop": Fault("drop"),
    "malformed": Fault("malformed", skip=6),  # bad JSON on page 7
    "truncated": Fault("truncated", skip=2),
}
EXPECTED = {
    "429": "HTTP 429 Too Many Requests",
    "500": "HTTP 500 Internal Server Error",
    "slow": "inget svar inom tidsgränsen",
    "drop": "förbindelsen bröts",
    "malformed": "svaret är inte giltig JSON",
    "truncated": "förbindelsen bröts",
}


TIMEOUT = {"slow": 1.0}  # short only where the fault is slowness (a 3 s answer); others 5 s


def _fault(kind: str, *, times: int | None) -> Fault:
    template = FAULTS[kind]
    return Fault(kind, skip=template.skip, times=times, retry_after=template.retry_after,
                 delay=template.delay)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_passing_fault_is_retried_and_the_sync_succeeds(tmp_path, kolada_server, kind):
    settings = make_settings(sqlite_url(tmp_path))
    kolada_server.inject(_fault(kind, times=1))
    sleeps: list[float] = []
    client = fast_client(kolada_server, sleeps, per_page=100, timeout=TIMEOUT.get(kind, 5.0))
    result = run_sync(settings, kolada_server, client, kpis=TWO_KPIS)
    assert result.retries == 1 and result.counts.added == 1_712
    if kind == "429":
        assert sleeps == [1.0]  # Kolada's Retry-After, not our shorter back-off


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_lasting_fault_fails_clearly_and_changes_nothing(settings, kolada_server, kind):
    first = run_sync(settings, kolada_server, kpis=TWO_KPIS, years=[2021, 2022])
    kolada_server.state.revise("N00640", "1277", 2022, 80.5)
    before = dump(settings.database_url)
    fault = kolada_server.inject(_fault(kind, times=None))
    client = fast_client(kolada_server, per_page=100, timeout=TIMEOUT.get(kind, 5.0))
    with pytest.raises(MalbildError) as error:  # a complete run: many pages, page 7 among them
        run_sync(settings, kolada_server, client, kpis=TWO_KPIS, years=[2021, 2022], full=True)
    message = error.value.explain()
    assert message.startswith(f"Kolada svarar inte som det ska: {kolada_server.url}/data/kpi/")
    assert EXPECTED[kind] in message and "(efter 3 försök)" in message
    assert message.endswith("Ingenting har sparats; databasen är oförändrad.")
    assert dump(settings.database_url) == before
    # Once Kolada answers again, the next run starts cleanly from the last successful sync.
    kolada_server.faults.remove(fault)
    second = run_sync(settings, kolada_server, kpis=TWO_KPIS, years=[2021, 2022])
    assert second.from_date == utc_today() and first.run_id is not None
    assert (second.counts.updated, second.counts.added, second.counts.removed) == (1, 0, 0)


def test_a_write_that_fails_halfway_is_rolled_back(settings, kolada_server, monkeypatch):
    run_sync(settings, kolada_server, kpis=["N00640"], years=[2021, 2022])
    kolada_server.state.revise("N00640", "1277", 2022, 80.5)
    before = dump(settings.database_url)
    real_apply = load.apply_value_diff
    calls = []

    def apply_then_fail(connection, diff, run_id, **options):
        calls.append(real_apply(connection, diff, run_id, **options))  # municipal values land
        if len(calls) == 2:
            raise OperationalError("INSERT INTO group_value", {}, Exception("disk I/O error"))
        return calls[-1]

    monkeypatch.setattr(load, "apply_value_diff", apply_then_fail)
    with pytest.raises(MalbildError) as error:
        run_sync(settings, kolada_server, kpis=["N00640"], years=[2021, 2022])
    assert calls[0].updated == 1  # the revision was written, then rolled back
    assert "kunde inte sparas i databasen (disk I/O error)" in str(error.value)
    assert "databasen är oförändrad" in str(error.value)
    assert dump(settings.database_url) == before


# --- The command line ---------------------------------------------------------------------------


def run_cli(*args: str, url: str, **env: str) -> CliResult:
    return run_malbild(*args, url=url, env={"MALBILD_KOLADA_ATTEMPTS": "2",
                                            "MALBILD_KOLADA_BACKOFF": "0", **env})


def test_command_line_sync_and_failure(tmp_path, kolada_server):
    url = sqlite_url(tmp_path)
    result = run_cli("etl", "kolada", "--kpi", "N00640", "--kpi", "N00647", "--years",
                     "2021-2022", url=url, KOLADA_BASE_URL=kolada_server.url)
    assert result.returncode == 0, result.stderr
    summary = " ".join(result.stderr.split())
    assert f"Kolada {kolada_server.url} (fullständig hämtning): 2 nyckeltal, år 2021–2022" in (
        summary)
    assert "Kommunvärden: 1 712 nya, 0 ändrade, 0 borttagna, 0 oförändrade." in summary
    before = dump(url)
    kolada_server.inject(Fault("500", times=None))
    result = run_cli("etl", "kolada", "--base-url", kolada_server.url, "--kpi", "N00640",
                     url=url)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message.startswith(f"Fel: Kolada svarar inte som det ska: {kolada_server.url}/data/")
    assert "HTTP 500" in message and message.endswith("databasen är oförändrad.")
    assert dump(url) == before
