"""The follow-up of a measure: its series, words and numbers, shared by pages and exports.

Built from queries (data) and status rules; figures and tables are drawn from it, so the
screen, the image export, the data download and the report all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from dashboard import figures, queries
from dashboard import formatting as fmt
from dashboard import status as st
from dashboard.cache import cached
from etl.settings import Settings


@dataclass
class MeasureFollowUp:
    info: queries.MeasureInfo
    municipality_id: str
    municipality: str
    series: pd.DataFrame
    source: str
    example_note: str

    def until(self, year: int) -> MeasureFollowUp:
        """The follow-up as it stood for `year`: later years left out (the yearly report)."""
        series = self.series.loc[self.series["year"] <= year].reset_index(drop=True)
        return replace(self, series=series, example_note=_example_note(series))

    # --- numbers -----------------------------------------------------------------------------

    @cached_property
    def latest(self) -> pd.Series | None:
        """The newest year with a value for the municipality."""
        return queries.latest_row(self.series)

    @cached_property
    def data_through(self) -> int | None:
        measured = self.series.loc[self.series["value"].notna()]
        if not self.info.is_survey:
            measured = self.series.loc[self.series["comparison_mean"].notna()]
        return int(measured["year"].max()) if len(measured) else None

    @property
    def missing_latest_note(self) -> str:
        """Why the newest comparison year has no value for the municipality, if it has none."""
        if self.info.is_survey or self.data_through is None:
            return ""
        latest = self.latest
        if latest is not None and int(latest["year"]) == self.data_through:
            return ""
        row = self.series.loc[self.series["year"] == self.data_through].iloc[0]
        return (f"{self.municipality} har inget värde för {self.data_through} "
                f"({row['kpi_id']}; {fmt.count(int(row['comparison_n']))} kommuner mätte).")

    def value_text(self, value: float | None) -> str:
        return fmt.with_unit(value, self.info.unit, self.info.decimals)

    @staticmethod
    def revised_note(revised_at: object) -> str:
        """" (reviderat 2026-11-27)" when an import changed the value after it was stored."""
        if revised_at is None or pd.isna(revised_at):
            return ""
        return f" (reviderat {fmt.iso_date(pd.Timestamp(revised_at))})"

    def target_state(self, row: pd.Series | None) -> st.Status:
        if row is None:
            return st.INGEN_MATNING
        return next(s for s in st.TARGET_STATUSES if s.key == row["target_status"])

    def peer_state(self, row: pd.Series | None) -> st.PeerStatus:
        if row is None or self.info.is_survey or pd.isna(row["peer_rank"]):
            return st.peer_status(None, 0, None, self.info.direction)
        return st.peer_status(int(row["peer_rank"]), int(row["comparison_n"]),
                              int(row["quartile"]), self.info.direction)

    # --- words -------------------------------------------------------------------------------

    def summary(self) -> str:
        """One sentence: "Åstorp 80,0 % 2022, mätkommunernas medelvärde 83,7 % (n = 137),
        plats 111 av 137. Målet 85,0 % är ej uppnått." """
        row = self.latest
        if row is None:
            return f"{self.municipality} har ännu inget värde för måttet."
        year = int(row["year"])
        if self.info.is_survey:
            text = (f"{self.municipality} {self.value_text(row['value'])} {year} "
                    f"(medelvärde 1–5, n = {fmt.count(int(row['respondents']))})")
            if not fmt.is_missing(row["share_positive"]):
                text += f", {fmt.percent(row['share_positive'], 0)} svarar 4 eller 5"
        else:
            text = (f"{self.municipality} {self.value_text(row['value'])} {year}"
                    f"{self.revised_note(row['revised_at'])}, "
                    f"mätkommunernas medelvärde {self.value_text(row['comparison_mean'])} "
                    f"(n = {fmt.count(int(row['comparison_n']))})")
            if not pd.isna(row["peer_rank"]):
                text += f", plats {int(row['peer_rank'])} av {int(row['comparison_n'])}"
        state = self.target_state(row)
        if not pd.isna(row["target"]):
            text += (f". Målet {self.value_text(row['target'])} är "
                     f"{state.label.lower()}" if state in (st.UPPNATT, st.EJ_UPPNATT) else
                     f". Målet {self.value_text(row['target'])}: {state.label.lower()}")
        if bool(row["is_example"]):
            text += " (exempeldata)"
        return text + "."

    def chart_text(self) -> figures.ChartText:
        subtitle = (f"{self.municipality} mot målet, medelvärde 1–5 per enkätår"
                    if self.info.is_survey else
                    f"{self.municipality} mot mätkommunernas medelvärde och målet")
        source = self.source + (f" · {self.example_note}" if self.example_note else "")
        return figures.ChartText(self.info.name, subtitle, source, self.data_through)

    def figure(self) -> go.Figure:
        if self.info.is_survey:
            return figures.survey_figure(self.series, self.info, self.municipality,
                                         self.chart_text())
        return figures.measure_figure(self.series, self.info, self.municipality,
                                      self.chart_text())

    def display_table(self) -> pd.DataFrame:
        """The chart's numbers, formatted for reading (the table view)."""
        s = self.series
        value = lambda v: self.value_text(v)  # noqa: E731
        if self.info.is_survey:
            return self._survey_table()
        return pd.DataFrame({
            "År": s["year"].astype(int),
            "Nyckeltal": s["kpi_id"].fillna("–"),
            self.municipality: [value(v) + self.revised_note(r) if not pd.isna(v)
                                else "ingen mätning"
                                for v, r in zip(s["value"], s["revised_at"], strict=True)],
            "Mätkommunernas medelvärde": [value(v) for v in s["comparison_mean"]],
            "n": [fmt.count(None if pd.isna(n) else int(n)) for n in s["comparison_n"]],
            "Plats": [f"{int(r)} av {int(n)}" if not pd.isna(r) else "–"
                      for r, n in zip(s["peer_rank"], s["comparison_n"], strict=True)],
            "Mål": [value(v) for v in s["target"]],
            "Status mot mål": s["target_status_label"],
            "Källa": ["Exempeldata" if ex else ("Kolada" if not pd.isna(v) else "–")
                      for ex, v in zip(s["is_example"], s["value"], strict=True)],
        })

    def _survey_table(self) -> pd.DataFrame:
        """Every year from the first survey to the last, "ingen mätning" in the years between."""
        s = self.series
        if s.empty:
            return pd.DataFrame(columns=["År", self.municipality])
        years = pd.DataFrame({"year": range(int(s["year"].min()), int(s["year"].max()) + 1)})
        full = years.merge(s, on="year", how="left")
        measured = full["value"].notna()
        table = pd.DataFrame({
            "År": full["year"].astype(int),
            self.municipality: [self.value_text(v) if has else "ingen mätning"
                                for v, has in zip(full["value"], measured, strict=True)],
            "Svarande (n)": [fmt.count(None if pd.isna(n) else int(n))
                             for n in full["respondents"]],
            "Andel 4–5": [fmt.percent(v, 1) for v in full["share_positive"]],
        })
        if full["response_rate"].notna().any():
            table["Svarsfrekvens"] = [fmt.percent(v, 0) for v in full["response_rate"]]
        table["Mål"] = [self.value_text(v) for v in full["target"]]
        table["Status mot mål"] = [label if isinstance(label, str) else st.INGEN_MATNING.label
                                   for label in full["target_status_label"]]
        table["Källa"] = ["–" if not has else "Exempeldata" if bool(ex) else "Medarbetarenkät"
                          for ex, has in zip(full["is_example"], measured, strict=True)]
        return table


