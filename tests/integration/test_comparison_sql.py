"""The database's aggregate (`store.kpi_year_stats`) follows the same comparison rule as the
pandas reference (`tests/comparison_reference.py`), for every KPI and year of the demo."""

import pandas as pd
import pytest

from etl.followup import store as queries
from tests import comparison_reference as comparison

HOME = "1277"


def test_sql_aggregate_equals_the_reference_for_every_kpi(demo_engine):
    catalogue = queries.kpi_catalogue(demo_engine)
    for kpi in catalogue.itertuples():
        values = queries.municipal_values(demo_engine, [kpi.id])
        expected = comparison.yearly_peer_stats(values, HOME, kpi.direction)
        actual = queries.kpi_year_stats(demo_engine, [kpi.id], HOME, kpi.direction)
        assert list(actual["year"]) == list(expected["year"]), kpi.id
        pd.testing.assert_series_equal(actual["comparison_mean"], expected["comparison_mean"],
                                       check_names=False, rtol=1e-12, obj=kpi.id)
        assert list(actual["comparison_n"]) == list(expected["comparison_n"]), kpi.id
        assert list(actual["value"].fillna(-1)) == list(expected["value"].fillna(-1)), kpi.id
        assert list(actual["peer_rank"].fillna(0)) == list(expected["peer_rank"].fillna(0)), \
            kpi.id


def test_bemotande_2021_from_the_database(demo_engine):
    stats = queries.kpi_year_stats(demo_engine, ["N00640"], HOME, "higher").set_index("year")
    row = stats.loc[2021]
    assert (round(row["comparison_mean"], 2), row["comparison_n"], row["value"],
            row["peer_rank"]) == (81.10, 148, 83.0, 54)


def test_paired_means_from_the_database_equal_the_rule_for_every_kpi(demo_engine):
    """The mean over the municipalities that measured both years, for every KPI of the demo
    and every year with the year before it (and a gap of two years)."""
    for kpi in queries.kpi_catalogue(demo_engine).itertuples():
        values = queries.municipal_values(demo_engine, [kpi.id]).dropna(subset=["value"])
        by_year = {year: dict(zip(rows["municipality_id"], rows["value"], strict=True))
                   for year, rows in values.groupby("year")}
        pairs = [(kpi.id, year, earlier) for year in by_year for earlier in (year - 1, year - 2)
                 if earlier in by_year]
        actual = queries.paired_means(demo_engine, pairs)
        for _, year, earlier in pairs:
            both = by_year[year].keys() & by_year[earlier].keys()
            if not both:
                assert (kpi.id, year, earlier) not in actual
                continue
            n, mean, earlier_mean = actual[(kpi.id, year, earlier)]
            assert n == len(both), (kpi.id, year)
            assert mean == pytest.approx(sum(by_year[year][m] for m in both) / n, rel=1e-12)
            assert earlier_mean == pytest.approx(
                sum(by_year[earlier][m] for m in both) / n, rel=1e-12)
