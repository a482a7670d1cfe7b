"""How a municipality stands against the others that measured the same KPI the same year.

"Mätkommunernas medelvärde" is the unweighted mean over the municipalities (type K) that
reported a value, with its count n — never Riket, never the regions. The rank counts the
municipalities that did better, so equal values share a place ("plats 54 av 148").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class PeerStats:
    mean: float
    n: int
    value: float | None = None
    rank: int | None = None
    quartile: int | None = None  # 1 = the best (or, without a direction, the highest) quarter


def rank_of(value: float, others: pd.Series, direction: str) -> int:
    """1 + how many did better; for KPIs without a direction, 1 + how many are higher."""
    if direction == "lower":
        return int((others < value).sum()) + 1
    return int((others > value).sum()) + 1


def quartile_of(rank: int, n: int) -> int:
    """Which quarter of the n measuring municipalities a rank falls in (1–4)."""
    return min(4, 1 + (4 * (rank - 1)) // n)


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
    rows = []
    for (kpi_id, year), group in values.groupby(["kpi_id", "year"], sort=True):
        home_rows = group.loc[group["municipality_id"] == home, "value"]
        home_value = float(home_rows.iloc[0]) if len(home_rows) else None
        stats = peer_stats(group["value"], home_value, direction)
        rows.append({"kpi_id": kpi_id, "year": int(year), "value": stats.value,
                     "comparison_mean": stats.mean, "comparison_n": stats.n,
                     "peer_rank": stats.rank, "quartile": stats.quartile})
    columns = ["kpi_id", "year", "value", "comparison_mean", "comparison_n", "peer_rank",
               "quartile"]
    return pd.DataFrame(rows, columns=columns)
