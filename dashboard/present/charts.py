"""Every chart the pages show, with its words and its numbers, findable by a key.

A `ChartView` is one chart: the figure (the same for screen and export), the summary sentence,
the table view (formatted text) and the data (real numbers with Excel number formats) that the
downloads write. Pages and exports get their charts from here, so they can never differ.

Keys are URL paths: `epost-svar` (a measure), `intern-kommunikation/forvaltningar/2021` (the
staff survey per förvaltning), `intern-kommunikation/fordelning/2021` (the distribution of
answers) and `intern-kommunikation/jamforelse` (the benchmark KPI, e.g. HME).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from dashboard.present import figures, words
from dashboard.present import formatting as fmt
from dashboard.store import queries
from etl import numbers
from etl.followup.records import (
    MeasureFollowUp,
    MeasureInfo,
    Source,
    YearRow,
    kpi_source_line,
    source_text,
)
from etl.settings import Settings

TEXT = numbers.TEXT_FORMAT  # Excel's text format: the cell is shown as written
INTEGER = numbers.INTEGER_FORMAT
number_format = numbers.excel_format  # the Excel formats live with the rounding rule


@dataclass
class DataTable:
    """A chart's numbers for download: a frame of real values and each cell's number format.

    `formats` has the frame's shape; an empty string means text. A frame may mix measures with
    different decimals, which is why the format is kept per cell.
    """

    title: str
    frame: pd.DataFrame
    formats: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_columns(cls, title: str, frame: pd.DataFrame, formats: dict[str, str],
                     notes: list[str] | None = None) -> DataTable:
        frame = frame.reset_index(drop=True)
        shaped = pd.DataFrame({c: [formats.get(c, "")] * len(frame) for c in frame.columns},
                              index=frame.index, columns=frame.columns)
        return cls(title, frame, shaped, notes or [])

    @classmethod
    def concat(cls, title: str, tables: list[DataTable], notes: list[str] | None = None
               ) -> DataTable:
        if not tables:
            return cls(title, pd.DataFrame(), pd.DataFrame(), notes or [])
        frame = pd.concat([t.frame for t in tables], ignore_index=True)
        formats = pd.concat([t.formats for t in tables], ignore_index=True).fillna("")
        return cls(title, frame, formats[frame.columns], notes or [])


@dataclass
class ChartView:
    key: str
    title: str
    figure: go.Figure
    summary: str
    table: pd.DataFrame
    table_caption: str
    numeric_columns: list[str]
    data_of: Callable[[], DataTable]  # the data download, built only when asked for
    measure: MeasureInfo | None = None

    @cached_property
    def data(self) -> DataTable:
        return self.data_of()

    @property
    def file_stem(self) -> str:
        return "malbild-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")


# --- Measures -----------------------------------------------------------------------------------


def display_table(item: MeasureFollowUp) -> pd.DataFrame:
    """The chart's numbers, formatted for reading (the table view)."""
    if item.info.is_survey:
        return _survey_display_table(item)
    columns = _kolada_display_columns(item)
    if item.own_rows:  # the own measurement's columns beside, by year
        own = {
            words.OWN_NAME: [words.row_value(item, r) + (" (exempeldata)" if r.is_example
                                                         else "") for r in item.own_rows],
            f"{words.OWN_NAME}, 95 %-intervall": [_interval_cell(item, r)
                                                   for r in item.own_rows],
            f"{words.OWN_NAME}, n": [fmt.count(r.sample_n) for r in item.own_rows],
            f"{words.OWN_NAME}, status mot mål": [words.target_of(r).label
                                                   for r in item.own_rows],
        }
        at = {year: i for i, year in enumerate(columns["År"])}
        own_at = {r.year: i for i, r in enumerate(item.own_rows)}
        years = sorted(at.keys() | own_at.keys())
        columns = {
            "År": years,
            **{name: [cells[at[y]] if y in at else "–" for y in years]
               for name, cells in columns.items() if name != "År"},
            **{name: [cells[own_at[y]] if y in own_at else "–" for y in years]
               for name, cells in own.items()},
        }
    return pd.DataFrame(columns)


