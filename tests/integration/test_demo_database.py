"""The demo database: real values untouched, example data labelled, imports idempotent."""

import gzip

import pandas as pd
from sqlalchemy import func, select

from etl import schema
from etl.demo import build_demo
from etl.settings import DEFAULT_DATA_DIR
from tests.conftest import copy_of, dump


def test_real_values_are_stored_exactly(demo_engine):
    with gzip.open(DEFAULT_DATA_DIR / "kolada" / "values.csv.gz", "rt") as handle:
        real = pd.read_csv(handle, dtype={"municipality": str})
    with demo_engine.connect() as connection:
        stored = connection.execute(
            select(schema.KpiValue.kpi_id, schema.KpiValue.municipality_id, schema.KpiValue.year,
                   schema.KpiValue.gender, schema.KpiValue.value)
            .where(schema.KpiValue.is_example.is_(False))).all()
    assert len(stored) == len(real) == 211_806
    stored_frame = pd.DataFrame(stored, columns=["kpi", "municipality", "period", "gender",
                                                 "value"])
    merged = real.merge(stored_frame, on=["kpi", "municipality", "period", "gender"],
                        suffixes=("", "_db"))
    assert len(merged) == len(real)
    assert (merged["value"] == merged["value_db"]).all()


def test_example_values_only_for_retired_kpis(demo_engine):
    with demo_engine.connect() as connection:
        example_kpis = set(connection.scalars(
            select(schema.KpiValue.kpi_id).where(schema.KpiValue.is_example.is_(True))
            .distinct()))
        retired = set(connection.scalars(select(schema.Kpi.id).where(schema.Kpi.retired)))
        runs = connection.execute(select(schema.ImportRun.kind, schema.ImportRun.is_example)
                                  ).all()
    assert example_kpis == {"U00412", "U00413", "U00414", "U00415", "U00416"}
    assert example_kpis <= retired
    assert ("exempeldata", True) in runs


def test_survey_stores_aggregates_only_above_threshold(demo_engine, demo_settings):
    with demo_engine.connect() as connection:
        smallest = connection.scalar(select(func.min(schema.SurveyResult.respondents)))
        years = set(connection.scalars(select(schema.SurveyResult.year).distinct()))
        units = set(connection.scalars(select(schema.SurveyResult.enhet).distinct()))
    assert smallest >= demo_settings.anonymity_threshold
    assert years == {2013, 2015, 2017, 2019, 2021, 2023, 2025}
    # The three enheter under five respondents are never stored.
    assert not units & {"IT", "Bemanning", "Fritidsgårdar"}


def test_building_twice_changes_nothing(sqlite_demo, tmp_path):
    # The second build runs over a copy of the session's first one (building it again here
    # took five seconds and proved nothing more).
    with copy_of(sqlite_demo, tmp_path) as settings:
        first = dump(settings.database_url)
        summaries = build_demo(settings)
        assert dump(settings.database_url) == first
    assert all("inget" in line for line in summaries), summaries
    assert len(first["kpi_value"]) == 211_806 + 9_635
