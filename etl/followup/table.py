"""The follow-up table: one row per measure and year, as `malbild export data` writes it."""

from __future__ import annotations

import pandas as pd

from etl.followup.records import MeasureFollowUp

COLUMNS = ["goal", "measure", "kpi", "municipality", "year", "value", "comparison_mean",
           "comparison_n", "target", "target_status", "peer_rank", "peer_n", "source"]


def followup_table(items: list[MeasureFollowUp]) -> pd.DataFrame:
    """Every measure's yearly rows under the design's column names.

    `attrs["decimals"]` keeps each measure's decimals for the text formats.
    """
    records = [{
        "goal": item.info.goal_number,
        "measure": item.info.id,
        "kpi": row.kpi_id,
        "municipality": item.municipality_id,
        "year": row.year,
        "value": row.value,
        "comparison_mean": row.comparison_mean,
        "comparison_n": row.comparison_n,
        "target": row.target,
        "target_status": str(row.target_status),
        "peer_rank": row.peer_rank,
        "peer_n": row.comparison_n,
        "source": str(row.source) if row.source else (
            "Medarbetarenkät" if item.info.is_survey else "Kolada"),
    } for item in items for row in item.rows]
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    for column in ("value", "comparison_mean", "target"):
        table[column] = table[column].astype("float64")
    for column in ("comparison_n", "peer_rank", "peer_n"):
        table[column] = table[column].astype("Int64")
    table.attrs["decimals"] = {item.info.id: item.info.decimals for item in items}
    return table
