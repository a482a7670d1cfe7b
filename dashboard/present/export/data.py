"""The follow-up table (one row per measure, KPI and year) as plain CSV or Excel."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard.present import charts
from dashboard.present import formatting as fmt
from dashboard.present.export import downloads
from dashboard.store import queries
from etl import audit, numbers
from etl.followup import table as followup
from etl.followup.verdict import goal_verdict
from etl.settings import Settings

COLUMNS = followup.COLUMNS


def followup_table(engine: Engine, settings: Settings, *, goal: int | None = None,
                   measure: str | None = None) -> pd.DataFrame:
    """Every measure's yearly values as the design names the columns."""
    items = queries.goal_followups(engine, settings, goal)
    if measure is not None:
        items = [item for item in items if item.info.id == measure]
        if not items:
            known = ", ".join(m.id for m in queries.measures(engine))
            raise KeyError(f"Okänt mått «{measure}». Måtten i strategin: {known}.")
    return followup.followup_table(items)


def goals_table(engine: Engine, settings: Settings, year: int) -> pd.DataFrame:
    """The verdict per goal for the follow-up year."""
    verdicts = [goal_verdict(int(goal.number), queries.goal_followups(engine, settings,
                                                                      int(goal.number)), year)
                for goal in queries.goals(engine).itertuples()]
    return followup.goals_table(verdicts)


def _fixed(value: object, decimals: int) -> str:
    return numbers.fixed(value, decimals, point=".")


def to_csv_text(table: pd.DataFrame) -> str:
    """Plain CSV for machines (comma, decimal point). Values keep the measure's decimals and
    the comparison mean one more, as shown on screen: 83.0 against 81.10; so does the change's
    interval (0.15–13.77), and the probability of reaching the target has two (0.74)."""
    if "measure" not in table.columns:  # the goals table: whole numbers and words only
        return table.to_csv(index=False, lineterminator="\n")
    decimals = table.attrs.get("decimals", {})
    text = table.astype(object).copy()
    places = table["measure"].map(lambda m: decimals.get(m, 1))
    for column in ("value", "target", "ci_low", "ci_high", "previous_value", "change"):
        text[column] = [_fixed(v, d) for v, d in zip(table[column], places, strict=True)]
    for column in ("comparison_mean", "change_ci_low", "change_ci_high"):
        text[column] = [_fixed(v, d + 1) for v, d in zip(table[column], places, strict=True)]
    text["p_target"] = [_fixed(v, 2) for v in table["p_target"]]
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_table(table: pd.DataFrame, path: Path) -> None:
    """CSV, or Excel (real numbers, one sheet) when the name ends in .xlsx."""
    if path.suffix.lower() == ".xlsx":
        sheet = charts.DataTable.from_columns("Uppföljning", table, {})
        path.write_bytes(downloads.workbook_bytes([sheet]))
    else:
        path.write_text(to_csv_text(table), encoding="utf-8")


def audit_table(engine: Engine) -> charts.DataTable:
    """The audit log as a table: `/admin/logg.csv|xlsx` and `malbild audit export`."""
    events = audit.events(engine)
    frame = pd.DataFrame({
        "Tid (UTC)": [f"{fmt.iso_date(e['at'])} {e['at']:%H:%M:%S}" for e in events],
        "Vem": [e["actor"] for e in events],
        "Händelse": [audit.ACTIONS.get(e["action"], e["action"]) for e in events],
        "Kod": [e["action"] for e in events],
        "Objekttyp": [e["object_type"] for e in events],
        "Objekt": [e["object_id"] for e in events],
        "Före": [e["before"] for e in events],
        "Efter": [e["after"] for e in events],
    })
    return charts.DataTable.from_columns("Ändringslogg", frame, {}, [
        "Målbilds ändringslogg: vem ändrade vad och när, med värdet före och efter (JSON)."])
