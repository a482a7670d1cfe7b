"""The comparison mean, n and rank, checked against the real Kolada values."""

import pandas as pd
import pytest

from etl.followup.rules import quartile_of, rank_of
from etl.settings import DEFAULT_DATA_DIR
from tests.comparison_reference import peer_stats, yearly_peer_stats

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_comparison")

KOLADA = DEFAULT_DATA_DIR / "kolada"


@pytest.fixture(scope="module")
def kommun_values() -> pd.DataFrame:
    values = pd.read_csv(KOLADA / "values.csv.gz", dtype={"municipality": str})
    municipalities = pd.read_json(KOLADA / "municipality.json", dtype={"id": str})
    kommuner = set(municipalities.loc[municipalities["type"] == "K", "id"])
    return values.loc[values["municipality"].isin(kommuner) & (values["gender"] == "T")]


def test_bemotande_2021_mean_n_and_rank_of_astorp(kommun_values):
    year = kommun_values.query("kpi == 'N00640' and period == 2021")
    stats = peer_stats(year["value"], 83.0, "higher")
    assert stats.n == 148
    assert round(stats.mean, 2) == 81.10
    assert stats.rank == 54
    assert stats.quartile == 2


def test_mean_is_not_riket(kommun_values):
    """Riket (0000) is 81.4 for N00640 2021; the measuring municipalities' mean is 81.1."""
    year = kommun_values.query("kpi == 'N00640' and period == 2021")
    assert "0000" not in set(year["municipality"])
    assert round(peer_stats(year["value"], None, "higher").mean, 1) == 81.1


def test_yearly_stats_per_kpi_and_year(kommun_values):
    frame = kommun_values.query("kpi == 'N00640'").rename(
        columns={"kpi": "kpi_id", "period": "year", "municipality": "municipality_id"})
    stats = yearly_peer_stats(frame, "1277", "higher").set_index("year")
    assert stats.loc[2021, "value"] == 83.0 and stats.loc[2021, "peer_rank"] == 54
    assert stats.loc[2022, "value"] == 80.0
    assert (stats.loc[2022, "peer_rank"], stats.loc[2022, "comparison_n"]) == (111, 137)


def test_equal_values_share_a_place_and_direction_counts():
    others = pd.Series([10.0, 20.0, 20.0, 30.0])
    assert rank_of(20.0, others, "higher") == 2
    assert rank_of(20.0, others, "lower") == 2
    assert rank_of(10.0, others, "lower") == 1
    assert rank_of(10.0, others, "higher") == 4


@pytest.mark.parametrize(("rank", "n", "quartile"), [
    (1, 148, 1), (37, 148, 1), (38, 148, 2), (74, 148, 2), (75, 148, 3), (111, 148, 3),
    (112, 148, 4), (148, 148, 4), (1, 1, 1), (2, 3, 2),
])
def test_quartiles(rank, n, quartile):
    assert quartile_of(rank, n) == quartile


def test_no_home_value_gives_mean_only():
    stats = peer_stats(pd.Series([1.0, 3.0, None]), None, "higher")
    assert (stats.mean, stats.n, stats.rank) == (2.0, 2, None)