def _kolada_display_columns(item: MeasureFollowUp) -> dict[str, list]:
    info = item.info
    return {
        "År": [r.year for r in item.rows],
        "Nyckeltal": [r.kpi_id or "–" for r in item.rows],
        item.municipality: [
            words.row_value(item, r) + words.revised_note(r.revised_at)
            if r.value is not None else "ingen mätning" for r in item.rows],
        "95 %-intervall": [_interval_cell(item, r) for r in item.rows],
        "Antal svar (n)": [_n_cell(r) for r in item.rows],
        words.change_column(info.unit): [words.change_cell(r) for r in item.rows],
        "Mätkommunernas medelvärde": [words.row_value(item, r, r.comparison_mean)
                                      if r.comparison_mean is not None else "–"
                                      for r in item.rows],
        "n": [fmt.count(r.comparison_n) for r in item.rows],
        PAIRED_COLUMN: [_paired_cell(item, r) for r in item.rows],
        "Mot medelvärdet": [words.versus_of(item, r).label if r.versus_mean else "–"
                            for r in item.rows],
        "Plats": [fmt.phrases_unbroken(words.peer_of(item, r).rank_text) or "–"
                  for r in item.rows],
        "Mål": [words.value_text(info, r.target, r.unit) for r in item.rows],
        "Status mot mål": [words.target_of(r).label for r in item.rows],
        PROBABILITY_COLUMN: [_probability_cell(r) for r in item.rows],
        "Källa": [source_text(r.source) for r in item.rows],
    }


PROBABILITY_COLUMN = "Sannolikhet att målet är nått"


def _n_cell(row: YearRow) -> str:
    """"390", or "≤ 390" where n is the survey's total, an upper bound of the question's."""
    if row.sample_n is None:
        return "–"
    return ("≤\u00a0" if row.n_is_bound else "") + fmt.count(row.sample_n)


def _probability_cell(row: YearRow) -> str:
    return words.probability_phrase(row).removeprefix("sannolikhet att målet är nått: ") or "–"


PAIRED_COLUMN = "Kommuner som mätte båda åren"


def _paired_cell(item: MeasureFollowUp, row: YearRow) -> str:
    """"80,9 % → 83,2 % (n = 73)": the mean of those who measured this year and the year
    before, where they are not the same kommuner as all who measured (so a change in the mean
    is not just a change in who took part)."""
    if row.paired_n is None or row.paired_n == row.comparison_n:
        return "–"
    return (f"{words.row_value(item, row, row.paired_previous_mean)} → "
            f"{words.row_value(item, row, row.paired_mean)} (n = {fmt.count(row.paired_n)})")


def _interval_cell(item: MeasureFollowUp, row: YearRow) -> str:
    if row.interval is None:
        return "okänd" if row.value is not None else "–"
    return (f"{fmt.number(row.ci_low, item.info.decimals)}–"
            f"{words.row_value(item, row, row.ci_high)}")


