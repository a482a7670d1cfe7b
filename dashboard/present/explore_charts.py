"""The charts of the explore page as `ChartView`s: the figure (the same for screen and export),
the summary, the table view and the numbers for Excel and CSV.

The page and the downloads (`/export/chart/utforska/<chart>.<format>?<the page's query>`) both
build their charts here from the same `ExploreView`, so a download is always the view on screen.
"""

from __future__ import annotations

import pandas as pd

from dashboard.present import figures
from dashboard.present import formatting as fmt
from dashboard.present.charts import INTEGER, TEXT, ChartView, DataTable, number_format
from dashboard.present.exploration import ExploreView
from etl.followup.records import Source, source_text

PREFIX = "utforska/"
TREND, SPREAD, GENDER = "utveckling", "spridning", "kon"


def _sources(frame: pd.DataFrame, *columns: str) -> list[str]:
    """Each row's «Källa» by the model's rule: Kolada, Exempeldata, or "–" without a value
    in any of `columns`. (A view cached before the flag was kept has none: no example.)"""
    has_value = frame[list(columns or ["value"])].notna().any(axis=1)
    examples = frame["is_example"] if "is_example" in frame else [False] * len(frame)
    return [source_text(Source.of(bool(known), bool(example), Source.KOLADA))
            for known, example in zip(has_value, examples, strict=True)]


def trend_view(view: ExploreView) -> ChartView:
    value = view.value_text
    trend = view.trend
    peer_label = None if view.compares_with_all else view.peer_label
    sources = _sources(trend)
    table = pd.DataFrame({
        "År": trend["year"],
        view.home_name: [value(v) for v in trend["value"]],
        "Plats": [fmt.phrases_unbroken(f"{int(r)} av {n}") if not pd.isna(r) else "–"
                  for r, n in zip(trend["rank"], trend["all_n"], strict=True)],
        "Mätkommunernas medelvärde": [value(v) for v in trend["all_mean"]],
        "n": trend["all_n"],
        **({f"Medelvärde {peer_label}": [value(v) for v in trend["peer_mean"]],
            "n (grupp)": trend["peer_n"]} if peer_label else {}),
        "Källa": sources,
    })
    value_format = number_format(view.decimals, view.unit)
    mean_format = number_format(view.decimals + 1, view.unit)
    data = pd.DataFrame({
        "År": trend["year"], "Nyckeltal": view.kpi["id"], view.home_name: trend["value"],
        "Plats": trend["rank"], "Mätkommunernas medelvärde": trend["all_mean"],
        "Antal mätkommuner (n)": trend["all_n"],
        **({f"Medelvärde {peer_label}": trend["peer_mean"],
            f"Antal ({peer_label})": trend["peer_n"]} if peer_label else {}),
    })
    formats = {"År": "0", view.home_name: value_format, "Plats": INTEGER,
               "Mätkommunernas medelvärde": mean_format, "Antal mätkommuner (n)": INTEGER,
               f"Medelvärde {peer_label}": mean_format, f"Antal ({peer_label})": INTEGER}
    if len(view.peer_lines):  # each comparison municipality drawn, a column each
        each = view.peer_lines.pivot_table(index="year", columns="municipality_id",
                                           values="value")
        for peer in each.columns:
            name = view.names.get(peer, peer)
            data[name] = data["År"].map(each[peer])
            formats[name] = value_format
    data["Källa"] = sources
    text = view.trend_text()
    return ChartView(
        PREFIX + TREND, text.title,
        figures.explore_trend_figure(view.trend, view.peer_lines, view.names, view.home_name,
                                     peer_label, view.unit, view.decimals, text),
        view.trend_summary(), table, f"{view.kpi['id']} per år",
        [view.home_name, "Mätkommunernas medelvärde", "n"],
        lambda: DataTable.from_columns(f"{view.kpi['id']} {view.kpi['title']}", data,
                                       formats, [text.footer]))


def spread_view(view: ExploreView) -> ChartView:
    value = view.value_text
    spread = view.spread
    marks = ["vald kommun" if h else ("jämförelsekommun" if p else "")
             for h, p in zip(spread["is_home"], spread["is_peer"], strict=True)]
    table = pd.DataFrame({"Plats": spread["rank"], "Kommun": spread["name"],
                          "Värde": [value(v) for v in spread["value"]], "Markering": marks})
    data = pd.DataFrame({"År": view.state.spread_year, "Nyckeltal": view.kpi["id"],
                         "Plats": spread["rank"], "Kommun": spread["name"],
                         "Kommunkod": spread["municipality_id"], "Värde": spread["value"],
                         "Markering": marks, "Källa": _sources(spread)})
    text = view.spread_text()
    return ChartView(
        PREFIX + SPREAD, text.title,
        figures.spread_figure(spread, view.home_id, view.kpi["direction"], view.unit,
                              view.decimals, text),
        view.spread_summary(), table, f"Alla kommuner {view.state.spread_year}", ["Värde"],
        lambda: DataTable.from_columns(text.title, data, {
            "År": "0", "Plats": INTEGER, "Kommunkod": TEXT,
            "Värde": number_format(view.decimals, view.unit)}, [text.footer]))


def gender_view(view: ExploreView) -> ChartView:
    if view.gender is None:
        raise KeyError(f"{view.kpi['id']} redovisas inte per kön för {view.home_name}.")
    value = view.value_text
    gender = view.gender
    table = pd.DataFrame({"År": gender["year"].astype(int),
                          "Kvinnor": [value(v) for v in gender["K"]],
                          "Män": [value(v) for v in gender["M"]],
                          "Totalt": [value(v) for v in gender["T"]]})
    data = pd.DataFrame({"År": gender["year"].astype(int), "Nyckeltal": view.kpi["id"],
                         "Kommun": view.home_name, "Kvinnor": gender["K"], "Män": gender["M"],
                         "Totalt": gender["T"], "Källa": _sources(gender, "K", "M", "T")})
    value_format = number_format(view.decimals, view.unit)
    text = view.gender_text()
    return ChartView(
        PREFIX + GENDER, text.title,
        figures.gender_figure(gender, view.home_name, view.unit, view.decimals, text),
        view.gender_summary(), table, "Kvinnor och män", ["Kvinnor", "Män", "Totalt"],
        lambda: DataTable.from_columns(text.title, data, {
            "År": "0", "Kvinnor": value_format, "Män": value_format,
            "Totalt": value_format}, [text.footer]))


BUILDERS = {TREND: trend_view, SPREAD: spread_view, GENDER: gender_view}


def chart_view(view: ExploreView, name: str) -> ChartView:
    """One chart of the view by its name (utveckling, spridning, kon); KeyError if unknown."""
    if name not in BUILDERS:
        raise KeyError(f"Utforska har inget diagram «{name}». Diagrammen: "
                       f"{', '.join(BUILDERS)}.")
    return BUILDERS[name](view)
