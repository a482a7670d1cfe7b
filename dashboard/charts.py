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
from dataclasses import dataclass, field
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from dashboard import figures, followup, queries
from dashboard import formatting as fmt
from etl.settings import Settings

TEXT = "@"  # Excel's text format: the cell is shown as written
INTEGER = "#,##0"


def number_format(decimals: int, unit: str = "") -> str:
    """An Excel number format: Swedish Excel shows 83.0 with `0.0" %"` as "83,0 %"."""
    code = "0" if decimals <= 0 else "0." + "0" * decimals
    return code + ('" %"' if unit in fmt.PERCENT_UNITS else "")


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
    data: DataTable
    measure: queries.MeasureInfo | None = None

    @property
    def file_stem(self) -> str:
        return "malbild-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")


# --- Measures -----------------------------------------------------------------------------------


def _source_column(series: pd.DataFrame, real: str) -> list[str]:
    return ["Exempeldata" if ex else (real if not pd.isna(v) else "–")
            for ex, v in zip(series["is_example"], series["value"], strict=True)]


def measure_data(item: followup.MeasureFollowUp) -> DataTable:
    """The numbers of a measure's chart, one row per year, for Excel and CSV."""
    s, info, place = item.series, item.info, item.municipality
    value_format = number_format(info.decimals, info.unit)
    notes = [item.chart_text().footer]
    if info.is_survey:
        measured = s.loc[s["value"].notna() | s["target"].notna()]
        frame = pd.DataFrame({
            "Mått": info.name,
            "År": measured["year"].astype(int),
            f"{place}, medelvärde 1–5": measured["value"],
            "Svarande (n)": measured["respondents"],
            "Andel som svarar 4–5 (%)": measured["share_positive"],
            "Mål": measured["target"],
            "Status mot mål": measured["target_status_label"],
            "Källa": _source_column(measured, "Medarbetarenkät"),
        })
        formats = {"År": "0", f"{place}, medelvärde 1–5": value_format,
                   "Svarande (n)": INTEGER, "Andel som svarar 4–5 (%)": number_format(1, "%"),
                   "Mål": value_format}
        return DataTable.from_columns(info.name, frame, formats, notes)
    frame = pd.DataFrame({
        "Mått": info.name,
        "År": s["year"].astype(int),
        "Nyckeltal": s["kpi_id"],
        place: s["value"],
        "Mätkommunernas medelvärde": s["comparison_mean"],
        "Antal mätkommuner (n)": s["comparison_n"],
        "Plats": s["peer_rank"],
        "Mål": s["target"],
        "Status mot mål": s["target_status_label"],
        "Status mot andra kommuner": s["peer_status_label"],
        "Källa": _source_column(s, "Kolada"),
    })
    formats = {"År": "0", place: value_format,
               "Mätkommunernas medelvärde": number_format(info.decimals + 1, info.unit),
               "Antal mätkommuner (n)": INTEGER, "Plats": INTEGER, "Mål": value_format}
    return DataTable.from_columns(info.name, frame, formats, notes)


def measure_view(item: followup.MeasureFollowUp) -> ChartView:
    info = item.info
    numeric = [item.municipality, "Mätkommunernas medelvärde", "n", "Mål"]
    return ChartView(info.id, info.name, item.figure(), item.summary(), item.display_table(),
                     f"{info.name}, {item.municipality}", numeric, measure_data(item), info)


# --- Staff survey detail and benchmark ----------------------------------------------------------


def _survey_source(results: pd.DataFrame) -> tuple[str, bool]:
    example = bool(results["is_example"].astype(bool).any()) if len(results) else False
    return "Medarbetarenkät" + (" · Exempeldata" if example else ""), example


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


def survey_forvaltningar(engine: Engine, settings: Settings, info: queries.MeasureInfo,
                         year: int) -> list[str]:
    """The förvaltningar shown for a survey year (the others are under the threshold)."""
    results = queries.survey_results(engine, info.id, settings.anonymity_threshold, year=year)
    return list(results.loc[results["level"] == "förvaltning", "forvaltning"])


def survey_units(engine: Engine, settings: Settings, info: queries.MeasureInfo, year: int,
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


def _unit_key(info: queries.MeasureInfo, kind: str, year: int, forvaltning: str | None) -> str:
    return f"{info.id}/{kind}/{year}" + (f"/{quote(forvaltning, safe='')}" if forvaltning
                                         else "")


def survey_units_view(engine: Engine, settings: Settings, info: queries.MeasureInfo,
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
        "Källa": "Exempeldata" if found.example else "Medarbetarenkät",
    })
    notes = [text.footer, f"Grupper med färre än {settings.anonymity_threshold} svarande "
             "visas inte, och inte heller en grupp som kunde räknas fram ur de andra."]
    return ChartView(
        _unit_key(info, "forvaltningar", year, forvaltning), text.title,
        figures.survey_units_figure(found.units, found.parent_mean, 2, text,
                                    reference=found.parent_label),
        summary, table, found.caption, numeric,
        DataTable.from_columns(text.title, data, {
            "År": "0", "Medelvärde 1–5": number_format(2), "Svarande (n)": INTEGER,
            "Andel som svarar 4–5 (%)": number_format(1, "%"), "Anställda": INTEGER,
            "Svarsfrekvens (%)": number_format(0, "%")}, notes),
        info)