def _survey_display_table(item: MeasureFollowUp) -> pd.DataFrame:
    """Every year from the first survey to the last, "ingen mätning" in the years between."""
    s, info = item.frame, item.info
    if s.empty:
        return pd.DataFrame(columns=["År", item.municipality])
    years = pd.DataFrame({"year": range(int(s["year"].min()), int(s["year"].max()) + 1)})
    full = years.merge(s, on="year", how="left")
    measured = full["value"].notna()
    table = pd.DataFrame({
        "År": full["year"].astype(int),
        item.municipality: [words.value_text(info, v) if has else "ingen mätning"
                            for v, has in zip(full["value"], measured, strict=True)],
        "95 %-intervall": [
            f"{fmt.number(lo, info.decimals)}–{fmt.number(hi, info.decimals)}"
            if not pd.isna(lo) else ("okänd" if has else "–")
            for lo, hi, has in zip(full["ci_low"], full["ci_high"], measured, strict=True)],
        "Svarande (n)": [fmt.count(None if pd.isna(n) else int(n))
                         for n in full["respondents"]],
        "Andel 4–5": [fmt.percent(v, 1) for v in full["share_positive"]],
        "Andel 4–5, 95 %-intervall": [
            f"{fmt.number(lo, 1)}–{fmt.percent(hi, 1)}" if not pd.isna(lo) else "–"
            for lo, hi in zip(full["share_ci_low"], full["share_ci_high"], strict=True)],
    })
    if full["response_rate"].notna().any():
        table["Svarsfrekvens"] = [fmt.percent(v, 0) for v in full["response_rate"]]
    table["Mål"] = [words.value_text(info, v) for v in full["target"]]
    by_year = {r.year: r for r in item.rows}
    table["Status mot mål"] = [words.target_of(by_year.get(int(y))).label for y in full["year"]]
    table[PROBABILITY_COLUMN] = [_probability_cell(by_year[int(y)]) if int(y) in by_year
                                 else "–" for y in full["year"]]
    table.insert(4, words.change_column(info.unit), [
        words.change_cell(by_year[int(y)]) if int(y) in by_year else "–" for y in full["year"]])
    table["Källa"] = [source_text(v) for v in full["source"]]
    return table


def chart_text(item: MeasureFollowUp) -> figures.ChartText:
    return figures.ChartText(item.info.name, words.chart_subtitle(item),
                             words.chart_source(item), item.data_through)


def measure_figure(item: MeasureFollowUp) -> go.Figure:
    """The measure's chart, the same on screen, in image exports and in the report."""
    if item.info.is_survey:
        return figures.survey_figure(item.rows, item.info, item.municipality, chart_text(item))
    return figures.measure_figure(item.rows, [words.peer_of(item, row).text for row in item.rows],
                                  item.info, item.municipality, chart_text(item),
                                  own=item.own_rows)


