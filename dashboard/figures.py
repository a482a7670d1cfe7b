"""Figures: DataFrame → Plotly Figure. The same functions draw the screen and the exports.

Every figure carries its title, the source line and a "data t.o.m." stamp inside the image, uses
Swedish number formats (`layout.separators` and pre-formatted hover text) and a colour-blind
safe palette in which series also differ by line style and marker shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting as fmt
from dashboard.queries import MeasureInfo

# Okabe–Ito blue and vermillion, and a dark grey: each at least 3:1 against white.
HOME_COLOUR = "#0072B2"
COMPARISON_COLOUR = "#595959"
TARGET_COLOUR = "#B84A00"
PEER_COLOURS = ("#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#8C564B")
EXAMPLE_FILL = "rgba(120, 120, 120, 0.10)"
FONT = "Source Sans 3, Segoe UI, Helvetica Neue, Arial, sans-serif"
TEXT_COLOUR = "#1b1b1b"
MUTED_COLOUR = "#4d4d4d"


@dataclass(frozen=True)
class ChartText:
    """The words around a chart: title, subtitle and the source line with its stamp."""

    title: str
    subtitle: str
    source: str
    data_through: int | None

    @property
    def footer(self) -> str:
        stamp = f"Data t.o.m. {self.data_through}" if self.data_through else "Ingen data ännu"
        return f"Källa: {self.source} · {stamp}"


def base_layout(text: ChartText, *, y_title: str = "", height: int = 420) -> go.Layout:
    return go.Layout(
        title={"text": f"<b>{text.title}</b>", "subtitle": {"text": text.subtitle},
               "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": TEXT_COLOUR},
        separators=fmt.PLOTLY_SEPARATORS,
        height=height,
        margin={"l": 64, "r": 24, "t": 96, "b": 92},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": FONT, "size": 13}},
        legend={"orientation": "h", "x": 0, "y": -0.16, "xanchor": "left", "yanchor": "top"},
        xaxis={"tickformat": "d", "dtick": 1, "showgrid": False, "linecolor": "#8a8a8a",
               "ticks": "outside", "fixedrange": True},
        yaxis={"title": {"text": y_title}, "gridcolor": "#e3e3e3", "zeroline": False,
               "fixedrange": True, "tickformat": ",~r"},
        annotations=[{
            "text": text.footer, "xref": "paper", "yref": "paper", "x": 0, "y": 0,
            "yshift": -86, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 11, "color": MUTED_COLOUR},
        }],
    )


def _y_title(unit: str) -> str:
    return {"%": "Procent", "index": "Index", "kr": "Kronor"}.get(unit, unit.capitalize())


def _full_years(frame: pd.DataFrame, years: range) -> pd.DataFrame:
    """Reindex to every year, so missing years become gaps instead of joined lines."""
    return frame.set_index("year").reindex(list(years)).reset_index()


def measure_figure(series: pd.DataFrame, info: MeasureInfo, municipality: str,
                   text: ChartText) -> go.Figure:
    """A Kolada measure over the years: the municipality, the comparison mean and the target.

    Each KPI of the lineage is its own segment; a dashed vertical line marks where the method
    changed and no line joins two methods. Years of example data are shaded and labelled.
    """
    figure = go.Figure(layout=base_layout(text, y_title=_y_title(info.unit)))
    decimals = info.decimals
    fmt_value = lambda v: fmt.with_unit(v, info.unit, decimals)  # noqa: E731
    years = range(int(series["year"].min()), int(series["year"].max()) + 1) if len(series) \
        else range(0)
    for segment, link in enumerate(info.lineage):
        part = _full_years(series.loc[series["segment"] == segment], years)
        part = part.loc[part["year"].map(link.covers)]
        if part["value"].notna().sum() == 0 and part["comparison_mean"].notna().sum() == 0:
            continue
        example = bool(part["is_example"].fillna(False).any())
        note = " (exempeldata)" if example else ""
        home_hover = [
            f"{municipality} {int(y)}: {fmt_value(v)}{note}<br>{link.kpi_id}"
            + (f"<br>{p}" if isinstance(p, str) and p else "")
            for y, v, p in zip(part["year"], part["value"], part["peer_status_label"],
                               strict=True)
        ]
        figure.add_trace(go.Scatter(
            x=part["year"], y=part["value"], name=municipality, legendgroup="home",
            showlegend=segment == 0, mode="lines+markers", connectgaps=False,
            line={"color": HOME_COLOUR, "width": 3},
            marker={"size": 9, "symbol": "circle-open" if example else "circle",
                    "line": {"width": 2, "color": HOME_COLOUR}},
            customdata=home_hover, hovertemplate="%{customdata}<extra></extra>",
        ))
        mean_hover = [
            f"Mätkommunernas medelvärde {int(y)}: {fmt_value(v)}"
            + (f" (n = {fmt.count(int(n))})" if not pd.isna(n) else "")
            for y, v, n in zip(part["year"], part["comparison_mean"], part["comparison_n"],
                               strict=True)
        ]
        figure.add_trace(go.Scatter(
            x=part["year"], y=part["comparison_mean"], name="Mätkommunernas medelvärde",
            legendgroup="mean", showlegend=segment == 0, mode="lines+markers",
            connectgaps=False, line={"color": COMPARISON_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 8, "symbol": "diamond", "color": COMPARISON_COLOUR},
            customdata=mean_hover, hovertemplate="%{customdata}<extra></extra>",
        ))
        if example:
            figure.add_vrect(x0=part["year"].min() - 0.5, x1=part["year"].max() + 0.5,
                             fillcolor=EXAMPLE_FILL, line_width=0, layer="below",
                             annotation_text="Exempeldata", annotation_position="top left",
                             annotation_font={"size": 11, "color": MUTED_COLOUR})
    targets = series.loc[series["target"].notna()]
    if len(targets):
        figure.add_trace(go.Scatter(
            x=targets["year"], y=targets["target"], name="Mål",
            mode="markers", marker={"symbol": "line-ew-open", "size": 22,
                                    "line": {"width": 3, "color": TARGET_COLOUR}},
            customdata=[f"Mål {int(y)}: {fmt_value(t)}" + (" (exempel)" if ex else "")
                        for y, t, ex in zip(targets["year"], targets["target"],
                                            targets["target_is_example"], strict=True)],
            hovertemplate="%{customdata}<extra></extra>",
        ))
    for earlier, later in zip(info.lineage, info.lineage[1:], strict=False):
        boundary = (later.first_year + (earlier.last_year or later.first_year)) / 2
        if boundary == later.first_year:
            boundary -= 0.5
        figure.add_vline(x=boundary, line={"color": MUTED_COLOUR, "width": 1.5, "dash": "dot"})
        figure.add_annotation(
            x=boundary, y=1, yref="paper", xanchor="left", yanchor="top", showarrow=False,
            text=f"Ny mätmetod: {later.kpi_id}", font={"size": 11, "color": MUTED_COLOUR},
            bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_yaxes(rangemode="tozero" if info.unit == "%" else "normal")
    if info.unit == "%":
        figure.update_yaxes(range=[0, 100])
    return figure


def survey_figure(series: pd.DataFrame, info: MeasureInfo, municipality: str,
                  text: ChartText) -> go.Figure:
    """Survey years as points (no line across the years between), against the target."""
    figure = go.Figure(layout=base_layout(text, y_title="Medelvärde (1–5)"))
    measured = series.loc[series["value"].notna()]
    if len(series):
        first, last = int(series["year"].min()), int(series["year"].max())
        gaps = [y for y in range(first, last + 1) if y not in set(measured["year"])]
        for year in gaps:
            figure.add_annotation(x=year, y=info.scale_min, yanchor="bottom", showarrow=False,
                                  text="ingen<br>mätning", font={"size": 10,
                                                                 "color": MUTED_COLOUR})
    figure.add_trace(go.Scatter(
        x=measured["year"], y=measured["value"], name=municipality, mode="markers+text",
        marker={"size": 13, "color": HOME_COLOUR, "symbol": "circle"},
        text=[fmt.number(v, info.decimals) for v in measured["value"]],
        textposition="bottom center", textfont={"color": HOME_COLOUR},
        customdata=[f"{municipality} {int(y)}: {fmt.number(v, info.decimals)} "
                    f"(n = {fmt.count(int(n))}), {fmt.percent(s, 0)} svarar 4–5"
                    + (" (exempeldata)" if ex else "")
                    for y, v, n, s, ex in zip(measured["year"], measured["value"],
                                              measured["respondents"],
                                              measured["share_positive"], measured["is_example"],
                                              strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    ))
    targets = series.loc[series["target"].notna()]
    if len(targets):
        figure.add_trace(go.Scatter(
            x=targets["year"], y=targets["target"], name="Mål", mode="markers",
            marker={"symbol": "line-ew-open", "size": 22,
                    "line": {"width": 3, "color": TARGET_COLOUR}},
            customdata=[f"Mål {int(y)}: {fmt.number(t, info.decimals)}"
                        + (" (exempel)" if ex else "")
                        for y, t, ex in zip(targets["year"], targets["target"],
                                            targets["target_is_example"], strict=True)],
            hovertemplate="%{customdata}<extra></extra>",
        ))
    figure.update_yaxes(range=[info.scale_min, info.scale_max], dtick=1)
    return figure


def survey_units_figure(units: pd.DataFrame, kommun_mean: float | None, decimals: int,
                        text: ChartText, reference: str = "Kommunen") -> go.Figure:
    """Mean per förvaltning (or enhet) for one year, with n in the label, against the mean of
    the level above (`reference`: "Kommunen" or the förvaltning)."""
    frame = units.sort_values("mean")
    labels = [f"{name} (n = {fmt.count(int(n))})"
              for name, n in zip(frame["name"], frame["respondents"], strict=True)]
    height = max(300, 150 + 34 * len(frame))
    figure = go.Figure(layout=base_layout(text, y_title="", height=height))
    figure.add_trace(go.Bar(
        x=frame["mean"], y=labels, orientation="h", marker={"color": HOME_COLOUR},
        text=[fmt.number(v, decimals) for v in frame["mean"]], textposition="outside",
        cliponaxis=False, name="Medelvärde",
        customdata=[f"{label}: {fmt.number(v, decimals)}"
                    for label, v in zip(labels, frame["mean"], strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    ))
    if kommun_mean is not None and not pd.isna(kommun_mean):
        figure.add_vline(x=kommun_mean, line={"color": COMPARISON_COLOUR, "dash": "dash"},
                         annotation_text=f"{reference} {fmt.number(kommun_mean, decimals)}",
                         annotation_position="top")
    figure.update_xaxes(range=[1, 5], dtick=1, title={"text": "Medelvärde (1–5)"},
                        tickformat=",~r", showgrid=True, gridcolor="#e3e3e3")
    figure.update_yaxes(automargin=True, title=None)
    figure.update_layout(showlegend=False, xaxis={"dtick": 1})
    return figure


def distribution_figure(row: pd.Series, text: ChartText) -> go.Figure:
    """The share answering 1, 2, 3, 4 and 5."""
    counts = [int(row[f"answers_{i}"] or 0) for i in range(1, 6)]
    total = sum(counts) or 1
    shares = [100 * c / total for c in counts]
    figure = go.Figure(layout=base_layout(text, y_title="Andel av svaren (%)", height=360))
    figure.add_trace(go.Bar(
        x=[str(i) for i in range(1, 6)], y=shares, marker={"color": HOME_COLOUR},
        text=[fmt.percent(s, 0) for s in shares], textposition="outside", cliponaxis=False,
        customdata=[f"Svar {i}: {fmt.percent(s, 1)} ({c} svar)"
                    for i, s, c in zip(range(1, 6), shares, counts, strict=True)],
        hovertemplate="%{customdata}<extra></extra>", name="Andel",
    ))
    figure.update_xaxes(title={"text": "Svar (1 = instämmer inte alls, 5 = instämmer helt)"},
                        dtick=None, tickformat=None, type="category")
    figure.update_yaxes(range=[0, max(shares) * 1.2 + 1])
    figure.update_layout(showlegend=False)
    return figure


def kpi_figure(stats: pd.DataFrame, municipality: str, unit: str, decimals: int,
               text: ChartText) -> go.Figure:
    """One KPI over the years: the municipality against the measuring municipalities' mean."""
    figure = go.Figure(layout=base_layout(text, y_title=_y_title(unit)))
    if stats.empty:
        return figure
    years = range(int(stats["year"].min()), int(stats["year"].max()) + 1)
    frame = _full_years(stats, years)
    figure.add_trace(go.Scatter(
        x=frame["year"], y=frame["value"], name=municipality, mode="lines+markers",
        connectgaps=False, line={"color": HOME_COLOUR, "width": 3}, marker={"size": 9},
        customdata=[f"{municipality} {y}: {fmt.with_unit(v, unit, decimals)}"
                    for y, v in zip(frame["year"], frame["value"], strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    ))
    figure.add_trace(go.Scatter(
        x=frame["year"], y=frame["comparison_mean"], name="Mätkommunernas medelvärde",
        mode="lines+markers", connectgaps=False,
        line={"color": COMPARISON_COLOUR, "width": 2, "dash": "dash"},
        marker={"size": 8, "symbol": "diamond"},
        customdata=[f"Mätkommunernas medelvärde {y}: {fmt.with_unit(v, unit, decimals)}"
                    + (f" (n = {int(n)})" if not pd.isna(n) else "")
                    for y, v, n in zip(frame["year"], frame["comparison_mean"],
                                       frame["comparison_n"], strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    ))
    figure.update_yaxes(range=_padded_range(frame[["value", "comparison_mean"]]))
    return figure


def _padded_range(values: pd.DataFrame, share: float = 0.15) -> list[float] | None:
    """A y range with room above and below the data, so markers never touch the frame."""
    numbers = values.stack().dropna()
    if numbers.empty:
        return None
    low, high = float(numbers.min()), float(numbers.max())
    pad = max((high - low) * share, abs(high) * 0.01, 0.5)
    return [low - pad, high + pad]
