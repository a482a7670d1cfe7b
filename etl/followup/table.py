"""The follow-up table: one row per measure and year, as `malbild export data` writes it."""

from __future__ import annotations

import pandas as pd

from etl.followup.records import MeasureFollowUp, Source
from etl.followup.verdict import GoalVerdict

COLUMNS = ["goal", "measure", "kpi", "municipality", "year", "value", "comparison_mean",
           "comparison_n", "target", "target_status", "peer_rank", "peer_n", "source",
           "sample_n", "ci_low", "ci_high", "target_certainty", "versus_mean",
           "previous_year", "previous_value", "change", "change_ci_low", "change_ci_high",
           "change_word", "p_target"]
GOAL_COLUMNS = ["goal", "year", "verdict", "measures_assessed", "measures_reached",
                "measures_without_current_value", "measures_within_margin",
                "verdict_certainty"]


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
        "source": str(row.source or (Source.SURVEY if item.info.is_survey else Source.KOLADA)),
        "sample_n": row.sample_n,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
        "target_certainty": str(row.target_certainty) if row.target_certainty else None,
        "versus_mean": str(row.versus_mean) if row.versus_mean else None,
        "previous_year": row.previous_year,
        "previous_value": row.previous_value,
        "change": row.change,
        "change_ci_low": row.change_ci_low,
        "change_ci_high": row.change_ci_high,
        "change_word": str(row.change_word) if row.change_word else None,
        "p_target": row.p_target,
    } for item in items for row in sorted((*item.rows, *item.own_rows),
                                          key=lambda r: (r.year, r.is_own))]
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    for column in ("value", "comparison_mean", "target", "ci_low", "ci_high",
                   "previous_value", "change", "change_ci_low", "change_ci_high", "p_target"):
        table[column] = table[column].astype("float64")
    for column in ("comparison_n", "peer_rank", "peer_n", "sample_n", "previous_year"):
        table[column] = table[column].astype("Int64")
    table.attrs["decimals"] = {item.info.id: item.info.decimals for item in items}
    return table


def goals_table(verdicts: list[GoalVerdict]) -> pd.DataFrame:
    """The verdict per goal for a follow-up year, as `malbild export goals` writes it."""
    return pd.DataFrame.from_records([{
        "goal": v.goal, "year": v.year, "verdict": str(v.verdict),
        "measures_assessed": v.measures_assessed, "measures_reached": v.measures_reached,
        "measures_without_current_value": v.measures_without_current_value,
        "measures_within_margin": v.measures_within_margin,
        "verdict_certainty": str(v.certainty),
    } for v in verdicts], columns=GOAL_COLUMNS)