def measure_data(item: MeasureFollowUp) -> DataTable:
    """The numbers of a measure's chart, one row per year, for Excel and CSV."""
    s, info, place = item.frame, item.info, item.municipality
    value_format = number_format(info.decimals, info.unit)
    notes = [chart_text(item).footer]
    target_words = [words.target_of(r).label for r in item.rows]
    sources = [source_text(v) for v in s["source"]]
    if info.is_survey:
        measured = (s["value"].notna() | s["target"].notna()).to_numpy()
        m = s.loc[measured]
        frame = pd.DataFrame({
            "Mått": info.name,
            "År": m["year"],
            f"{place}, medelvärde 1–5": m["value"],
            "95 %-intervall, nedre": m["ci_low"],
            "95 %-intervall, övre": m["ci_high"],
            "Svarande (n)": m["respondents"],
            "Andel som svarar 4–5 (%)": m["share_positive"],
            "Förändring sedan förra enkäten": m["change"],
            "Förändring, 95 %-intervall, nedre": m["change_ci_low"],
            "Förändring, 95 %-intervall, övre": m["change_ci_high"],
            "Förändring i ord": [words.change_phrase(r) for r, keep in
                                 zip(item.rows, measured, strict=True) if keep],
            "Mål": m["target"],
            "Status mot mål": [w for w, keep in zip(target_words, measured, strict=True)
                               if keep],
            "Sannolikhet att målet är nått": m["p_target"],
            "Källa": [w for w, keep in zip(sources, measured, strict=True) if keep],
        })
        formats = {"År": "0", f"{place}, medelvärde 1–5": value_format,
                   "95 %-intervall, nedre": value_format, "95 %-intervall, övre": value_format,
                   "Svarande (n)": INTEGER, "Andel som svarar 4–5 (%)": number_format(1, "%"),
                   "Mål": value_format, **_change_formats(info)}
        return DataTable.from_columns(info.name, frame, formats, notes)
    frame = pd.DataFrame({
        "Mått": info.name,
        "År": s["year"],
        "Nyckeltal": s["kpi_id"],
        "Enhet": s["unit"],
        place: s["value"],
        "95 %-intervall, nedre": s["ci_low"],
        "95 %-intervall, övre": s["ci_high"],
        "Antal svar (n)": s["sample_n"],
        "Antal svar är ett tak": ["ja" if bound else "" for bound in s["n_is_bound"]],
        "Förändring sedan förra mätningen": s["change"],
        "Förändring, 95 %-intervall, nedre": s["change_ci_low"],
        "Förändring, 95 %-intervall, övre": s["change_ci_high"],
        "Förändring i ord": [words.change_phrase(r) for r in item.rows],
        "Mätkommunernas medelvärde": s["comparison_mean"],
        "Antal mätkommuner (n)": s["comparison_n"],
        "Mot medelvärdet": [words.versus_of(item, r).label if r.versus_mean else ""
                            for r in item.rows],
        "Plats": s["peer_rank"],
        "Trolig plats, bästa": s["rank_low"],
        "Trolig plats, sämsta": s["rank_high"],
        "Mål": s["target"],
        "Status mot mål": target_words,
        "Status mot andra kommuner": [words.peer_of(item, r).text for r in item.rows],
        "Sannolikhet att målet är nått": s["p_target"],
        "Källa": sources,
    })
    if item.own_rows:
        own = item.own_frame
        frame = frame.merge(pd.DataFrame({
            "År": own["year"], f"{words.OWN_NAME} (%)": own["value"],
            f"{words.OWN_NAME}, 95 %-intervall, nedre": own["ci_low"],
            f"{words.OWN_NAME}, 95 %-intervall, övre": own["ci_high"],
            f"{words.OWN_NAME}, antal (n)": own["sample_n"],
            f"{words.OWN_NAME}, status mot mål": [words.target_of(r).label
                                                  for r in item.own_rows],
            f"{words.OWN_NAME}, källa": [source_text(r.source) for r in item.own_rows],
        }), on="År", how="outer").sort_values("År")
        frame["Mått"] = info.name
    own_format = number_format(info.decimals, "%")
    formats = {f"{words.OWN_NAME} (%)": own_format,
               f"{words.OWN_NAME}, 95 %-intervall, nedre": own_format,
               f"{words.OWN_NAME}, 95 %-intervall, övre": own_format,
               f"{words.OWN_NAME}, antal (n)": INTEGER,
               "År": "0", place: value_format, "95 %-intervall, nedre": value_format,
               "95 %-intervall, övre": value_format, "Antal svar (n)": INTEGER,
               "Trolig plats, bästa": INTEGER, "Trolig plats, sämsta": INTEGER,
               "Mätkommunernas medelvärde": number_format(info.decimals + 1, info.unit),
               "Antal mätkommuner (n)": INTEGER, "Plats": INTEGER, "Mål": value_format,
               **_change_formats(info)}
    table = DataTable.from_columns(info.name, frame, formats, notes)
    # An index KPI's values, means and targets carry no per cent sign (N00673 is 0–100).
    index_rows = (table.frame["Enhet"].notna()
                  & ~table.frame["Enhet"].isin(list(fmt.PERCENT_UNITS))).to_numpy()
    for column, decimals in ((place, info.decimals), ("95 %-intervall, nedre", info.decimals),
                             ("95 %-intervall, övre", info.decimals), ("Mål", info.decimals),
                             ("Mätkommunernas medelvärde", info.decimals + 1)):
        table.formats.loc[index_rows, column] = number_format(decimals, "")
    return table