def distribution_view(engine: Engine, settings: Settings, info: queries.MeasureInfo,
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
                         "Källa": "Exempeldata" if found.example else "Medarbetarenkät"})
    return ChartView(
        _unit_key(info, "fordelning", year, forvaltning), text.title,
        figures.distribution_figure(row, text), summary, table,
        f"Fördelning av svaren, {name} {year}", ["Antal", "Andel"],
        DataTable.from_columns(text.title, data, {
            "År": "0", "Svar (1–5)": "0", "Antal svar": INTEGER,
            "Andel (%)": number_format(1, "%")}, [text.footer]),
        info)


def benchmark_stats(engine: Engine, settings: Settings, info: queries.MeasureInfo
                    ) -> pd.DataFrame:
    """The benchmark KPI per year: home value, comparison mean, n and rank."""
    strategy = queries.strategy_info(engine, settings.municipality)
    kpi = queries.kpi_info(engine, info.benchmark_kpi_id)
    return queries.kpi_home_stats(engine, info.benchmark_kpi_id, strategy.municipality_id,
                                  kpi["direction"])


def benchmark_view(engine: Engine, settings: Settings, info: queries.MeasureInfo) -> ChartView:
    """The measure's benchmark KPI (HME for the staff survey) against the measuring kommuner."""
    if not info.benchmark_kpi_id:
        raise KeyError(f"Måttet «{info.id}» har inget jämförelsenyckeltal.")
    kpi_id = info.benchmark_kpi_id
    strategy = queries.strategy_info(engine, settings.municipality)
    kpi = queries.kpi_info(engine, kpi_id)
    stats = queries.kpi_home_stats(engine, kpi_id, strategy.municipality_id, kpi["direction"])
    source = queries.kpi_runs_caption(engine, [kpi_id], settings.kolada_dir)
    data_through = int(stats["year"].max()) if len(stats) else None
    place = strategy.municipality
    text = figures.ChartText("Hållbart medarbetarengagemang (HME)",
                             f"{place} mot mätkommunernas medelvärde",
                             f"{source}, KPI {kpi_id}", data_through)
    latest = queries.latest_row(stats)
    summary = (f"HME totalindex {place} {fmt.number(latest['value'], 1)} "
               f"{int(latest['year'])}, mätkommunernas medelvärde "
               f"{fmt.number(latest['comparison_mean'], 1)} "
               f"(n = {int(latest['comparison_n'])}), plats {int(latest['peer_rank'])} av "
               f"{int(latest['comparison_n'])}." if latest is not None else
               "Kommunen har inget HME-värde.")
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
        "Källa": "Kolada",
    })
    return ChartView(
        f"{info.id}/jamforelse", text.title,
        figures.kpi_figure(stats, place, kpi["unit"], 1, text), summary, table,
        "HME totalindex", [place, "Mätkommunernas medelvärde", "n"],
        DataTable.from_columns(text.title, data, {
            "År": "0", place: number_format(1), "Mätkommunernas medelvärde": number_format(2),
            "Antal mätkommuner (n)": INTEGER, "Plats": INTEGER}, [text.footer]),
        info)


# --- By key -------------------------------------------------------------------------------------

KEY_PATTERN = re.compile(
    r"^(?P<measure>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:/(?P<view>forvaltningar|fordelning)/(?P<year>\d{4})(?:/(?P<unit>.+))?"
    r"|/(?P<benchmark>jamforelse))?$")


def per_unit(key: str) -> bool:
    """Does the key name the survey per förvaltning or enhet (for logged-in users only)?
    A förvaltning's name may itself contain "/" (the rest of the key is the name)."""
    match = KEY_PATTERN.match(key)
    return bool(match and (match["view"] == "forvaltningar" or match["unit"]))


NOT_SHOWN = ("Det finns inget sådant diagram att visa. Grupper med för få svarande visas "
             "inte, och inte heller det som skulle avslöja dem.")


def chart_view(engine: Engine, settings: Settings, key: str) -> ChartView:
    """The chart a key names; KeyError (with a Swedish message) if there is none."""
    match = KEY_PATTERN.match(key)
    known = [m.id for m in queries.measures(engine)]
    if match is None or match["measure"] not in known:
        raise KeyError(f"Det finns inget diagram «{key}». Måtten i strategin: "
                       f"{', '.join(known)}.")
    info = queries.measure(engine, match["measure"])
    if match["benchmark"]:
        return benchmark_view(engine, settings, info)
    if match["view"]:
        if not info.is_survey:
            raise KeyError(f"Måttet «{info.id}» kommer inte från medarbetarenkäten.")
        build = survey_units_view if match["view"] == "forvaltningar" else distribution_view
        unit = match["unit"]  # as the web server decoded it, or as typed
        return build(engine, settings, info, int(match["year"]), unit)
    return measure_view(followup.measure_followup(engine, settings, info.id, info))
