"""The follow-up table (one row per measure, KPI and year) for CSV and Excel."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import followup, queries
from etl.settings import Settings

COLUMNS = ["goal", "measure", "kpi", "municipality", "year", "value", "comparison_mean",
           "comparison_n", "target", "target_status", "peer_rank", "peer_n", "source"]


def followup_table(engine: Engine, settings: Settings, *, goal: int | None = None,
                   measure: str | None = None) -> pd.DataFrame:
    """Every measure's yearly values as the design names the columns."""
    infos = queries.measures(engine, goal)
    if measure is not None:
        infos = [m for m in infos if m.id == measure]
        if not infos:
            known = ", ".join(m.id for m in queries.measures(engine))
            raise KeyError(f"Okänt mått «{measure}». Måtten i strategin: {known}.")
    strategy = queries.strategy_info(engine, settings.municipality)
    frames = []
    for info in infos:
        item = followup.measure_followup(engine, settings, info.id, info, strategy)
        s = item.series
        if info.is_survey:
            s = s.assign(kpi_id=None, comparison_mean=None, comparison_n=pd.NA, peer_rank=pd.NA)
        frames.append(pd.DataFrame({
            "goal": info.goal_number,
            "measure": info.id,
            "kpi": s["kpi_id"],
            "municipality": strategy.municipality_id,
            "year": s["year"].astype(int),
            "value": s["value"],
            "comparison_mean": s["comparison_mean"],
            "comparison_n": s["comparison_n"],
            "target": s["target"],
            "target_status": s["target_status"],
            "peer_rank": s["peer_rank"],
            "peer_n": s["comparison_n"],
            "source": [
                "Exempeldata" if ex else ("Medarbetarenkät" if info.is_survey else "Kolada")
                for ex in s["is_example"]
            ],
        }))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    table = table[COLUMNS]
    table.attrs["decimals"] = {info.id: info.decimals for info in infos}
    return table


def _fixed(value: object, decimals: int) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.{decimals}f}"


def to_csv_text(table: pd.DataFrame) -> str:
    """Plain CSV for machines (comma, decimal point). Values keep the measure's decimals and
    the comparison mean one more, as shown on screen: 83.0 against 81.10."""
    decimals = table.attrs.get("decimals", {})
    text = table.astype(object).copy()
    places = table["measure"].map(lambda m: decimals.get(m, 1))
    for column in ("value", "target"):
        text[column] = [_fixed(v, d) for v, d in zip(table[column], places, strict=True)]
    text["comparison_mean"] = [_fixed(v, d + 1) for v, d in
                               zip(table["comparison_mean"], places, strict=True)]
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_table(table: pd.DataFrame, path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        table.to_excel(path, index=False, sheet_name="Uppföljning")
    else:
        path.write_text(to_csv_text(table), encoding="utf-8")