def _change_formats(info: MeasureInfo) -> dict[str, str]:
    """The change in the value's decimals (no unit: percentage points are no per cent), its
    interval with one more, the probability as a share with two."""
    return {"Förändring sedan förra mätningen": number_format(info.decimals, ""),
            "Förändring sedan förra enkäten": number_format(info.decimals, ""),
            "Förändring, 95 %-intervall, nedre": number_format(info.decimals + 1, ""),
            "Förändring, 95 %-intervall, övre": number_format(info.decimals + 1, ""),
            "Sannolikhet att målet är nått": number_format(2, "")}


def measure_view(item: MeasureFollowUp) -> ChartView:
    info = item.info
    numeric = [item.municipality, "95 %-intervall", "Antal svar (n)",
               "Mätkommunernas medelvärde", "n", "Mål"]
    summary = " ".join(s for s in (words.summary(item), words.own_sentence(item)) if s)
    return ChartView(info.id, info.name, measure_figure(item), summary,
                     display_table(item), f"{info.name}, {item.municipality}", numeric,
                     lambda: measure_data(item), info)


# --- Staff survey detail and benchmark ----------------------------------------------------------


def _survey_source(results: pd.DataFrame) -> tuple[str, bool]:
    example = bool(results["is_example"].astype(bool).any()) if len(results) else False
    return Source.SURVEY + (f" · {Source.EXAMPLE}" if example else ""), example


@dataclass
class SurveyUnits:
    """One survey year's units at one level: the förvaltningar, or one förvaltning's enheter."""

    units: pd.DataFrame  # the units drawn, with a `name` column
    listed: pd.DataFrame  # every row of the table (the parent and the units below it)
    parent: pd.DataFrame  # the kommun or the chosen förvaltning (one row, or none if hidden)
    parent_name: str
    parent_label: str
    title: str
    caption: str
    source: str
    example: bool

    @property
    def parent_mean(self) -> float | None:
        return float(self.parent["mean"].iloc[0]) if len(self.parent) else None


def survey_forvaltningar(engine: Engine, settings: Settings, info: MeasureInfo,
                         year: int) -> list[str]:
    """The förvaltningar shown for a survey year (the others are under the threshold)."""
    results = queries.survey_results(engine, info.id, settings.anonymity_threshold, year=year)
    return list(results.loc[results["level"] == "förvaltning", "forvaltning"])


def survey_units(engine: Engine, settings: Settings, info: MeasureInfo, year: int,
                 forvaltning: str | None = None) -> SurveyUnits:
    """The stored (never hidden) units of a year, for the whole kommun or one förvaltning."""
    results = queries.survey_results(engine, info.id, settings.anonymity_threshold, year=year)
    if results.empty:
        raise KeyError(f"Ingen medarbetarenkät för {year}.")
    source, example = _survey_source(results)
    if forvaltning is None:
        parent = results.loc[results["level"] == "kommun"]
        units = results.loc[results["level"] == "förvaltning"].assign(
            name=lambda f: f["forvaltning"])
        listed = results.loc[results["level"].isin(["förvaltning", "enhet"])]
        return SurveyUnits(units, _ordered(listed), parent, "kommunen", "Kommunen",
                           f"Intern kommunikation per förvaltning {year}",
                           f"Per förvaltning och enhet {year}", source, example)
    parent = results.loc[(results["level"] == "förvaltning")
                         & (results["forvaltning"] == forvaltning)]
    if parent.empty:
        raise KeyError(f"Förvaltningen «{forvaltning}» visas inte för {year}.")
    units = results.loc[(results["level"] == "enhet")
                        & (results["forvaltning"] == forvaltning)].assign(
        name=lambda f: f["enhet"])
    return SurveyUnits(units, _ordered(pd.concat([parent, units])), parent, forvaltning,
                       forvaltning, f"Intern kommunikation per enhet {year}: {forvaltning}",
                       f"{forvaltning}: enheter {year}", source, example)


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    """Each förvaltning first, then its enheter."""
    return rows.sort_values(["forvaltning", "level", "enhet"], ascending=[True, False, True])


