"""The comparison rule computed in pandas from every value: the reference that the database's
aggregate (`etl.followup.store.kpi_year_stats`) is tested against.

"Mätkommunernas medelvärde" is the unweighted mean over the municipalities (type K) that
reported a value, with its count n — never Riket, never the regions. The rank counts the
municipalities that did better, so equal values share a place ("plats 54 av 148").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.followup.rules import quartile_of, rank_of


@dataclass(frozen=True)
class PeerStats:
    mean: float
    n: int
    value: float | None = None
    rank: int | None = None
    quartile: int | None = None  # 1 = the best (or, without a direction, the highest) quarter


def peer_stats(values: pd.Series, home_value: float | None, direction: str) -> PeerStats:
    """Stats over `values` (one per measuring municipality, the home one included)."""
    values = values.dropna()
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    if home_value is None or pd.isna(home_value) or n == 0:
        return PeerStats(mean, n)
    rank = rank_of(home_value, values, direction)
    return PeerStats(mean, n, float(home_value), rank, quartile_of(rank, n))


def yearly_peer_stats(values: pd.DataFrame, home: str, direction: str) -> pd.DataFrame:
    """Per (kpi_id, year): comparison mean, n, the home value, its rank and quartile.

    `values` holds one row per municipality (type K only) with kpi_id, year,
    municipality_id and value.
    """
    keys = ["kpi_id", "year"]
    measured = values.loc[values["value"].notna(), [*keys, "municipality_id", "value"]]
    stats = measured.groupby(keys, sort=True)["value"].agg(comparison_mean="mean",
                                                           comparison_n="count")
    home_values = (measured.loc[measured["municipality_id"] == home]
                   .drop_duplicates(keys).set_index(keys)["value"])
    stats["value"] = home_values.reindex(stats.index)
    # Rank = 1 + how many did better: compare every value with its group's home value.
    with_home = measured.join(home_values.rename("home"), on=keys, how="inner")
    better = (with_home["value"] < with_home["home"] if direction == "lower"
              else with_home["value"] > with_home["home"])
    stats["peer_rank"] = (better.groupby([with_home["kpi_id"], with_home["year"]]).sum() + 1
                          ).reindex(stats.index)
    stats = stats.reset_index()
    stats["quartile"] = [quartile_of(int(r), int(n)) if not pd.isna(r) else None
                         for r, n in zip(stats["peer_rank"], stats["comparison_n"],
                                         strict=True)]
    stats["year"] = stats["year"].astype(int)
    return stats[["kpi_id", "year", "value", "comparison_mean", "comparison_n", "peer_rank",
                  "quartile"]]