def _example_note(series: pd.DataFrame) -> str:
    examples = series.loc[series["is_example"].astype(bool) & series["value"].notna()]
    if examples.empty:
        return ""
    kpis = ", ".join(dict.fromkeys(examples["kpi_id"].dropna())) if "kpi_id" in examples else ""
    years = f"{int(examples['year'].min())}–{int(examples['year'].max())}"
    return f"Exempeldata {years}" + (f" ({kpis})" if kpis else "")


@cached("followup", lambda settings, measure_id, *_a, **_k: (
    settings.municipality, settings.anonymity_threshold, str(settings.kolada_dir), measure_id))
def measure_followup(engine: Engine, settings: Settings, measure_id: str,
                     info: queries.MeasureInfo | None = None,
                     strategy: queries.StrategyInfo | None = None) -> MeasureFollowUp:
    strategy = strategy or queries.strategy_info(engine, settings.municipality)
    info = info or queries.measure(engine, measure_id)
    if info.is_survey:
        series = queries.survey_series(engine, info, settings.anonymity_threshold)
        source = "Medarbetarenkät (aggregerad, grupper under "
        source += f"{settings.anonymity_threshold} svarande visas inte)"
    else:
        series = queries.measure_series(engine, info, strategy.municipality_id)
        kpi_ids = [link.kpi_id for link in info.lineage]
        source = ((queries.value_sources(engine, kpi_ids, settings.kolada_dir) or "Kolada (RKA)")
                  + ", KPI " + ", ".join(kpi_ids))
    return MeasureFollowUp(info, strategy.municipality_id, strategy.municipality, series,
                           source, _example_note(series))


def goal_followups(engine: Engine, settings: Settings, goal: int) -> list[MeasureFollowUp]:
    strategy = queries.strategy_info(engine, settings.municipality)
    return [measure_followup(engine, settings, info.id, info, strategy)
            for info in queries.measures(engine, goal)]