def survey_unit_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Förvaltningar and enheter with n, mean, share 4–5 and (when known) the response rate,
    formatted for the table view; and which columns are numbers."""
    table = pd.DataFrame({
        "Förvaltning": rows["forvaltning"],
        "Enhet": [e or "(hela förvaltningen)" for e in rows["enhet"]],
        "Medelvärde (1–5)": [fmt.number(v, 2) for v in rows["mean"]],
        "Andel 4–5": [fmt.percent(v, 0) for v in rows["share_positive"]],
        "Svarande (n)": [fmt.count(int(n)) for n in rows["respondents"]],
    })
    if "response_rate" in rows and rows["response_rate"].notna().any():
        table["Anställda"] = [fmt.count(None if pd.isna(e) else int(e))
                              for e in rows["employees"]]
        table["Svarsfrekvens"] = [fmt.percent(v, 0) for v in rows["response_rate"]]
    return table, ["Medelvärde (1–5)", "Andel 4–5", "Svarande (n)", "Anställda",
                   "Svarsfrekvens"]


def _unit_key(info: MeasureInfo, kind: str, year: int, forvaltning: str | None) -> str:
    return f"{info.id}/{kind}/{year}" + (f"/{quote(forvaltning, safe='')}" if forvaltning
                                         else "")


def survey_units_view(engine: Engine, settings: Settings, info: MeasureInfo,
                      year: int, forvaltning: str | None = None) -> ChartView:
    """Mean per förvaltning (or per enhet of one förvaltning) for one survey year, against the
    level above. Only stored groups appear, and those are never under the threshold."""
    found = survey_units(engine, settings, info, year, forvaltning)
    if found.units.empty:
        raise KeyError(f"Inga enheter i {found.parent_name} kan visas {year}: de har för få "
                       "svarande var för sig.")
    text = figures.ChartText(found.title, "Medelvärde 1–5 och antal svarande (n)",
                             found.source, year)
    level = "förvaltning" if forvaltning is None else "enhet"
    summary = (f"Medelvärde per {level} {year}: " + "; ".join(
        f"{r.name} {fmt.number(r.mean, 2)} (n = {fmt.count(r.respondents)})"
        for r in found.units.sort_values("mean", ascending=False).itertuples())
        + (f". {found.parent_label} {fmt.number(found.parent_mean, 2)}."
           if found.parent_mean is not None else "."))
    table, numeric = survey_unit_table(found.listed)
    rows = found.listed
    data = pd.DataFrame({
        "År": year,
        "Förvaltning": rows["forvaltning"],
        "Enhet": [e or "(hela förvaltningen)" for e in rows["enhet"]],
        "Medelvärde 1–5": rows["mean"],
        "Andel som svarar 4–5 (%)": rows["share_positive"],
        "Svarande (n)": rows["respondents"],
        "Anställda": rows["employees"],
        "Svarsfrekvens (%)": rows.get("response_rate"),
        "Källa": str(Source.of(True, found.example, Source.SURVEY)),
    })
    notes = [text.footer, f"Grupper med färre än {settings.anonymity_threshold} svarande "
             "visas inte, och inte heller en grupp som kunde räknas fram ur de andra."]
    return ChartView(
        _unit_key(info, "forvaltningar", year, forvaltning), text.title,
        figures.survey_units_figure(found.units, found.parent_mean, 2, text,
                                    reference=found.parent_label),
        summary, table, found.caption, numeric,
        lambda: DataTable.from_columns(text.title, data, {
            "År": "0", "Medelvärde 1–5": number_format(2), "Svarande (n)": INTEGER,
            "Andel som svarar 4–5 (%)": number_format(1, "%"), "Anställda": INTEGER,
            "Svarsfrekvens (%)": number_format(0, "%")}, notes),
        info)


def distribution_view(engine: Engine, settings: Settings, info: MeasureInfo,
                      year: int, forvaltning: str | None = None) -> ChartView:
    """The share answering 1–5 in the whole kommun (or one förvaltning) for one survey year."""
    found = survey_units(engine, settings, info, year, forvaltning)
    if found.parent.empty:
        raise KeyError(f"Ingen fördelning för {found.parent_name} {year}.")
    row = found.parent.iloc[0]
    name = found.parent_name
    if any(pd.isna(row[f"answers_{i}"]) for i in range(1, 6)):
        raise KeyError(f"Fördelningen av svaren finns inte för {name} {year}: filen innehöll "
                       "bara medelvärden.")
    text = figures.ChartText(f"Fördelning av svaren {year}, {name}",
                             "Den interna kommunikationen uppfattas som god (1–5)",
                             found.source, year)
    counts = [int(row[f"answers_{i}"]) for i in range(1, 6)]
    total = sum(counts) or 1
    shares = [100 * c / total for c in counts]
    table = pd.DataFrame({"Svar": [str(i) for i in range(1, 6)],
                          "Antal": [fmt.count(c) for c in counts],
                          "Andel": [fmt.percent(s, 1) for s in shares]})
    summary = (f"Fördelning av svaren, {name} {year}: " + ", ".join(
        f"{i}: {fmt.percent(s, 0)}" for i, s in enumerate(shares, 1))
        + f" (n = {fmt.count(total)}).")
    data = pd.DataFrame({"År": year, "Enhet": name, "Svar (1–5)": range(1, 6),
                         "Antal svar": counts, "Andel (%)": shares,
                         "Källa": str(Source.of(True, found.example, Source.SURVEY))})
    return ChartView(
        _unit_key(info, "fordelning", year, forvaltning), text.title,
        figures.distribution_figure(row, text), summary, table,
        f"Fördelning av svaren, {name} {year}", ["Antal", "Andel"],
        lambda: DataTable.from_columns(text.title, data, {
            "År": "0", "Svar (1–5)": "0", "Antal svar": INTEGER,
            "Andel (%)": number_format(1, "%")}, [text.footer]),
        info)


def benchmark_stats(engine: Engine, settings: Settings, info: MeasureInfo
                    ) -> pd.DataFrame:
    """The benchmark KPI per year: home value, comparison mean, n and rank."""
    strategy = queries.strategy_info(engine, settings.municipality)
    kpi = queries.kpi_info(engine, info.benchmark_kpi_id)
    return queries.kpi_home_stats(engine, info.benchmark_kpi_id, strategy.municipality_id,
                                  kpi["direction"])


def benchmark_view(engine: Engine, settings: Settings, info: MeasureInfo,
                   until: int | None = None) -> ChartView:
    """The measure's benchmark KPI (HME for the staff survey) against the measuring kommuner,
    up to the follow-up year `until` (every year if None)."""
    if not info.benchmark_kpi_id:
        raise KeyError(f"Måttet «{info.id}» har inget jämförelsenyckeltal.")
    kpi_id = info.benchmark_kpi_id
    strategy = queries.strategy_info(engine, settings.municipality)
    kpi = queries.kpi_info(engine, kpi_id)
    stats = queries.kpi_home_stats(engine, kpi_id, strategy.municipality_id, kpi["direction"])
    if until is not None:
        stats = stats.loc[stats["year"] <= until]
    source = kpi_source_line(queries.value_provenance(engine, [kpi_id], settings.kolada_dir),
                              queries.has_example_values(engine, [kpi_id]))
    data_through = int(stats["year"].max()) if len(stats) else None
    place = strategy.municipality
    text = figures.ChartText("Hållbart medarbetarengagemang (HME)",
                             f"{place} mot mätkommunernas medelvärde",
                             f"{source}, KPI {kpi_id}", data_through)
    latest = queries.latest_row(stats)
    summary = "Kommunen har inget HME-värde."
    if latest is not None:
        n = int(latest["comparison_n"])
        summary = (f"HME totalindex {place} {fmt.number(latest['value'], 1)} "
                   f"{int(latest['year'])}, mätkommunernas medelvärde "
                   f"{fmt.number(latest['comparison_mean'], 1)} (n = {n}), "
                   f"{words.place_without_margin(int(latest['peer_rank']), n)}. "
                   f"{words.MARGIN_UNKNOWN_WHY}")
    table = pd.DataFrame({
        "År": stats["year"],
        place: [fmt.number(v, 1) for v in stats["value"]],
        "Mätkommunernas medelvärde": [fmt.number(v, 1) for v in stats["comparison_mean"]],
        "n": stats["comparison_n"],
        "Plats": [f"{int(r)} av {n}" if not pd.isna(r) else "–"
                  for r, n in zip(stats["peer_rank"], stats["comparison_n"], strict=True)],
    })
    data = pd.DataFrame({
        "År": stats["year"], "Nyckeltal": kpi_id, place: stats["value"],
        "Mätkommunernas medelvärde": stats["comparison_mean"],
        "Antal mätkommuner (n)": stats["comparison_n"], "Plats": stats["peer_rank"],
        # a year without the kommun's value still has Kolada's mean and n
        "Källa": [source_text(Source.of(not (pd.isna(v) and pd.isna(m)), bool(e), Source.KOLADA))
                  for v, m, e in zip(stats["value"], stats["comparison_mean"],
                                     stats.get("is_example", [False] * len(stats)),
                                     strict=True)],
    })
    return ChartView(
        f"{info.id}/jamforelse", text.title,
        figures.kpi_figure(stats, place, kpi["unit"], 1, text), summary, table,
        "HME totalindex", [place, "Mätkommunernas medelvärde", "n"],
        lambda: DataTable.from_columns(text.title, data, {
            "År": "0", place: number_format(1), "Mätkommunernas medelvärde": number_format(2),
            "Antal mätkommuner (n)": INTEGER, "Plats": INTEGER}, [text.footer]),
        info)


# --- By key -------------------------------------------------------------------------------------

KEY_PATTERN = re.compile(
    r"^(?P<measure>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:/(?P<view>forvaltningar|fordelning)/(?P<year>[0-9]{4})(?:/(?P<unit>.+))?"
    r"|/(?P<benchmark>jamforelse))?$")


def per_unit(key: str) -> bool:
    """Does the key name the survey per förvaltning or enhet (for logged-in users only)?
    A förvaltning's name may itself contain "/" (the rest of the key is the name)."""
    match = KEY_PATTERN.match(key)
    return bool(match and (match["view"] == "forvaltningar" or match["unit"]))


NOT_SHOWN = ("Det finns inget sådant diagram att visa. Grupper med för få svarande visas "
             "inte, och inte heller det som skulle avslöja dem.")


def chart_view(engine: Engine, settings: Settings, key: str, until: int | None = None
               ) -> ChartView:
    """The chart a key names, with what was known for the follow-up year `until` (every year
    if None); KeyError (with a Swedish message) if there is none."""
    match = KEY_PATTERN.match(key)
    known = [m.id for m in queries.measures(engine)]
    if match is None or match["measure"] not in known:
        raise KeyError(f"Det finns inget diagram «{key}». Måtten i strategin: "
                       f"{', '.join(known)}.")
    info = queries.measure(engine, match["measure"])
    if match["benchmark"]:
        return benchmark_view(engine, settings, info, until)
    if match["view"]:
        if not info.is_survey:
            raise KeyError(f"Måttet «{info.id}» kommer inte från medarbetarenkäten.")
        strategy = queries.strategy_info(engine, settings.municipality)
        if strategy.example_of:  # the survey stored is the strategy's municipality's
            raise KeyError(f"{strategy.place} har ingen medarbetarenkät i Målbild.")
        build = survey_units_view if match["view"] == "forvaltningar" else distribution_view
        unit = match["unit"]  # as the web server decoded it, or as typed
        return build(engine, settings, info, int(match["year"]), unit)
    item = queries.measure_followup(engine, settings, info.id)
    return measure_view(item if until is None else item.until(until))
